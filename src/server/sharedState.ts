/**
 * The stores that outlive a request (README "Shared state (Redis)"): the APQ cache and
 * createReferral's idempotency records. Without `REDIS_URL` both stay in this process (Apollo's
 * bounded in-memory cache, MemoryIdempotencyStore): the embedded default, for `npm start` and a
 * single replica. With it both live on Redis, so every replica behind a balancer shares them.
 */
import type { PersistedQueryOptions } from '@apollo/server';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log/logger.ts';
import type { IdempotencyStore } from '../services/idempotency/idempotencyStore.ts';
import { MemoryIdempotencyStore } from '../services/idempotency/memoryIdempotencyStore.ts';
import { RedisApqCache } from '../state/redisApqCache.ts';
import { RedisConnection } from '../state/redisConnection.ts';
import { RedisIdempotencyStore } from '../state/redisIdempotencyStore.ts';

export interface SharedState {
  readonly idempotency: IdempotencyStore;
  /** Apollo's `persistedQueries` option; `undefined` keeps Apollo's own in-memory cache. */
  readonly persistedQueries: PersistedQueryOptions | undefined;
  /** Closes the Redis connection, if any (after the HTTP server has drained). */
  close(): Promise<void>;
}

export async function openSharedState(config: Config, logger: Logger): Promise<SharedState> {
  const shared = config.sharedState;
  if (shared === undefined) {
    return {
      // One per process: a repeated create must find its key whichever request asks.
      idempotency: new MemoryIdempotencyStore({ maxRecords: config.idempotencyMaxRecords }),
      persistedQueries: undefined,
      close: async () => {},
    };
  }
  const redis = new RedisConnection(shared.redis, logger);
  // Down at start-up is not fatal: the replica serves what needs no shared state meanwhile.
  await redis.connect();
  return {
    idempotency: new RedisIdempotencyStore(redis),
    persistedQueries: {
      cache: new RedisApqCache(redis, { ttlSeconds: shared.apqTtlSeconds }),
      ttl: shared.apqTtlSeconds,
    },
    close: () => redis.close(),
  };
}
