/**
 * The fault matrix with full-replacement PUT writes (the default), query and mutation cells; then
 * with JSON Patch writes, mutation cells only (a query reads the same way in both modes), every
 * pinned outcome the same as with PUT. One after the other: each cell runs 50 requests at once
 * against a 5 s deadline, and two matrices side by side would measure CPU contention instead.
 */
import { describeFaultMatrix } from './faultMatrixSuite.ts';

describeFaultMatrix('put', ['query', 'mutation']);
describeFaultMatrix('patch', ['mutation']);
