/**
 * The answer's size, bounded while it is built. Every referral a resolver hands out is charged
 * its size on the wire, once per appearance in the answer (ten aliases of one referral, or 500
 * `_entities` copies of it, are ten or 500 charges although the loader fetched it once). Past the
 * limit the resolver fails and the request is answered with one RESPONSE_TOO_LARGE error
 * (responseLimits.ts), so no more is resolved, copied or serialized.
 *
 * The charge is an estimate from above for ordinary selections (a referral's wire JSON holds
 * every field; a selection holds some); the exact size is checked once more before the answer is
 * serialized (server/responseLimits.ts).
 */
import { responseTooLarge } from '../errors/create.ts';
import { wireLength } from '../upstream/referralsApi.ts';
import type { WireReferral } from '../upstream/referralWire.ts';
import type { WirePresenter } from './wirePresentation.ts';

export class ResponseBudget {
  readonly limitBytes: number;
  readonly #present: WirePresenter;
  /**
   * Each wire object's presentation, made once per request: a referral appears many times in
   * one answer (each sibling's `relatedReferrals` lists the same engagement's referrals, read
   * once), and a wire object is never changed, so its presentation cannot change either. Held
   * by the request, not in a process-wide WeakMap, whose entries V8 marks in every full GC's
   * pause (src/upstream/hiddenSlot.ts has the measurement).
   */
  #presented: Map<object, unknown> | undefined;
  #charged = 0;
  #exceeded = false;

  constructor(limitBytes: number, present: WirePresenter) {
    this.limitBytes = limitBytes;
    this.#present = present;
  }

  /** Charges `bytes`; throws RESPONSE_TOO_LARGE once the total passes the limit. */
  charge(bytes: number): void {
    this.#charged += bytes;
    if (this.#exceeded || this.#charged > this.limitBytes) {
      this.#exceeded = true;
      throw responseTooLarge(this.limitBytes);
    }
  }

  /**
   * Charges a referral (or nothing for `null`) and hands it on as GraphQL reads it
   * (wirePresentation.ts): the one way a referral enters the answer.
   */
  referral<T extends WireReferral | null>(referral: T): T {
    if (referral === null) return referral;
    this.charge(wireLength(referral));
    return this.#once(referral, this.#present.referral);
  }

  /** A deal registration as GraphQL reads it; its bytes were charged with its referral's. */
  registration<T>(registration: T): T {
    return this.#once(registration, this.#present.dealRegistration);
  }

  #once<T>(value: T, present: (value: T) => T): T {
    if (typeof value !== 'object' || value === null) return value;
    this.#presented ??= new Map();
    const known = this.#presented.get(value);
    if (known !== undefined) return known as T;
    const presented = present(value);
    this.#presented.set(value, presented);
    return presented;
  }

  get exceeded(): boolean {
    return this.#exceeded;
  }
}
