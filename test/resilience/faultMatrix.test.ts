/** The fault matrix with full-replacement PUT writes (the default), query and mutation cells. */
import { describeFaultMatrix } from './faultMatrixSuite.ts';

describeFaultMatrix('put', ['query', 'mutation']);
