/**
 * The idempotency stores, in memory and on Redis, pass one suite: one owner per key, repeats
 * replay, other inputs are refused, waiting repeats wake when the owner finishes, abandoned claims
 * never free a key to POST again, and records lapse a TTL after the key's first use. Then what
 * only one of them has: the memory store's record cap and exact 24 hours; on Redis, two replicas
 * racing for one key, leases judged by Redis's clock whatever a replica's says, the key's expiry in
 * Redis, and a Redis that cannot be reached.
 *
 * Time: the memory store takes a clock the test moves; the Redis store reads Redis's clock
 * (`TIME`), so its time-bound cases use short leases and TTLs and really wait them out.
 *
 * The Redis store runs against the machine's Redis on 127.0.0.1:6379 under a key prefix of this
 * run only, deleted afterwards (SCAN + DEL of that prefix; never a flush).
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log/logger.ts';
import { callerIdentity, idempotencyScope } from '../../src/services/idempotency/callerScope.ts';
import { canonicalJson, fingerprint } from '../../src/services/idempotency/fingerprint.ts';
import type {
  Claim,
  ClaimOptions,
  IdempotencyStore,
  IdempotentOutcome,
} from '../../src/services/idempotency/idempotencyStore.ts';
import { MemoryIdempotencyStore } from '../../src/services/idempotency/memoryIdempotencyStore.ts';
import { RedisConnection } from '../../src/state/redisConnection.ts';
import { RedisIdempotencyStore } from '../../src/state/redisIdempotencyStore.ts';
import { isSharedStateUnavailable } from '../../src/state/sharedStateError.ts';
import { freePort } from '../helpers/ports.ts';
import { deleteKeys, SHARED_REDIS_URL } from '../helpers/redis.ts';

const HOUR = 60 * 60 * 1000;
/** This run's keys on the shared Redis. */
const PREFIX = `test:idempotency:${randomUUID()}:`;

/** Claim options that do not wait. */
const noWait = (now = Date.now()) => ({ leaseMs: 60_000, waitUntil: now });

function owner(claim: Claim): string {
  if (claim.kind !== 'owner') throw new Error(`expected to own the key, got ${claim.kind}`);
  return claim.token;
}

/** A store under test; each call gives one that shares no key with the others. */
type MakeStore = () => IdempotencyStore;

/** A store with a clock the test can move on: leases and TTLs of `leaseMs` and `ttlMs`. */
interface TimedStore {
  readonly store: IdempotencyStore;
  readonly leaseMs: number;
  readonly ttlMs: number;
  /** Epoch ms on the store's clock. */
  now(): number;
  /** Moves the store's clock on by at least `ms`. */
  elapse(ms: number): Promise<void>;
}
type MakeTimedStore = () => TimedStore;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const connections: RedisConnection[] = [];

function redisConnection(url = SHARED_REDIS_URL, commandTimeoutMs = 2_000): RedisConnection {
  const connection = new RedisConnection(
    { url, keyPrefix: PREFIX, commandTimeoutMs, connectTimeoutMs: 2_000 },
    createLogger('silent'),
  );
  connections.push(connection);
  return connection;
}

const shared = redisConnection();
const connected = shared.connect();

afterAll(async () => {
  await deleteKeys(SHARED_REDIS_URL, PREFIX);
  await Promise.all(connections.map((connection) => connection.close()));
});

/** The same store under another key namespace, so that each test (and property run) starts empty. */
function namespaced(store: IdempotencyStore, namespace: string): IdempotencyStore {
  const scoped = (key: string) => `${namespace}:${key}`;
  return {
    claim: (key: string, fp: string, options: ClaimOptions) => store.claim(scoped(key), fp, options),
    complete: (key: string, token: string, outcome: IdempotentOutcome) =>
      store.complete(scoped(key), token, outcome),
    release: (key: string, token: string) => store.release(scoped(key), token),
    resolve: (key: string, fp: string, referralId: string) => store.resolve(scoped(key), fp, referralId),
  };
}

function memoryTimed(): TimedStore {
  let now = 1_000_000;
  return {
    store: new MemoryIdempotencyStore({ maxRecords: 1000, now: () => now }),
    leaseMs: 5_000,
    ttlMs: 24 * HOUR,
    now: () => now,
    elapse: async (ms) => {
      now += ms;
    },
  };
}

/**
 * Redis's clock is this machine's, as Date.now() reads it; waiting `ms` after an answer puts
 * Redis's next `TIME` at least `ms` after the one the answer was made with (plus 5 ms for
 * rounding to whole milliseconds).
 */
function redisTimed(): TimedStore {
  const ttlMs = 1_000;
  return {
    store: namespaced(new RedisIdempotencyStore(shared, { ttlMs }), randomUUID()),
    leaseMs: 200,
    ttlMs,
    now: Date.now,
    elapse: (ms) => sleep(ms + 5),
  };
}

const STORES: readonly (readonly [string, MakeStore, MakeTimedStore])[] = [
  ['in memory', () => new MemoryIdempotencyStore({ maxRecords: 1000 }), memoryTimed],
  ['on Redis', () => namespaced(new RedisIdempotencyStore(shared), randomUUID()), redisTimed],
];

describe.each(STORES)('the idempotency store %s', (_name, makeStore, makeTimedStore) => {
  test('the first claim owns the key; after it completes, a repeat replays the outcome', async () => {
    await connected;
    const store = makeStore();
    const token = owner(await store.claim('k', 'f1', noWait()));
    await store.complete('k', token, { kind: 'created', referralId: 'r-1' });
    expect(await store.claim('k', 'f1', noWait())).toEqual({
      kind: 'replay',
      outcome: { kind: 'created', referralId: 'r-1' },
    });
  });

  test('the same key with another fingerprint is a mismatch, in flight or done', async () => {
    const store = makeStore();
    const token = owner(await store.claim('k', 'f1', noWait()));
    expect(await store.claim('k', 'f2', noWait())).toEqual({ kind: 'mismatch' });
    await store.complete('k', token, { kind: 'created', referralId: 'r-1' });
    expect(await store.claim('k', 'f2', noWait())).toEqual({ kind: 'mismatch' });
  });

  test('a repeat while the first is in flight waits for it, then replays its outcome', async () => {
    const store = makeStore();
    const token = owner(await store.claim('k', 'f', noWait()));
    const waiting = store.claim('k', 'f', { leaseMs: 60_000, waitUntil: Date.now() + 10_000 });
    await store.complete('k', token, { kind: 'created', referralId: 'r-1' });
    expect(await waiting).toEqual({ kind: 'replay', outcome: { kind: 'created', referralId: 'r-1' } });
  });

  test('a repeat whose wait runs out while the first is still in flight is told so', async () => {
    const store = makeStore();
    owner(await store.claim('k', 'f', noWait()));
    expect(await store.claim('k', 'f', { leaseMs: 60_000, waitUntil: Date.now() + 20 })).toEqual({
      kind: 'inProgress',
    });
  });

  test('a repeat stops waiting when its request is aborted', async () => {
    const store = makeStore();
    owner(await store.claim('k', 'f', noWait()));
    const abort = new AbortController();
    const waiting = store.claim('k', 'f', {
      leaseMs: 60_000,
      waitUntil: Date.now() + 60_000,
      signal: abort.signal,
    });
    abort.abort();
    expect(await waiting).toEqual({ kind: 'inProgress' });
  });

  test('a released key is free again: a waiting repeat becomes its owner', async () => {
    const store = makeStore();
    const token = owner(await store.claim('k', 'f', noWait()));
    const waiting = store.claim('k', 'f', { leaseMs: 60_000, waitUntil: Date.now() + 10_000 });
    await store.release('k', token);
    expect((await waiting).kind).toBe('owner');
  });

  test('only the owner can complete or release; a stranger token changes nothing', async () => {
    const store = makeStore();
    owner(await store.claim('k', 'f', noWait()));
    await store.complete('k', 'not-the-token', { kind: 'created', referralId: 'forged' });
    await store.release('k', 'not-the-token');
    expect(await store.claim('k', 'f', noWait())).toEqual({ kind: 'inProgress' });
  });

  test('an uncertain outcome replays as uncertain until a later look resolves it', async () => {
    const store = makeStore();
    const token = owner(await store.claim('k', 'f', noWait()));
    await store.complete('k', token, { kind: 'uncertain', since: 1234 });
    expect(await store.claim('k', 'f', noWait())).toEqual({
      kind: 'replay',
      outcome: { kind: 'uncertain', since: 1234 },
    });

    await store.resolve('k', 'other-fingerprint', 'r-x');
    expect(await store.claim('k', 'f', noWait())).toMatchObject({ outcome: { kind: 'uncertain' } });
    await store.resolve('k', 'f', 'r-9');
    expect(await store.claim('k', 'f', noWait())).toEqual({
      kind: 'replay',
      outcome: { kind: 'created', referralId: 'r-9' },
    });
  });

  test('an owner that never finishes loses the key to "uncertain", never to a new POST', async () => {
    const { store, leaseMs, now, elapse } = makeTimedStore();
    const claimedFrom = now();
    const token = owner(await store.claim('k', 'f', { leaseMs, waitUntil: now() }));
    const claimedBy = now();
    await elapse(leaseMs);
    const lapsed = await store.claim('k', 'f', { leaseMs, waitUntil: now() });
    expect(lapsed).toEqual({ kind: 'replay', outcome: { kind: 'uncertain', since: expect.any(Number) } });
    // "Uncertain since" is when the claim was taken.
    const since = lapsed.kind === 'replay' && lapsed.outcome.kind === 'uncertain' ? lapsed.outcome.since : 0;
    expect(since).toBeGreaterThanOrEqual(claimedFrom);
    expect(since).toBeLessThanOrEqual(claimedBy);
    // Should the owner still finish, what it learned is kept.
    await store.complete('k', token, { kind: 'created', referralId: 'r-late' });
    expect(await store.claim('k', 'f', { leaseMs, waitUntil: now() })).toMatchObject({
      outcome: { kind: 'created', referralId: 'r-late' },
    });
  });

  test('a record lapses its TTL after the first use of its key', async () => {
    const { store, ttlMs, now, elapse } = makeTimedStore();
    const token = owner(await store.claim('k', 'f', noWait(now())));
    await store.complete('k', token, { kind: 'created', referralId: 'r-1' });
    expect((await store.claim('k', 'f', noWait(now()))).kind).toBe('replay');
    await elapse(ttlMs);
    expect((await store.claim('k', 'f', noWait(now()))).kind).toBe('owner');
  });

  test('property: however claims, completions and releases interleave, a live key has at most one owner', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom('claim', 'complete', 'release'),
            key: fc.constantFrom('a', 'b', 'c'),
            fp: fc.constantFrom('f1', 'f2'),
          }),
          { maxLength: 60 },
        ),
        async (ops) => {
          const store = makeStore();
          const owners = new Map<string, string>();
          const done = new Set<string>();
          for (const { op, key, fp } of ops) {
            if (op === 'claim') {
              const claim = await store.claim(key, fp, noWait());
              if (claim.kind === 'owner') {
                // Owning a key someone holds or finished would allow a second POST.
                expect(owners.has(key) || done.has(key)).toBe(false);
                owners.set(key, claim.token);
              }
            } else {
              const token = owners.get(key);
              if (token === undefined) continue;
              owners.delete(key);
              if (op === 'complete') {
                await store.complete(key, token, { kind: 'uncertain', since: 0 });
                done.add(key);
              } else {
                await store.release(key, token);
              }
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('only in memory: at most maxRecords finished records; exactly 24 hours', () => {
  test('a record lives 24 hours from the first use of its key, to the millisecond', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ maxRecords: 1000, now: () => now });
    const token = owner(await store.claim('k', 'f', noWait(now)));
    await store.complete('k', token, { kind: 'created', referralId: 'r-1' });
    now = 24 * HOUR - 1;
    expect((await store.claim('k', 'f', noWait(now))).kind).toBe('replay');
    now = 24 * HOUR;
    expect((await store.claim('k', 'f', noWait(now))).kind).toBe('owner');
  });

  test('past maxRecords the oldest finished records go first; records in flight stay', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 3 });
    const inFlight = owner(await store.claim('in-flight', 'f', noWait()));
    for (const key of ['a', 'b', 'c', 'd']) {
      const token = owner(await store.claim(key, 'f', noWait()));
      await store.complete(key, token, { kind: 'created', referralId: key });
    }
    expect(store.size).toBe(3);
    expect(await store.claim('in-flight', 'f', noWait())).toEqual({ kind: 'inProgress' });
    expect((await store.claim('a', 'f', noWait())).kind).toBe('owner');
    expect(await store.claim('d', 'f', noWait())).toMatchObject({ outcome: { referralId: 'd' } });
    await store.release('in-flight', inFlight);
  });

  test('past maxRecords the oldest finished records go 1 % at a time, never more', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 1000 });
    const finish = async (key: string) => {
      const token = owner(await store.claim(key, 'f', noWait()));
      await store.complete(key, token, { kind: 'created', referralId: key });
    };
    for (let i = 0; i < 1000; i += 1) await finish(`k${i}`);
    expect(store.size).toBe(1000);
    await finish('k1000');
    // k0…k9 went to make room: 990 kept, then the new one.
    expect(store.size).toBe(991);
    for (let i = 1001; i < 1010; i += 1) await finish(`k${i}`);
    expect(store.size).toBe(1000);
    expect(await store.claim('k10', 'f', noWait())).toMatchObject({ outcome: { referralId: 'k10' } });
    expect((await store.claim('k9', 'f', noWait())).kind).toBe('owner');
    // That claim of k9 was the 1,001st record: k10…k19 went (k9 is new and in flight).
    expect(store.size).toBe(991);
    expect((await store.claim('k19', 'f', noWait())).kind).toBe('owner');
    expect(await store.claim('k20', 'f', noWait())).toMatchObject({ outcome: { referralId: 'k20' } });
  });

  test('a record expires on time though an older one was deleted before it', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ maxRecords: 1000, now: () => now });
    const first = owner(await store.claim('first', 'f', noWait(now)));
    await store.release('first', first);
    now = HOUR;
    const token = owner(await store.claim('second', 'f', noWait(now)));
    await store.complete('second', token, { kind: 'created', referralId: 'r-2' });
    now = 24 * HOUR;
    owner(await store.claim('third', 'f', noWait(now)));
    expect(store.size).toBe(2);
    now = 25 * HOUR - 1;
    expect((await store.claim('second', 'f', noWait(now))).kind).toBe('replay');
    now = 25 * HOUR;
    owner(await store.claim('fourth', 'f', noWait(now)));
    // second expired at 25 h and was dropped; third (from 24 h) and fourth remain.
    expect(store.size).toBe(2);
    expect((await store.claim('second', 'f', noWait(now))).kind).toBe('owner');
  });

  test('expired records are dropped as new ones arrive', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ maxRecords: 1000, now: () => now });
    for (let i = 0; i < 100; i += 1) {
      const token = owner(await store.claim(`k${i}`, 'f', noWait(now)));
      await store.complete(`k${i}`, token, { kind: 'created', referralId: String(i) });
    }
    now = 25 * HOUR;
    owner(await store.claim('fresh', 'f', noWait(now)));
    expect(store.size).toBe(1);
  });
});

describe('only on Redis: replicas, expiry, outages', () => {
  test('two replicas, 20 concurrent claims of one key: exactly one owner; the others wait and replay its outcome', async () => {
    await connected;
    const other = redisConnection();
    await other.connect();
    const replicas = [new RedisIdempotencyStore(shared), new RedisIdempotencyStore(other)];
    const key = `race-${randomUUID()}`;
    const waitUntil = Date.now() + 10_000;
    const claims = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const store = replicas[i % 2] as RedisIdempotencyStore;
        const claim = await store.claim(key, 'f', { leaseMs: 60_000, waitUntil });
        if (claim.kind === 'owner') {
          // The owner's create takes a moment; everyone else is waiting by then.
          await new Promise((resolve) => setTimeout(resolve, 100));
          await store.complete(key, claim.token, { kind: 'created', referralId: 'r-race' });
        }
        return claim;
      }),
    );
    expect(claims.filter((claim) => claim.kind === 'owner')).toHaveLength(1);
    expect(claims.filter((claim) => claim.kind === 'replay')).toEqual(
      Array.from({ length: 19 }, () => ({
        kind: 'replay',
        outcome: { kind: 'created', referralId: 'r-race' },
      })),
    );
  });

  test('concurrent repeats of an abandoned claim all become "uncertain"; none becomes an owner', async () => {
    await connected;
    const other = redisConnection();
    await other.connect();
    const stores = [new RedisIdempotencyStore(shared), new RedisIdempotencyStore(other)];
    const key = `abandoned-${randomUUID()}`;
    owner(
      await (stores[0] as RedisIdempotencyStore).claim(key, 'f', { leaseMs: 200, waitUntil: Date.now() }),
    );
    await sleep(205);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (stores[i % 2] as RedisIdempotencyStore).claim(key, 'f', { leaseMs: 200, waitUntil: Date.now() }),
      ),
    );
    const kinds = new Set(claims.map((claim) => JSON.stringify(claim)));
    expect(kinds.size).toBe(1);
    expect(claims[0]).toMatchObject({ kind: 'replay', outcome: { kind: 'uncertain' } });
  });

  test("a replica whose clock runs an hour ahead does not end another's lease early", async () => {
    await connected;
    const honest = new RedisIdempotencyStore(shared);
    const ahead = new RedisIdempotencyStore(shared, { now: () => Date.now() + HOUR });
    const key = `skew-${randomUUID()}`;
    const token = owner(await honest.claim(key, 'f', { leaseMs: 60_000, waitUntil: Date.now() }));
    // On its own clock the lease ended 59 minutes ago; on Redis's it holds: the repeat waits.
    expect(await ahead.claim(key, 'f', { leaseMs: 60_000, waitUntil: Date.now() + HOUR + 50 })).toEqual({
      kind: 'inProgress',
    });
    await honest.complete(key, token, { kind: 'created', referralId: 'r-1' });
    expect(await ahead.claim(key, 'f', { leaseMs: 60_000, waitUntil: Date.now() + HOUR })).toEqual({
      kind: 'replay',
      outcome: { kind: 'created', referralId: 'r-1' },
    });
  });

  test('Redis itself bounds the store: a record expires 24 hours after its key was first used', async () => {
    await connected;
    const store = new RedisIdempotencyStore(shared);
    const key = `ttl-${randomUUID()}`;
    const token = owner(await store.claim(key, 'f', noWait()));
    await store.complete(key, token, { kind: 'created', referralId: 'r-1' });
    const raw = new Redis(SHARED_REDIS_URL);
    try {
      const ttl = await raw.pttl(`${PREFIX}idempotency:${key}`);
      expect(ttl).toBeGreaterThan(23 * HOUR);
      expect(ttl).toBeLessThanOrEqual(24 * HOUR);
    } finally {
      raw.disconnect();
    }
  });

  test('Redis unreachable: a claim fails with SharedStateUnavailableError; completing, releasing and resolving never throw', async () => {
    const gone = redisConnection(`redis://127.0.0.1:${await freePort()}`, 300);
    expect(await gone.connect()).toBe(false);
    const store = new RedisIdempotencyStore(gone);
    const failure = await store.claim('k', 'f', noWait()).catch((error: unknown) => error);
    expect(isSharedStateUnavailable(failure)).toBe(true);
    // Never written, so there is no late claim to release.
    expect(gone.pendingReplays).toBe(0);
    await expect(store.complete('k', 't', { kind: 'created', referralId: 'r-1' })).resolves.toBeUndefined();
    await expect(store.release('k', 't')).resolves.toBeUndefined();
    await expect(store.resolve('k', 'f', 'r-1')).resolves.toBeUndefined();
  });
});

describe('keys are per caller', () => {
  const jwt = (claims: object) =>
    `Bearer e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  test('an Entra ID token names its tenant and object; any other token is named by its hash', () => {
    const who = { tid: 'T-1', oid: 'O-1' };
    expect(callerIdentity(jwt({ ...who, exp: 1 }))).toBe('entra:t-1:o-1');
    expect(callerIdentity(jwt({ ...who, exp: 2 }))).toBe(callerIdentity(jwt({ ...who, exp: 1 })));
    expect(callerIdentity('Bearer opaque-token')).toMatch(/^token:[0-9a-f]{64}$/);
    expect(callerIdentity('Bearer opaque-token')).not.toBe(callerIdentity('Bearer other-token'));
    // Claims that are not plain ids do not name anyone.
    expect(callerIdentity(jwt({ tid: 'T-1', oid: 'x:y' }))).toMatch(/^token:/);
    expect(callerIdentity(jwt({ tid: 'T-1' }))).toMatch(/^token:/);
  });

  test('property: two different callers never share a store key for the same idempotency key', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        (a, b, key) => {
          fc.pre(a.trim() !== b.trim() && !/\s/.test(a + b));
          expect(idempotencyScope(`Bearer ${a}`, key)).not.toBe(idempotencyScope(`Bearer ${b}`, key));
        },
      ),
    );
  });
});

describe('fingerprints', () => {
  test('property: key order never changes a fingerprint; any value change does', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
        expect(fingerprint('op', reversed)).toBe(fingerprint('op', value));
        expect(fingerprint('op', { ...value, __changed: true })).not.toBe(fingerprint('op', value));
        expect(fingerprint('other', value)).not.toBe(fingerprint('op', value));
      }),
    );
  });

  test('property: the canonical form is byte for byte the one records on Redis were keyed with before', () => {
    // The first form (#12), written plainly; a different byte would make every stored record's
    // repeat an IDEMPOTENCY_KEY_REUSED after an upgrade.
    const firstForm = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(firstForm).join(',')}]`;
      if (value !== null && typeof value === 'object') {
        const entries = Object.entries(value)
          .filter(([, item]) => item !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${firstForm(item)}`).join(',')}}`;
      }
      return JSON.stringify(value) ?? 'null';
    };
    const withUndefined = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.constant(undefined),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(fc.property(withUndefined, (value) => expect(canonicalJson(value)).toBe(firstForm(value))));
  });

  test('keys that are array indices, and a key __proto__, keep their place in code-unit order', () => {
    // JS iterates index-like keys numerically first: the canonical form must sort them anyway.
    expect(canonicalJson({ b: [{ '10': 1, '2': 2 }], a: { '1': true, x: null } })).toBe(
      '{"a":{"1":true,"x":null},"b":[{"10":1,"2":2}]}',
    );
    expect(canonicalJson(JSON.parse('{"z":0,"__proto__":{"b":1,"a":2}}'))).toBe(
      '{"__proto__":{"a":2,"b":1},"z":0}',
    );
    expect(canonicalJson([undefined, { u: undefined, v: 1 }])).toBe('[null,{"v":1}]');
  });

  test('property: fingerprints and store keys are the digests the object-based hash gave before', () => {
    // Records on Redis are keyed with them: a different digest after an upgrade would make every
    // repeat a mismatch or a new create. `fc.string` includes characters outside ASCII.
    const sha256 = (...parts: string[]) =>
      parts.reduce((h, part) => h.update(part), createHash('sha256')).digest('hex');
    fc.assert(
      fc.property(fc.string(), fc.jsonValue(), fc.string({ minLength: 1 }), (operation, value, key) => {
        expect(fingerprint(operation, value)).toBe(sha256(operation, '\n', canonicalJson(value)));
        const token = `opaque-${key.replace(/\s/g, '')}`;
        expect(idempotencyScope(`Bearer ${token}`, key)).toBe(sha256(`token:${sha256(token)}\n${key}`));
      }),
    );
  });
});
