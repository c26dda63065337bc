/**
 * The fault matrix with JSON Patch writes: the mutation cells only (a query reads the same way
 * in both modes). Every pinned outcome is the same as with PUT.
 */
import { describeFaultMatrix } from './faultMatrixSuite.ts';

describeFaultMatrix('patch', ['mutation']);
