/**
 * The APQ cache on Redis (README "Shared state (Redis)"), behind Apollo's `KeyValueCache`
 * (`persistedQueries.cache` of @apollo/server 5, which prefixes keys with `apq:` itself), so a
 * hash registered through one replica is found by every other.
 *
 * It never fails a request. Apollo awaits `get` unguarded (an exception there would be the
 * request's error answer), so every failure of Redis is a miss: the client gets
 * `PERSISTED_QUERY_NOT_FOUND`, sends the query again with its hash, and that request runs.
 * Apollo passes no request signal to the cache, so a lookup waits at most
 * `REDIS_COMMAND_TIMEOUT_MS`, which config.ts keeps to a quarter of the request deadline.
 * `set` runs after the operation was parsed and validated and is not awaited by Apollo; a failed
 * one is only a later miss. Both are logged at warn, at most once per 10 s.
 *
 * Bounded: every entry expires (`APQ_TTL_SECONDS`, also when Apollo passes no TTL), documents
 * larger than `APQ_MAX_DOCUMENT_BYTES` are not stored (their clients always send them whole,
 * which APQ allows), and a key that is not a plausible hash is a miss without asking Redis.
 *
 * A local tier in front of Redis: a hash names its document (Apollo checks the SHA-256 before it
 * registers one), so a copy held in the process is never stale, and a hit costs no Redis round
 * trip: no wait on the network, no load on Redis, and an answer while Redis is down. The copies
 * are bounded in characters (`APQ_LOCAL_MAX_BYTES`, 4 Mi: up to twice that in bytes for documents
 * outside Latin-1). A registered copy lives the entry's TTL; one read from Redis lives at most
 * `LOCAL_REFILL_SECONDS` (the key's remaining lifetime is not read), so it may outlast the Redis
 * key by that much, which is harmless for a content-addressed entry. Redis stays the shared
 * source: a hash registered on one replica is found by the others on their first lookup.
 */
import {
  InMemoryLRUCache,
  type KeyValueCache,
  type KeyValueCacheSetOptions,
} from '@apollo/utils.keyvaluecache';
import type { RedisConnection } from './redisConnection.ts';
import { sharedStateCause } from './sharedStateError.ts';

/** 64 KiB: far above a document of `MAX_TOKENS` (5,000) tokens written plainly (about 30 KB). */
export const APQ_MAX_DOCUMENT_BYTES = 64 * 1024;
/** Apollo's key is `apq:` + the client's SHA-256 in hex; anything much longer is no hash. */
const MAX_KEY_LENGTH = 128;
/** 4 MiB of documents (characters) held in each process: a few hundred operations of a large app. */
export const APQ_LOCAL_MAX_BYTES = 4 * 1024 * 1024;
/** The local copy's lifetime when it was read from Redis, in seconds. */
const LOCAL_REFILL_SECONDS = 60;

export interface RedisApqCacheOptions {
  /** Every entry's lifetime in seconds, and the most a `set` may ask for. */
  readonly ttlSeconds: number;
  readonly maxDocumentBytes?: number;
  /** The local tier's bound, in characters of documents (APQ_LOCAL_MAX_BYTES). */
  readonly localMaxBytes?: number;
  /** The local copy's lifetime when read from Redis, in seconds (LOCAL_REFILL_SECONDS). */
  readonly localRefillSeconds?: number;
}

export class RedisApqCache implements KeyValueCache<string> {
  readonly #redis: RedisConnection;
  readonly #ttlSeconds: number;
  readonly #maxDocumentBytes: number;
  readonly #local: InMemoryLRUCache<string>;
  readonly #refillSeconds: number;

  constructor(redis: RedisConnection, options: RedisApqCacheOptions) {
    this.#redis = redis;
    this.#ttlSeconds = options.ttlSeconds;
    this.#maxDocumentBytes = options.maxDocumentBytes ?? APQ_MAX_DOCUMENT_BYTES;
    this.#local = new InMemoryLRUCache<string>({ maxSize: options.localMaxBytes ?? APQ_LOCAL_MAX_BYTES });
    // At least a second: a TTL of 0 means "never expires" to the LRU underneath.
    this.#refillSeconds = Math.max(
      1,
      Math.min(options.localRefillSeconds ?? LOCAL_REFILL_SECONDS, this.#ttlSeconds),
    );
  }

  async get(key: string): Promise<string | undefined> {
    if (key.length > MAX_KEY_LENGTH) return undefined;
    const held = await this.#local.get(key);
    if (held !== undefined) return held;
    try {
      const value = await this.#redis.command('apq get', (client) => client.get(this.#key(key)));
      if (value === null) return undefined;
      await this.#local.set(key, value, { ttl: this.#refillSeconds });
      return value;
    } catch (error) {
      this.#redis.warn('APQ lookup on Redis failed; answering as a miss', { error: sharedStateCause(error) });
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (key.length > MAX_KEY_LENGTH || Buffer.byteLength(value) > this.#maxDocumentBytes) return;
    const asked = options?.ttl;
    // `null` and absent mean "no TTL" to Apollo; here every entry expires.
    const ttl = typeof asked === 'number' && asked > 0 ? Math.min(asked, this.#ttlSeconds) : this.#ttlSeconds;
    await this.#local.set(key, value, { ttl: Math.max(1, ttl) });
    try {
      await this.#redis.command('apq set', (client) =>
        client.set(this.#key(key), value, 'EX', Math.ceil(ttl)),
      );
    } catch (error) {
      this.#redis.warn('APQ registration on Redis failed; the hash stays unknown', {
        error: sharedStateCause(error),
      });
    }
  }

  async delete(key: string): Promise<boolean> {
    if (key.length > MAX_KEY_LENGTH) return false;
    await this.#local.delete(key);
    try {
      return (await this.#redis.command('apq delete', (client) => client.del(this.#key(key)))) > 0;
    } catch (error) {
      this.#redis.warn('APQ delete on Redis failed', { error: sharedStateCause(error) });
      return false;
    }
  }

  #key(key: string): string {
    return this.#redis.key(key);
  }
}
