/**
 * The one Redis connection of a replica (README "Shared state (Redis)"), shared by the APQ cache
 * and the idempotency store. ioredis, set up so that no GraphQL request ever waits on Redis for
 * long:
 *
 * - every command has a timeout (`commandTimeout`, `REDIS_COMMAND_TIMEOUT_MS`): a Redis that hangs
 *   (paused, a network black hole) costs a request at most that per command; and a connection
 *   that has had replies owed for 10 such timeouts (at least 2 s) is dropped and made anew
 *   (`socketTimeout`), so commands that timed out do not pile up behind a Redis that never answers;
 * - no offline queue (`enableOfflineQueue: false`): while the connection is down a command fails
 *   at once instead of queueing until some reconnect;
 * - nothing is sent twice behind the caller's back (`maxRetriesPerRequest: 0`,
 *   `autoResendUnfulfilledCommands: false`): a script whose reply was lost is the caller's failure
 *   to handle, not something the client replays after reconnecting;
 * - reconnects forever with a bounded backoff (50 ms doubling, at most 2 s, plus jitter), so the
 *   replica recovers by itself when Redis is back, without a restart.
 *
 * Every failure comes out as `SharedStateUnavailableError`; connection errors are logged at warn,
 * at most once per 10 s.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.ts';
import { type ThrottledWarn, throttledWarn } from '../log/throttledWarn.ts';
import { SharedStateUnavailableError } from './sharedStateError.ts';

export interface RedisSettings {
  /** `redis://[user:password@]host[:port][/db]`, `rediss://` for TLS. */
  readonly url: string;
  /** Put in front of every key this gateway writes (`REDIS_KEY_PREFIX`). */
  readonly keyPrefix: string;
  /** Longest wait for one command's reply (`REDIS_COMMAND_TIMEOUT_MS`). */
  readonly commandTimeoutMs: number;
  /** Longest wait for a connection (TCP, TLS, AUTH, SELECT) (`REDIS_CONNECT_TIMEOUT_MS`). */
  readonly connectTimeoutMs: number;
}

/** A Lua script run with EVALSHA, sent whole (EVAL) only when Redis does not have it yet. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

export function luaScript(name: string, source: string): LuaScript {
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Reconnect delays: 100, 200, 400 … ms, never more than this, plus up to 100 ms of jitter. */
const RECONNECT_MAX_DELAY_MS = 2_000;
/** A warning that repeats is logged at most once per this (throttledWarn.ts). */
const WARN_INTERVAL_MS = 10_000;

export class RedisConnection {
  readonly keyPrefix: string;
  /** Rate-limited warnings for the stores on this connection. */
  readonly warn: ThrottledWarn;
  /** For what must be logged every time (a record Redis failed to keep). */
  readonly logger: Logger;
  readonly #client: Redis;
  #lost = false;

  constructor(settings: RedisSettings, logger: Logger) {
    this.keyPrefix = settings.keyPrefix;
    this.logger = logger;
    this.warn = throttledWarn(logger, WARN_INTERVAL_MS);
    this.#client = new Redis(settings.url, {
      lazyConnect: true,
      connectionName: 'referrals-gateway',
      commandTimeout: settings.commandTimeoutMs,
      socketTimeout: Math.max(10 * settings.commandTimeoutMs, 2_000),
      connectTimeout: settings.connectTimeoutMs,
      // How long a closed connection's socket may linger (a timer that would hold the process).
      disconnectTimeout: settings.commandTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: (times) =>
        Math.min(50 * 2 ** Math.min(times, 16), RECONNECT_MAX_DELAY_MS) + Math.floor(Math.random() * 100),
    });
    // Without a listener ioredis prints every connection error to stderr.
    this.#client.on('error', (error: Error) => {
      this.#lost = true;
      this.warn('Redis connection failed; shared state unavailable until it is back', {
        error: error.message,
      });
    });
    this.#client.on('ready', () => {
      if (!this.#lost) return;
      this.#lost = false;
      this.logger.info('Redis connection is back; shared state available again');
    });
  }

  /**
   * Connects, waiting at most until the first attempt succeeds or fails. A replica starts either
   * way: with Redis down it serves what needs no shared state and reconnects in the background.
   */
  async connect(): Promise<boolean> {
    try {
      await this.#client.connect();
      return true;
    } catch (error) {
      this.#lost = true;
      this.logger.warn(
        { error: (error as Error).message },
        'Redis is not reachable at start-up; starting without shared state, reconnecting in the background',
      );
      return false;
    }
  }

  /** `keyPrefix` + the parts joined with `:`. */
  key(...parts: readonly string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  /** One command (or a few, `fn` decides); any failure is `SharedStateUnavailableError`. */
  async command<T>(operation: string, fn: (client: Redis) => Promise<T>): Promise<T> {
    try {
      return await fn(this.#client);
    } catch (error) {
      throw new SharedStateUnavailableError(operation, error);
    }
  }

  /** Runs `script` on one key (EVALSHA; EVAL when Redis lost its script cache, e.g. after a restart). */
  async run(script: LuaScript, key: string, args: readonly (string | number)[]): Promise<unknown> {
    return this.command(script.name, async (client) => {
      try {
        return await client.evalsha(script.sha1, 1, key, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return await client.eval(script.source, 1, key, ...args);
      }
    });
  }

  /**
   * Runs `script` sent whole (EVAL): for a command that must work even if Redis answers it only
   * after the caller stopped waiting (then a NOSCRIPT answer to EVALSHA could not be followed up).
   */
  async runWhole(script: LuaScript, key: string, args: readonly (string | number)[]): Promise<unknown> {
    return this.command(script.name, (client) => client.eval(script.source, 1, key, ...args));
  }

  /** Closes the connection: QUIT when connected (bounded by the command timeout), then stop reconnecting. */
  async close(): Promise<void> {
    if (this.#client.status === 'ready') await this.#client.quit().catch(() => undefined);
    this.#client.disconnect();
  }
}
