/**
 * The APQ cache, Apollo's own in-memory one (what the gateway uses without REDIS_URL) and ours on
 * Redis, through Apollo's KeyValueCache interface: one suite for both. Then what only the Redis
 * one does: every entry expires, large documents and implausible keys stay out, and a Redis that
 * cannot be reached is a miss, never an error, logged once however often it happens.
 *
 * The Redis cache runs against the machine's Redis on 127.0.0.1:6379 under a key prefix of this
 * run only, deleted afterwards (SCAN + DEL of that prefix; never a flush).
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log/logger.ts';
import { RedisApqCache } from '../../src/state/redisApqCache.ts';
import { RedisConnection } from '../../src/state/redisConnection.ts';
import { freePort } from '../helpers/ports.ts';
import { deleteKeys, SHARED_REDIS_URL } from '../helpers/redis.ts';

const PREFIX = `test:apq:${randomUUID()}:`;
const TTL_SECONDS = 600;

const connection = new RedisConnection(
  { url: SHARED_REDIS_URL, keyPrefix: PREFIX, commandTimeoutMs: 2_000, connectTimeoutMs: 2_000 },
  createLogger('silent'),
);
const connected = connection.connect();
const raw = new Redis(SHARED_REDIS_URL, { lazyConnect: true });

afterAll(async () => {
  await deleteKeys(SHARED_REDIS_URL, PREFIX);
  await connection.close();
  raw.disconnect();
});

/** Apollo's key for a document: `apq:` and its SHA-256. */
const apqKey = () => `apq:${randomUUID().replaceAll('-', '').repeat(2)}`;

const CACHES: readonly (readonly [string, () => KeyValueCache<string>])[] = [
  ["Apollo's in-memory cache", () => new InMemoryLRUCache<string>()],
  ['the Redis cache', () => new RedisApqCache(connection, { ttlSeconds: TTL_SECONDS })],
];

describe.each(CACHES)('%s', (_name, makeCache) => {
  test('an unknown hash is a miss; a registered one is found; a deleted one is gone', async () => {
    await connected;
    const cache = makeCache();
    const key = apqKey();
    expect(await cache.get(key)).toBeUndefined();
    await cache.set(key, '{ __typename }');
    expect(await cache.get(key)).toBe('{ __typename }');
    await cache.delete(key);
    expect(await cache.get(key)).toBeUndefined();
  });

  test('an entry set with a TTL is gone once it passed', async () => {
    const cache = makeCache();
    const key = apqKey();
    await cache.set(key, 'query A { __typename }', { ttl: 1 });
    expect(await cache.get(key)).toBe('query A { __typename }');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await cache.get(key)).toBeUndefined();
  });

  test('a later registration of the same hash replaces the entry', async () => {
    const cache = makeCache();
    const key = apqKey();
    await cache.set(key, 'query A { __typename }');
    await cache.set(key, 'query B { __typename }');
    expect(await cache.get(key)).toBe('query B { __typename }');
  });
});

describe('only the Redis cache', () => {
  test("entries live under the gateway's prefix and always expire: Apollo's TTL, capped, or the default", async () => {
    await connected;
    const cache = new RedisApqCache(connection, { ttlSeconds: TTL_SECONDS });
    const [plain, asked, tooLong, unbounded] = [apqKey(), apqKey(), apqKey(), apqKey()];
    await cache.set(plain, '{ a: __typename }');
    await cache.set(asked, '{ b: __typename }', { ttl: 60 });
    await cache.set(tooLong, '{ c: __typename }', { ttl: 10 * TTL_SECONDS });
    await cache.set(unbounded, '{ d: __typename }', { ttl: null });
    if (raw.status === 'wait') await raw.connect();
    expect(await raw.get(`${PREFIX}${plain}`)).toBe('{ a: __typename }');
    expect(await raw.ttl(`${PREFIX}${plain}`)).toBeGreaterThan(TTL_SECONDS - 5);
    expect(await raw.ttl(`${PREFIX}${asked}`)).toBeLessThanOrEqual(60);
    expect(await raw.ttl(`${PREFIX}${tooLong}`)).toBeLessThanOrEqual(TTL_SECONDS);
    expect(await raw.ttl(`${PREFIX}${unbounded}`)).toBeLessThanOrEqual(TTL_SECONDS);
    expect(await raw.ttl(`${PREFIX}${unbounded}`)).toBeGreaterThan(0);
  });

  test('documents over the size bound and keys that are no hash stay out of Redis', async () => {
    const cache = new RedisApqCache(connection, { ttlSeconds: TTL_SECONDS, maxDocumentBytes: 100 });
    const big = apqKey();
    await cache.set(big, `{ __typename ${' '.repeat(200)}}`);
    expect(await cache.get(big)).toBeUndefined();
    const notAHash = `apq:${'x'.repeat(500)}`;
    await cache.set(notAHash, '{ __typename }');
    expect(await cache.get(notAHash)).toBeUndefined();
    if (raw.status === 'wait') await raw.connect();
    expect(await raw.exists(`${PREFIX}${big}`, `${PREFIX}${notAHash}`)).toBe(0);
  });

  test('a document read from Redis is held in the process: found again after Redis lost it, while another replica reads Redis', async () => {
    await connected;
    const here = new RedisApqCache(connection, { ttlSeconds: TTL_SECONDS, localRefillSeconds: 1 });
    const there = new RedisApqCache(connection, { ttlSeconds: TTL_SECONDS });
    const key = apqKey();
    await there.set(key, '{ e: __typename }');
    expect(await here.get(key)).toBe('{ e: __typename }');
    if (raw.status === 'wait') await raw.connect();
    expect(await raw.del(`${PREFIX}${key}`)).toBe(1);
    expect(await here.get(key)).toBe('{ e: __typename }');
    // `there` registered it, so it holds it too; a third replica has only Redis, now empty.
    expect(await there.get(key)).toBe('{ e: __typename }');
    expect(await new RedisApqCache(connection, { ttlSeconds: TTL_SECONDS }).get(key)).toBeUndefined();
    // The copy read from Redis lives `localRefillSeconds`: then Redis is asked again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await here.get(key)).toBeUndefined();
  });

  test('the local tier is bounded in bytes: past it, the oldest copy goes and Redis answers for it', async () => {
    const cache = new RedisApqCache(connection, { ttlSeconds: TTL_SECONDS, localMaxBytes: 100 });
    const [first, second] = [apqKey(), apqKey()];
    const doc = (name: string) => `query ${name} { __typename ${' '.repeat(60)}}`;
    await cache.set(first, doc('First'));
    await cache.set(second, doc('Second'));
    if (raw.status === 'wait') await raw.connect();
    await raw.del(`${PREFIX}${first}`, `${PREFIX}${second}`);
    expect(await cache.get(second)).toBe(doc('Second'));
    expect(await cache.get(first)).toBeUndefined();
  });

  test('Redis unreachable: every call is a miss or a no-op, never an error, and logged at warn once', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
        done();
      },
    });
    const gone = new RedisConnection(
      {
        url: `redis://127.0.0.1:${await freePort()}`,
        keyPrefix: PREFIX,
        commandTimeoutMs: 300,
        connectTimeoutMs: 300,
      },
      createLogger('warn', sink),
    );
    try {
      await gone.connect();
      const cache = new RedisApqCache(gone, { ttlSeconds: TTL_SECONDS });
      for (let i = 0; i < 10; i += 1) {
        const key = apqKey();
        await expect(cache.get(key)).resolves.toBeUndefined();
        await expect(cache.set(key, '{ __typename }')).resolves.toBeUndefined();
        await expect(cache.delete(key)).resolves.toBe(false);
      }
      const lookups = lines.filter((line) => line.msg.startsWith('APQ lookup on Redis failed'));
      expect(lookups).toHaveLength(1);
      // What this replica registered it still serves, without asking Redis.
      const held = apqKey();
      await cache.set(held, '{ held: __typename }');
      const asked = jest.spyOn(gone, 'command');
      expect(await cache.get(held)).toBe('{ held: __typename }');
      expect(await cache.get(apqKey())).toBeUndefined();
      expect(asked.mock.calls.map(([operation]) => operation)).toEqual(['apq get']);
      asked.mockRestore();
      expect(lookups[0]?.level).toBe(40);
      expect(lines.filter((line) => line.msg.startsWith('APQ registration on Redis failed'))).toHaveLength(1);
    } finally {
      await gone.close();
    }
  });
});
