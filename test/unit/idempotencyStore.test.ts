/**
 * The in-memory idempotency store: one owner per key, repeats replay, other inputs are refused,
 * waiting repeats wake when the owner finishes, abandoned claims never free a key to POST again,
 * and the store stays bounded (24 h TTL, at most `maxRecords` finished records).
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { callerIdentity, idempotencyScope } from '../../src/services/idempotency/callerScope.ts';
import { canonicalJson, fingerprint } from '../../src/services/idempotency/fingerprint.ts';
import type { Claim } from '../../src/services/idempotency/idempotencyStore.ts';
import { MemoryIdempotencyStore } from '../../src/services/idempotency/memoryIdempotencyStore.ts';

const HOUR = 60 * 60 * 1000;

/** Claim options that do not wait. */
const noWait = (now = Date.now()) => ({ leaseMs: 60_000, waitUntil: now });

function owner(claim: Claim): string {
  if (claim.kind !== 'owner') throw new Error(`expected to own the key, got ${claim.kind}`);
  return claim.token;
}

describe('claiming a key', () => {
  test('the first claim owns the key; after it completes, a repeat replays the outcome', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 10 });
    const token = owner(await store.claim('k', 'f1', noWait()));
    await store.complete('k', token, { kind: 'created', referralId: 'r-1' });
    expect(await store.claim('k', 'f1', noWait())).toEqual({
      kind: 'replay',
      outcome: { kind: 'created', referralId: 'r-1' },
    });
  });

  test('the same key with another fingerprint is a mismatch, in flight or done', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 10 });
    const token = owner(await store.claim('k', 'f1', noWait()));
    expect(await store.claim('k', 'f2', noWait())).toEqual({ kind: 'mismatch' });
    await store.complete('k', token, { kind: 'created', referralId: 'r-1' });
    expect(await store.claim('k', 'f2', noWait())).toEqual({ kind: 'mismatch' });
  });

  test('a repeat while the first is in flight waits for it, then replays its outcome', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 10 });
    const token = owner(await store.claim('k', 'f', noWait()));
    const waiting = store.claim('k', 'f', { leaseMs: 60_000, waitUntil: Date.now() + 10_000 });
    await store.complete('k', token, { kind: 'created', referralId: 'r-1' });
    expect(await waiting).toEqual({ kind: 'replay', outcome: { kind: 'created', referralId: 'r-1' } });
  });

  test('a repeat whose wait runs out while the first is still in flight is told so', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 10 });
    owner(await store.claim('k', 'f', noWait()));
    expect(await store.claim('k', 'f', { leaseMs: 60_000, waitUntil: Date.now() + 20 })).toEqual({
      kind: 'inProgress',
    });
  });

  test('a repeat stops waiting when its request is aborted', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 10 });
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
    const store = new MemoryIdempotencyStore({ maxRecords: 10 });
    const token = owner(await store.claim('k', 'f', noWait()));
    const waiting = store.claim('k', 'f', { leaseMs: 60_000, waitUntil: Date.now() + 10_000 });
    await store.release('k', token);
    expect((await waiting).kind).toBe('owner');
  });

  test('only the owner can complete or release; a stranger token changes nothing', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 10 });
    owner(await store.claim('k', 'f', noWait()));
    await store.complete('k', 'not-the-token', { kind: 'created', referralId: 'forged' });
    await store.release('k', 'not-the-token');
    expect(await store.claim('k', 'f', noWait())).toEqual({ kind: 'inProgress' });
  });
});

describe('a create whose fate is unknown', () => {
  test('an uncertain outcome replays as uncertain until a later look resolves it', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 10 });
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
    let now = 1_000_000;
    const store = new MemoryIdempotencyStore({ maxRecords: 10, now: () => now });
    const token = owner(await store.claim('k', 'f', { leaseMs: 5_000, waitUntil: now }));
    now += 5_000;
    expect(await store.claim('k', 'f', { leaseMs: 5_000, waitUntil: now })).toEqual({
      kind: 'replay',
      outcome: { kind: 'uncertain', since: 1_000_000 },
    });
    // Should the owner still finish, what it learned is kept.
    await store.complete('k', token, { kind: 'created', referralId: 'r-late' });
    expect(await store.claim('k', 'f', { leaseMs: 5_000, waitUntil: now })).toMatchObject({
      outcome: { kind: 'created', referralId: 'r-late' },
    });
  });
});

describe('bounded', () => {
  test('a record lives 24 hours from the first use of its key', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ maxRecords: 10, now: () => now });
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
          const store = new MemoryIdempotencyStore({ maxRecords: 100 });
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
    );
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
});
