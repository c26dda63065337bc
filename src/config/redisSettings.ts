/**
 * What the Redis connection (src/state/redisConnection.ts) is configured with, parsed from the
 * `REDIS_*` variables by config.ts. Here, in src/config/, and not beside the connection: the
 * configuration imports nothing of src/state/ (docs/architecture.md), and reading it never loads
 * ioredis.
 */

export interface RedisSettings {
  /** `redis://[user:password@]host[:port][/db]`, `rediss://` for TLS. */
  readonly url: string;
  /** Put in front of every key this gateway writes (`REDIS_KEY_PREFIX`). */
  readonly keyPrefix: string;
  /**
   * Longest wait for one call's reply (`REDIS_COMMAND_TIMEOUT_MS`): a script sent again whole
   * after NOSCRIPT shares it. At most a quarter of the request deadline (config.ts).
   */
  readonly commandTimeoutMs: number;
  /** Longest wait for a connection (TCP, TLS, AUTH, SELECT) (`REDIS_CONNECT_TIMEOUT_MS`). */
  readonly connectTimeoutMs: number;
}

/** `REDIS_COMMAND_TIMEOUT_MS` when unset, unless a quarter of `REQUEST_TIMEOUT_MS` is less. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 300;
/**
 * `REDIS_COMMAND_TIMEOUT_MS` may be at most `REQUEST_TIMEOUT_MS` divided by this: a keyed create
 * waits on Redis twice in sequence (its claim, then its outcome, which is not cut short by the
 * deadline), and the Partner API calls between them need the rest of the request's time.
 */
export const REQUEST_TIMEOUT_PER_REDIS_COMMAND = 4;
