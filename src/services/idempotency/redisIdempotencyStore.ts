/**
 * The idempotency store on Redis (idempotencyStore.ts; README "Shared state (Redis)"): every
 * replica sees the same records, so a repeat of a key is recognised whichever replica it reaches
 * and concurrent claims from different replicas yield exactly one owner (each step is one Lua
 * script, redisIdempotencyScripts.ts).
 *
 * - **Bounded** by Redis itself: a record's key expires 24 hours after the key's first use.
 * - **Waiting** for a claim in flight is polling, 25 ms doubling to 250 ms, within the caller's
 *   `waitUntil` and the claim's lease; a claim finished on this replica wakes its local waiters at
 *   once. (Keyspace notifications would need a second connection and a server setting; polling
 *   a handful of requests that repeat a key in the same second costs nothing.)
 * - **Redis unreachable or too slow** (`REDIS_COMMAND_TIMEOUT_MS` per call): `claim` throws
 *   `SharedStateUnavailableError` and the create is refused (`SHARED_STATE_UNAVAILABLE`) before
 *   anything is sent. There is no fallback to this replica's memory: a record only one replica
 *   knows would let a repeat reaching another replica POST a second time.
 * - **Redis failing after the POST was sent** (`complete`, `release` or `resolve` fails): the
 *   caller still gets what the Partner API answered (these never throw; the failure is logged).
 *   The record stays a claim in flight until its lease ends (the request deadline plus 5 s); after
 *   that every repeat finds it "uncertain" and looks for the referral instead of creating it: it
 *   never POSTs again. A failed `release` costs a correct repeat its key in the same way.
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../../state/redisConnection.ts';
import { SharedStateUnavailableError, sharedStateCause } from '../../state/sharedStateError.ts';
import {
  type Claim,
  type ClaimOptions,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyStore,
  type IdempotentOutcome,
} from './idempotencyStore.ts';
import { CLAIM, COMPLETE, RELEASE, RESOLVE } from './redisIdempotencyScripts.ts';

export interface RedisIdempotencyStoreOptions {
  /** Default 24 hours. */
  readonly ttlMs?: number;
  /** The clock (epoch ms); tests pass their own. */
  readonly now?: () => number;
}

/** First and longest pause between two looks at a claim in flight. */
const POLL_FIRST_MS = 25;
const POLL_MAX_MS = 250;

export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: RedisConnection;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #waiters = new Map<string, Set<() => void>>();

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
      const now = this.#now();
      const token = randomUUID();
      let reply: unknown;
      try {
        reply = await this.#redis.run(CLAIM, this.#key(key), [
          fingerprint,
          token,
          now,
          now + options.leaseMs,
          now + this.#ttlMs,
          this.#ttlMs,
        ]);
      } catch (error) {
        this.#forget(key, token);
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
      const until = Math.min(options.waitUntil, Number(first));
      if (!(until > now) || options.signal?.aborted) return { kind: 'inProgress' };
      await this.#changed(key, Math.min(pause, until - now), options.signal);
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
    this.#notify(key);
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
    this.#notify(key);
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
    this.#notify(key);
  }

  /**
   * A claim that timed out may still run once Redis answers again (a command sent is not taken
   * back), leaving a claim in flight that nobody owns: repeats would wait for it, then find the
   * key "uncertain" for good, though this request sent nothing. A release with its token, sent
   * behind it on the same connection (whole, not by SHA: its answer may come too late to follow
   * up a NOSCRIPT), runs after it and forgets it; where the claim never ran, the release finds
   * nothing of its own and does nothing.
   */
  #forget(key: string, token: string): void {
    this.#redis.runWhole(RELEASE, this.#key(key), [token]).catch(() => undefined);
  }

  #key(key: string): string {
    return this.#redis.key('idempotency', key);
  }

  /** Resolves when this replica finishes `key`, after `ms`, or on abort, whichever comes first. */
  #changed(key: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(key);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(key, waiters);
      }
      const set = waiters;
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0 && this.#waiters.get(key) === set) this.#waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  #notify(key: string): void {
    const waiters = this.#waiters.get(key);
    if (waiters === undefined) return;
    for (const wake of [...waiters]) wake();
  }
}

/** A recorded outcome; anything unreadable counts as uncertain, which never creates again. */
function outcomeOf(kind: unknown, value: unknown): IdempotentOutcome {
  if (kind === 'created' && typeof value === 'string' && value !== '')
    return { kind: 'created', referralId: value };
  const since = Number(value);
  return { kind: 'uncertain', since: Number.isFinite(since) ? since : 0 };
}
