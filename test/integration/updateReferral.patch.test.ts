/** The updateReferral suite with PARTNER_API_WRITE_MODE=patch (see updateReferralSuite.ts). */
import { describeUpdateReferral } from './updateReferralSuite.ts';

describeUpdateReferral('patch');
