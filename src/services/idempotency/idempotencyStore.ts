/**
 * Where `createReferral` keeps what became of each idempotency key (README "Creating referrals"):
 * key → the fingerprint of the input it was first used with, and the outcome. In memory per
 * process (memoryIdempotencyStore.ts), or with `REDIS_URL` on Redis, shared by every replica
 * (src/state/redisIdempotencyStore.ts, beside the Redis connection it needs: this layer knows no
 * Redis): the interface is asynchronous and assumes no shared memory, and both pass one test
 * suite (test/unit/idempotencyStore.test.ts).
 *
 * A record holds no customer data: only the fingerprint (a hash), the outcome's kind, the created
 * referral's id, and when an uncertain create was sent. A replay of a success reads the referral
 * again with the caller's own token, so the Partner API decides what the caller may see.
 *
 * Keys arrive already scoped to their caller (callerScope.ts): the store never sees an
 * idempotency key or a token, only a hash of both.
 */

/** What a create came to, as far as it is worth remembering. */
export type IdempotentOutcome =
  /** The Partner API created the referral with this id. */
  | { readonly kind: 'created'; readonly referralId: string }
  /**
   * The POST's fate is unknown (its answer was lost, or the claim's owner vanished). Never POST
   * again for this key: look for the referral among those created since `since` (epoch ms).
   */
  | { readonly kind: 'uncertain'; readonly since: number };

export type Claim =
  /** The key is now this caller's to act on; finish with `complete` or `release`. */
  | { readonly kind: 'owner'; readonly token: string }
  /** The key has an outcome already: answer from it, send nothing new. */
  | { readonly kind: 'replay'; readonly outcome: IdempotentOutcome }
  /** The key was used with another input. */
  | { readonly kind: 'mismatch' }
  /** Another request holds the key and did not finish within the wait. */
  | { readonly kind: 'inProgress' };

export interface ClaimOptions {
  /**
   * How long the claim holds without an outcome. Past it the create counts as uncertain: its
   * owner may have sent the POST and then died, so the key is never handed out to POST again.
   */
  readonly leaseMs: number;
  /** Epoch ms: how long to wait for another request holding the same key to finish. */
  readonly waitUntil: number;
  /**
   * The request's: when it aborts the claim gives up (answering `inProgress`), while waiting for
   * another request and in the middle of a call to a store on Redis.
   */
  readonly signal?: AbortSignal | undefined;
}

export interface IdempotencyStore {
  /**
   * Takes `key` for a create with this input `fingerprint`, or says what is known of it. While
   * another request holds the key, waits (by notification or polling, the store's business) until
   * it finishes or `waitUntil`, whichever comes first.
   */
  claim(key: string, fingerprint: string, options: ClaimOptions): Promise<Claim>;
  /** The owner records what its create came to; waiting requests then replay it. */
  complete(key: string, token: string, outcome: IdempotentOutcome): Promise<void>;
  /**
   * The owner knows nothing was created (refused before sending, or refused by the Partner API):
   * the key is forgotten, so a repeat, corrected or not, creates afresh.
   */
  release(key: string, token: string): Promise<void>;
  /** A later request found the referral an uncertain create made: record it as created. */
  resolve(key: string, fingerprint: string, referralId: string): Promise<void>;
}

/** Records are kept this long after the key's first use (README "Creating referrals"). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
