/**
 * The idempotency store of one process (idempotencyStore.ts): a Map in insertion order, so the
 * oldest record is always first. Bounded twice: a record lives 24 hours from its key's first use
 * (`ttlMs`), and once more than `maxRecords` are held the oldest finished ones go first. Records
 * of creates still in flight are never evicted (evicting one would let a waiting repeat POST
 * again); their number is bounded by the requests in flight, i.e. by the connections.
 *
 * The oldest records are found by iterating the Map from its front, and V8 leaves a deleted
 * entry's slot in place until the table is rebuilt: a walk from the front passes every slot
 * deleted since (thousands, at 10,000 records). So no walk starts on every insert: expired records
 * are looked for only once the oldest may have expired, and past `maxRecords` the oldest finished
 * records go 1 % at a time (measured at 10,000 records: 12–17 µs per create against 2–6 when one
 * went per insert).
 *
 * A request waiting for another that holds the same key is woken when that one finishes
 * (keyWaiters.ts), or gives up at its own bound; the store shared by replicas
 * (src/state/redisIdempotencyStore.ts) also polls.
 */
import { randomUUID } from 'node:crypto';
import {
  type Claim,
  type ClaimOptions,
  IDEMPOTENCY_TTL_MS,
  type IdempotencyStore,
  type IdempotentOutcome,
} from './idempotencyStore.ts';
import { KeyWaiters } from './keyWaiters.ts';

export interface MemoryIdempotencyStoreOptions {
  /** Finished records kept at most (`IDEMPOTENCY_MAX_RECORDS`). */
  readonly maxRecords: number;
  /** Default 24 hours. */
  readonly ttlMs?: number;
  /** The clock (epoch ms); tests pass their own. */
  readonly now?: () => number;
}

type Entry =
  | {
      state: 'pending';
      readonly fingerprint: string;
      readonly token: string;
      readonly startedAt: number;
      readonly leaseUntil: number;
      readonly expiresAt: number;
    }
  | {
      state: 'done';
      readonly fingerprint: string;
      /** The claim that made it, so its owner can still complete it after its lease ran out. */
      readonly token: string;
      readonly outcome: IdempotentOutcome;
      readonly expiresAt: number;
    };

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  readonly #waiters = new KeyWaiters();
  readonly #maxRecords: number;
  /** Past `maxRecords`, finished records are dropped until this many are held, before the insert. */
  readonly #evictTo: number;
  readonly #ttlMs: number;
  /** No record expires before this (a lower bound: deletions only make the oldest younger). */
  #oldestExpiresAt = Number.POSITIVE_INFINITY;
  readonly #now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions) {
    if (!Number.isInteger(options.maxRecords) || options.maxRecords < 1) {
      throw new RangeError('maxRecords must be a positive integer');
    }
    this.#maxRecords = options.maxRecords;
    this.#evictTo = options.maxRecords - Math.max(1, Math.floor(options.maxRecords / 100));
    this.#ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Records held now, in flight or finished. */
  get size(): number {
    return this.#entries.size;
  }

  async claim(key: string, fingerprint: string, options: ClaimOptions): Promise<Claim> {
    for (;;) {
      const now = this.#now();
      const entry = this.#live(key, now);
      if (entry === undefined) {
        const token = randomUUID();
        this.#insert(key, now, {
          state: 'pending',
          fingerprint,
          token,
          startedAt: now,
          leaseUntil: now + options.leaseMs,
          expiresAt: now + this.#ttlMs,
        });
        return { kind: 'owner', token };
      }
      if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (entry.state === 'done') return { kind: 'replay', outcome: entry.outcome };
      if (entry.leaseUntil <= now) {
        // Its owner never finished: it may have sent the POST. Never hand the key out to POST again.
        const outcome: IdempotentOutcome = { kind: 'uncertain', since: entry.startedAt };
        this.#entries.set(key, { ...entry, state: 'done', outcome });
        return { kind: 'replay', outcome };
      }
      const until = Math.min(options.waitUntil, entry.leaseUntil);
      if (until <= now || options.signal?.aborted) return { kind: 'inProgress' };
      await this.#waiters.changed(key, until - now, options.signal);
    }
  }

  async complete(key: string, token: string, outcome: IdempotentOutcome): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.token !== token) return;
    this.#entries.set(key, {
      state: 'done',
      fingerprint: entry.fingerprint,
      token,
      outcome,
      expiresAt: entry.expiresAt,
    });
    this.#waiters.notify(key);
  }

  async release(key: string, token: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.token !== token || entry.state !== 'pending') return;
    this.#entries.delete(key);
    this.#waiters.notify(key);
  }

  async resolve(key: string, fingerprint: string, referralId: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry?.state !== 'done' || entry.fingerprint !== fingerprint || entry.outcome.kind !== 'uncertain') {
      return;
    }
    this.#entries.set(key, { ...entry, outcome: { kind: 'created', referralId } });
    this.#waiters.notify(key);
  }

  /** The entry for `key` unless it expired (then it is dropped). */
  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #insert(key: string, now: number, entry: Entry): void {
    this.#dropExpired(now);
    if (this.#entries.size >= this.#maxRecords) {
      for (const [oldKey, old] of this.#entries) {
        if (this.#entries.size <= this.#evictTo) break;
        if (old.state === 'done') this.#entries.delete(oldKey);
      }
    }
    this.#entries.set(key, entry);
    this.#oldestExpiresAt = Math.min(this.#oldestExpiresAt, entry.expiresAt);
  }

  /** Records expire in insertion order (one TTL for all), so only the front needs looking at. */
  #dropExpired(now: number): void {
    if (now < this.#oldestExpiresAt) return;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) {
        this.#oldestExpiresAt = entry.expiresAt;
        return;
      }
      this.#entries.delete(key);
    }
    this.#oldestExpiresAt = Number.POSITIVE_INFINITY;
  }
}
