/**
 * What the load generator remembers between operations (bench/run.ts, bench/hostileLoad.ts): the
 * seed's ids, the current eTag of each referral (updates send the one the client last saw), the
 * engagements of the `relatedReferrals` page (the REST floor lists each), which APQ documents a
 * contestant has registered, and counts of what went wrong.
 */

export const AUTHORIZATION = 'Bearer bench';

export interface Counters {
  /** Non-2xx (GraphQL: non-200) answers; 412s of the update scenarios are counted as conflicts instead. */
  badStatus: number;
  /** 200 answers carrying `errors` (or an unexpected mutation result). */
  gqlErrors: number;
  /** Update scenarios: stale eTag (GraphQL ReferralPreconditionFailed, REST 412). */
  conflicts: number;
}

export class BenchState {
  readonly ids: readonly string[];
  readonly etags = new Map<string, string>();
  /** Distinct engagement ids of the `relatedReferrals` page, in page order. */
  engagementIds: readonly string[] = [];
  /** `${contestant} ${document hash}` of APQ documents already registered. */
  readonly apqRegistered = new Set<string>();
  #cursor = 0;
  #serial = 0;
  counters: Counters = { badStatus: 0, gqlErrors: 0, conflicts: 0 };

  constructor(referrals: readonly { id: string; eTag: string }[]) {
    this.ids = referrals.map((r) => r.id);
    this.refresh(referrals);
  }

  refresh(referrals: readonly { id: string; eTag: string }[]): void {
    for (const r of referrals) this.etags.set(r.id, r.eTag);
  }

  resetCounters(): Counters {
    const previous = this.counters;
    this.counters = { badStatus: 0, gqlErrors: 0, conflicts: 0 };
    return previous;
  }

  nextId(): string {
    const id = this.ids[this.#cursor % this.ids.length] as string;
    this.#cursor = (this.#cursor + 1) % 1_000_000_000;
    return id;
  }

  /** `count` consecutive distinct ids (count ≤ the seed size). */
  nextIds(count: number): string[] {
    return Array.from({ length: count }, () => this.nextId());
  }

  /** A number no other operation of this bench got (names, idempotency keys). */
  serial(): number {
    this.#serial++;
    return this.#serial;
  }
}
