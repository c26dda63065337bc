/**
 * The idempotency store on Redis (src/services/idempotency/idempotencyStore.ts, whose interface it
 * implements; README "Shared state (Redis)"): every replica sees the same records, so a repeat of
 * a key is recognised whichever replica it reaches and concurrent claims from different replicas
 * yield exactly one owner (each step is one Lua script, redisIdempotencyScripts.ts). Leases and
 * expiry are judged by Redis's clock, never a replica's.
 *
 * - **Bounded** by Redis itself: a record's key expires 24 hours after the key's first use.
 * - **Waiting** for a claim in flight is polling, 25 ms doubling to 250 ms, within the caller's
 *   `waitUntil` and the claim's lease; a claim finished on this replica wakes its local waiters at
 *   once (keyWaiters.ts). (Keyspace notifications would need a second connection and a server
 *   setting; polling a handful of requests that repeat a key in the same second costs nothing.)
 * - **Redis unreachable or too slow** (`REDIS_COMMAND_TIMEOUT_MS` per call): `claim` throws
 *   `SharedStateUnavailableError` and the create is refused (`SHARED_STATE_UNAVAILABLE`) before
 *   anything is sent. A request whose signal aborts (its deadline, its client gone) stops at once,
 *   in the middle of a call too, and gets `inProgress`, as when it gives up waiting. There is no fallback to this
 *   replica's memory: a record only one replica knows would let a repeat reaching another replica
 *   POST a second time.
 * - **A claim that failed but may still run** (written, its answer late or lost) is released with
 *   its token, until Redis answers the release (`#forget`), so that it does not hold the key.
 * - **Redis failing after the POST was sent** (`complete`, `release` or `resolve` fails): the
 *   caller still gets what the Partner API answered (these never throw; the failure is logged).
 *   The record stays a claim in flight until its lease ends (the request deadline plus 5 s); after
 *   that every repeat finds it "uncertain" and looks for the referral instead of creating it: it
 *   never POSTs again. A failed `release` costs a correct repeat its key in the same way.
 */
import { randomUUID } from 'node:crypto';
import {
  type Claim,
  type ClaimOptions,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyStore,
  type IdempotentOutcome,
} from '../services/idempotency/idempotencyStore.ts';
import { KeyWaiters } from '../services/idempotency/keyWaiters.ts';
import type { RedisConnection } from './redisConnection.ts';
import { CLAIM, COMPLETE, RELEASE, RESOLVE } from './redisIdempotencyScripts.ts';
import {
  isSharedStateUnavailable,
  SharedStateUnavailableError,
  sharedStateCause,
} from './sharedStateError.ts';

export interface RedisIdempotencyStoreOptions {
  /** How long a record lives from its key's first use; default 24 hours (tests pass less). */
  readonly ttlMs?: number;
  /**
   * The clock `ClaimOptions.waitUntil` is read against (epoch ms; the caller's own). Leases and
   * expiry never use it: they are Redis's clock.
   */
  readonly now?: () => number;
}

/** First and longest pause between two looks at a claim in flight. */
const POLL_FIRST_MS = 25;
const POLL_MAX_MS = 250;

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: RedisConnection;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #waiters = new KeyWaiters();

  constructor(redis: RedisConnection, options: RedisIdempotencyStoreOptions = {}) {
    this.#redis = redis;
    this.#ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  async claim(key: string, fingerprint: string, options: ClaimOptions): Promise<Claim> {
    try {
      return await this.#claim(key, fingerprint, options);
    } catch (error) {
      this.#redis.warn('idempotency records on Redis unavailable; refusing creates with an idempotencyKey', {
        error: sharedStateCause(error),
      });
      throw error;
    }
  }

  async #claim(key: string, fingerprint: string, options: ClaimOptions): Promise<Claim> {
    let pause = POLL_FIRST_MS;
    for (;;) {
      const token = randomUUID();
      let reply: unknown;
      try {
        reply = await this.#redis.run(
          CLAIM,
          this.#key(key),
          [fingerprint, token, options.leaseMs, this.#ttlMs],
          {
            signal: options.signal,
          },
        );
      } catch (error) {
        if (!isSharedStateUnavailable(error) || error.mayHaveRun) this.#forget(key, token);
        // The request is over (deadline, client gone): it gives up as while waiting.
        if (options.signal?.aborted) return { kind: 'inProgress' };
        throw error;
      }
      const [kind, first, second] = Array.isArray(reply) ? (reply as unknown[]) : [];
      switch (kind) {
        case 'owner':
          return { kind: 'owner', token };
        case 'mismatch':
          return { kind: 'mismatch' };
        case 'replay':
          return { kind: 'replay', outcome: outcomeOf(first, second) };
        case 'wait':
          break;
        default:
          throw new SharedStateUnavailableError('idempotency claim: unexpected reply');
      }
      // The lease's end as Redis counts it, on the caller's clock.
      const now = this.#now();
      const until = Math.min(options.waitUntil, now + Number(first));
      if (!(until > now) || options.signal?.aborted) return { kind: 'inProgress' };
      await this.#waiters.changed(key, Math.min(pause, until - now), options.signal);
      pause = Math.min(pause * 2, POLL_MAX_MS);
    }
  }

  async complete(key: string, token: string, outcome: IdempotentOutcome): Promise<void> {
    const [kind, value] =
      outcome.kind === 'created' ? ['created', outcome.referralId] : ['uncertain', String(outcome.since)];
    try {
      await this.#redis.run(COMPLETE, this.#key(key), [token, kind, value]);
    } catch (error) {
      this.#redis.logger.error(
        {
          error: sharedStateCause(error),
          outcome: kind,
          ...(outcome.kind === 'created' ? { referralId: value } : {}),
        },
        "could not record a create's outcome on Redis; repeats of its key will wait, then look for it, never create it again",
      );
      return;
    }
    this.#waiters.notify(key);
  }

  async release(key: string, token: string): Promise<void> {
    try {
      await this.#redis.run(RELEASE, this.#key(key), [token]);
    } catch (error) {
      this.#redis.logger.warn(
        { error: sharedStateCause(error) },
        'could not release an idempotency key on Redis (nothing was created); repeats of it will answer as uncertain',
      );
      return;
    }
    this.#waiters.notify(key);
  }

  async resolve(key: string, fingerprint: string, referralId: string): Promise<void> {
    try {
      await this.#redis.run(RESOLVE, this.#key(key), [fingerprint, referralId]);
    } catch (error) {
      this.#redis.warn(
        'could not record on Redis that an uncertain create was found; repeats will look again',
        {
          error: sharedStateCause(error),
        },
      );
      return;
    }
    this.#waiters.notify(key);
  }

  /**
   * A claim that failed after it was written may still run once Redis gets to it (a command sent
   * is not taken back), leaving a claim in flight that nobody owns: repeats would wait for it,
   * then find the key "uncertain" for 24 hours, though this request sent nothing. So it is
   * released with its token: sent at once, behind the claim when the connection still stands, and
   * when that gets no answer (the connection is down, or Redis still does not answer) kept and
   * sent again once the connection is ready again, until Redis answers it (for the record's
   * lifetime; at most 1,000 kept, redisConnection.ts). Repeating it is harmless: only this claim
   * has its token, and a release finds nothing where the claim never ran.
   *
   * What remains: a claim written on a connection that then died runs only if Redis reads it
   * before it notices the close, normally long before the next connection is ready to carry the
   * release; should it come later still (its packets held up in the network past the reconnect),
   * it lapses into "uncertain" after its lease.
   */
  #forget(key: string, token: string): void {
    this.#redis.runUntilAnswered(token, RELEASE, this.#key(key), [token], Date.now() + this.#ttlMs);
  }

  #key(key: string): string {
    return this.#redis.key('idempotency', key);
  }
}

/** A recorded outcome; anything unreadable counts as uncertain, which never creates again. */
function outcomeOf(kind: unknown, value: unknown): IdempotentOutcome {
  if (kind === 'created' && typeof value === 'string' && value !== '')
    return { kind: 'created', referralId: value };
  const since = Number(value);
  return { kind: 'uncertain', since: Number.isFinite(since) ? since : 0 };
}
