/** The updateReferral suite with PARTNER_API_WRITE_MODE=put (see updateReferralSuite.ts). */
import { describeUpdateReferral } from './updateReferralSuite.ts';

describeUpdateReferral('put');
