/**
 * One Redis call under faults (README "Shared state (Redis)", src/state/redisConnection.ts), on a
 * `redis-server` of this test's own behind a TCP proxy that holds back what the gateway sends or
 * cuts its connection (test/helpers/tcpProxy.ts):
 *
 * - a call ends when the request's signal aborts, not at the (here long) command timeout;
 * - a script that must be sent again whole after NOSCRIPT shares the call's one time budget;
 * - a claim that failed after it was written is released, behind it on the same connection when
 *   that still stands, and otherwise once the connection is ready again, so the key is free
 *   (nothing was sent for it) instead of "uncertain" for 24 hours.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log/logger.ts';
import type { Claim } from '../../src/services/idempotency/idempotencyStore.ts';
import { RedisConnection } from '../../src/state/redisConnection.ts';
import { RedisIdempotencyStore } from '../../src/state/redisIdempotencyStore.ts';
import { isSharedStateUnavailable, sharedStateCause } from '../../src/state/sharedStateError.ts';
import { type OwnRedis, ownRedis } from '../helpers/redis.ts';
import { type HoldingProxy, holdingProxy, isCommand } from '../helpers/tcpProxy.ts';

const PREFIX = 'test:calls:';

let redis: OwnRedis;
let admin: Redis;
const opened: { connection: RedisConnection; proxy: HoldingProxy }[] = [];

beforeAll(async () => {
  redis = await ownRedis();
  await redis.start();
  admin = new Redis(redis.url);
}, 20_000);

afterAll(async () => {
  for (const { connection, proxy } of opened) {
    await connection.close();
    await proxy.close();
  }
  admin?.disconnect();
  await redis?.dispose();
});

/** A connection to this test's Redis through a proxy of its own. */
async function throughProxy(
  commandTimeoutMs: number,
): Promise<{ connection: RedisConnection; proxy: HoldingProxy }> {
  const proxy = await holdingProxy(redis.port);
  const connection = new RedisConnection(
    { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: PREFIX, commandTimeoutMs, connectTimeoutMs: 2_000 },
    createLogger('silent'),
  );
  opened.push({ connection, proxy });
  expect(await connection.connect()).toBe(true);
  return { connection, proxy };
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`still not so after 5 s: ${what}`);
}

const record = (key: string) => `${PREFIX}idempotency:${key}`;

/** How many scripts Redis has run by SHA and whole (`INFO commandstats`); only this file's. */
async function scriptsRun(): Promise<{ evalsha: number; eval: number }> {
  const stats = await admin.info('commandstats');
  const calls = (name: string) =>
    Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
  return { evalsha: calls('evalsha'), eval: calls('eval') };
}
const options = (signal?: AbortSignal) => ({ leaseMs: 60_000, waitUntil: Date.now(), signal });

function owner(claim: Claim): string {
  if (claim.kind !== 'owner') throw new Error(`expected to own the key, got ${claim.kind}`);
  return claim.token;
}

test("a claim ends when the request's signal aborts, mid-call; the claim it left behind is released behind it", async () => {
  const { connection, proxy } = await throughProxy(10_000);
  const store = new RedisIdempotencyStore(connection);
  const key = randomUUID();
  // Redis has the script, so the claim is one EVALSHA.
  owner(await store.claim(randomUUID(), 'f', options()));
  proxy.hold();
  const abort = new AbortController();
  const claim = store.claim(key, 'f', options(abort.signal));
  await until('the claim was written', () => proxy.heldBytes > 0);
  abort.abort();
  // It gives up as a request over its deadline does while waiting (the command timeout is 10 s).
  expect(await claim).toEqual({ kind: 'inProgress' });
  // Redis gets the claim late, and the release sent behind it on the same connection; a new
  // claim of the key, sent behind both, owns it.
  const before = await scriptsRun();
  proxy.release();
  owner(await store.claim(key, 'f', options()));
  expect(await scriptsRun()).toEqual({ evalsha: before.evalsha + 2, eval: before.eval + 1 });
}, 20_000);

test('EVALSHA answered NOSCRIPT, then EVAL: both within the one time budget of the call', async () => {
  const { connection, proxy } = await throughProxy(300);
  const store = new RedisIdempotencyStore(connection);
  const key = randomUUID();
  await admin.script('FLUSH');
  // EVALSHA passes (and is answered NOSCRIPT); the script sent whole is held back.
  proxy.hold(isCommand('eval'));
  const failure = await store.claim(key, 'f', options()).catch((error: unknown) => error);

  expect(isSharedStateUnavailable(failure)).toBe(true);
  // The call's budget ran out, not a fresh command timeout for the EVAL (ioredis's "Command timed out").
  expect(sharedStateCause(failure)).toBe('no answer within 300 ms');
  // The claim sent whole runs late, the release behind it; then the key is free.
  const before = await scriptsRun();
  proxy.release();
  owner(await store.claim(key, 'f', options()));
  expect((await scriptsRun()).eval).toBe(before.eval + 2);
}, 20_000);

test('a claim whose connection died under it: the release, refused at once, is sent when the connection is back', async () => {
  const { connection, proxy } = await throughProxy(5_000);
  const store = new RedisIdempotencyStore(connection);
  const key = randomUUID();
  proxy.hold();
  const claim = store.claim(key, 'f', options()).catch((error: unknown) => error);
  await until('the claim was written', () => proxy.heldBytes > 0);
  proxy.cutClients();
  expect(isSharedStateUnavailable(await claim)).toBe(true);
  // No connection to send the release on: it is kept.
  await until('the release is kept for later', () => connection.pendingReplays === 1);

  // The claim reaches Redis after all (it was on the wire) and takes the key…
  proxy.release();
  await until('the late claim ran', async () => (await admin.exists(record(key))) === 1);
  // …and the release follows on the new connection: the key is free again, not "uncertain".
  await until('the release was replayed', async () => (await admin.exists(record(key))) === 0);
  // Redis ran it; the replaying client forgets it once the answer has come back to it, a moment
  // after another client can see the key gone (one full run saw 1 here).
  await until('the replay was answered', () => connection.pendingReplays === 0);
  owner(await store.claim(key, 'f', options()));
}, 20_000);
