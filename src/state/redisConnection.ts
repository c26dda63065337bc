/**
 * The one Redis connection of a replica (README "Shared state (Redis)"), shared by the APQ cache
 * and the idempotency store. ioredis, set up so that no GraphQL request ever waits on Redis for
 * long:
 *
 * - every call has one time budget (`REDIS_COMMAND_TIMEOUT_MS`, at most a quarter of the request
 *   deadline, config.ts), also when a script has to be sent again whole after NOSCRIPT, and ends
 *   early when the request's signal aborts (its deadline, or its client left); ioredis's own
 *   `commandTimeout` is the same, so no reply is awaited past it even without a budget;
 * - a connection that has had replies owed for 10 command timeouts (at least 2 s) is dropped and
 *   made anew (`socketTimeout`), so commands that timed out do not pile up behind a Redis that
 *   never answers;
 * - no offline queue (`enableOfflineQueue: false`): while the connection is down a command fails
 *   at once instead of queueing until some reconnect;
 * - nothing is sent twice behind the caller's back (`maxRetriesPerRequest: 0`,
 *   `autoResendUnfulfilledCommands: false`): a script whose reply was lost is the caller's failure
 *   to handle, not something the client replays after reconnecting. What the caller marks as safe
 *   to repeat (`runUntilAnswered`) is replayed, once the connection is ready again;
 * - reconnects forever with a bounded backoff (100 ms doubling, at most 2 s, plus up to 100 ms of
 *   jitter), so the replica recovers by itself when Redis is back, without a restart.
 *
 * Every failure comes out as `SharedStateUnavailableError`; connection errors are logged at warn,
 * at most once per 10 s.
 */
import { createHash } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import type { RedisSettings } from '../config/redisSettings.ts';
import type { Logger } from '../log/logger.ts';
import { type ThrottledWarn, throttledWarn } from '../log/throttledWarn.ts';
import { SharedStateUnavailableError } from './sharedStateError.ts';

/** A Lua script run with EVALSHA, sent whole (EVAL) only when Redis does not have it yet. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

export function luaScript(name: string, source: string): LuaScript {
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** First reconnect delay; each next one doubles, up to the most, plus up to 100 ms of jitter. */
const RECONNECT_FIRST_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 2_000;
/** A warning that repeats is logged at most once per this (throttledWarn.ts). */
const WARN_INTERVAL_MS = 10_000;
/** Calls kept for replay (`runUntilAnswered`) at most; past it the oldest is dropped. */
const MAX_REPLAYS = 1_000;
/** Replays follow a successful command at most this often (a reconnect replays at once). */
const REPLAY_INTERVAL_MS = 1_000;
/**
 * ioredis's answer to a command while the connection is not ready and there is no offline queue
 * (node_modules/ioredis/built/Redis.js `sendCommand`): the command was never written.
 */
const NOT_WRITTEN = "Stream isn't writeable and enableOfflineQueue options is false";

/** What one call waits for besides its time budget. */
export interface CallBounds {
  /** The request's: an abort (deadline, client gone) ends the wait at once. */
  readonly signal?: AbortSignal | undefined;
}

interface Replay {
  readonly script: LuaScript;
  readonly key: string;
  readonly args: readonly (string | number)[];
  /** Epoch ms past which replaying is pointless (the record it was for has lapsed). */
  readonly until: number;
}

export class RedisConnection {
  readonly keyPrefix: string;
  /** Rate-limited warnings for the stores on this connection. */
  readonly warn: ThrottledWarn;
  /** For what must be logged every time (a record Redis failed to keep). */
  readonly logger: Logger;
  readonly #client: Redis;
  readonly #budgetMs: number;
  /** Calls safe to repeat that got no answer, by an id of the caller's; replayed in order. */
  readonly #replays = new Map<string, Replay>();
  #replaying = false;
  #nextReplayAt = 0;
  #lost = false;

  constructor(settings: RedisSettings, logger: Logger) {
    this.keyPrefix = settings.keyPrefix;
    this.logger = logger;
    this.warn = throttledWarn(logger, WARN_INTERVAL_MS);
    this.#budgetMs = settings.commandTimeoutMs;
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
      // `times` is 1 for the first reconnect: 100, 200, 400 … ms, at most 2 s, plus jitter.
      retryStrategy: (times) =>
        Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** Math.min(times - 1, 16), RECONNECT_MAX_DELAY_MS) +
        Math.floor(Math.random() * 100),
    });
    // Without a listener ioredis prints every connection error to stderr.
    this.#client.on('error', (error: Error) => {
      this.#lost = true;
      this.warn('Redis connection failed; shared state unavailable until it is back', {
        error: error.message,
      });
    });
    this.#client.on('ready', () => {
      this.#replay();
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

  /** Calls kept for replay now (`runUntilAnswered`). */
  get pendingReplays(): number {
    return this.#replays.size;
  }

  /**
   * One command (or a few, `fn` decides) within one time budget and the request's signal; any
   * failure is `SharedStateUnavailableError` (`mayHaveRun` false only when nothing was written).
   */
  async command<T>(
    operation: string,
    fn: (client: Redis, live: () => boolean) => Promise<T>,
    bounds: CallBounds = {},
  ): Promise<T> {
    if (bounds.signal?.aborted) {
      throw new SharedStateUnavailableError(operation, new Error('the request is over'), false);
    }
    try {
      const answer = await this.#bounded((live) => fn(this.#client, live), bounds.signal);
      if (this.#replays.size > 0 && Date.now() >= this.#nextReplayAt) this.#replay();
      return answer;
    } catch (error) {
      const written = !(error instanceof Error && error.message === NOT_WRITTEN);
      throw new SharedStateUnavailableError(operation, error, written);
    }
  }

  /**
   * Runs `script` on one key: EVALSHA, and EVAL when Redis lost its script cache (e.g. after a
   * restart), both within the one budget of this call.
   */
  async run(
    script: LuaScript,
    key: string,
    args: readonly (string | number)[],
    bounds: CallBounds = {},
  ): Promise<unknown> {
    return this.command(
      script.name,
      async (client, live) => {
        try {
          return await client.evalsha(script.sha1, 1, key, ...args);
        } catch (error) {
          if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
          // Not once the caller gave up: it may have sent what must come after (a release).
          if (!live()) throw error;
          return await client.eval(script.source, 1, key, ...args);
        }
      },
      bounds,
    );
  }

  /**
   * Runs `script`, which must be safe to repeat, sent whole (EVAL: its answer may come too late
   * to follow up a NOSCRIPT); when it gets no answer it is kept (at most 1,000, under `id`, until
   * epoch ms `until`) and sent again once the connection is ready again or, at most once a second,
   * when another command succeeds, until Redis answers it. Never throws.
   */
  runUntilAnswered(
    id: string,
    script: LuaScript,
    key: string,
    args: readonly (string | number)[],
    until: number,
  ): void {
    this.#send({ script, key, args, until }).then((answered) => {
      if (answered) return;
      this.#replays.delete(id);
      this.#replays.set(id, { script, key, args, until });
      if (this.#replays.size <= MAX_REPLAYS) return;
      const oldest = this.#replays.keys().next().value;
      if (oldest !== undefined) this.#replays.delete(oldest);
      this.warn('Redis replay list full; dropped the oldest call', { kept: MAX_REPLAYS });
    });
  }

  /** Closes the connection: QUIT when connected (bounded by the command timeout), then stop reconnecting. */
  async close(): Promise<void> {
    if (this.#client.status === 'ready') await this.#client.quit().catch(() => undefined);
    this.#client.disconnect();
    this.#replays.clear();
  }

  /** Whether Redis answered `replay`, an error reply included (sending it again would not help); never throws. */
  async #send(replay: Replay): Promise<boolean> {
    try {
      await this.#bounded(
        () => this.#client.eval(replay.script.source, 1, replay.key, ...replay.args),
        undefined,
      );
      return true;
    } catch (error) {
      return error instanceof ReplyError;
    }
  }

  /** Sends every kept call once more, one round at a time; those answered are dropped. */
  #replay(): void {
    if (this.#replaying || this.#replays.size === 0) return;
    this.#replaying = true;
    const now = Date.now();
    this.#nextReplayAt = now + REPLAY_INTERVAL_MS;
    const round = [...this.#replays].filter(([id, replay]) => {
      if (replay.until > now) return true;
      this.#replays.delete(id);
      return false;
    });
    Promise.all(
      round.map(async ([id, replay]) => {
        if (await this.#send(replay)) this.#replays.delete(id);
      }),
    ).finally(() => {
      this.#replaying = false;
    });
  }

  /**
   * What `start` does, within this connection's time budget and until `signal` aborts; `live`
   * tells it whether anyone still waits. What loses the race is not taken back (a command written
   * stays written); its late answer is dropped.
   */
  #bounded<T>(start: (live: () => boolean) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    let settled = false;
    const work = start(() => !settled);
    return new Promise<T>((resolve, reject) => {
      const stop = (error: Error): void => {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = (): void => stop(new Error('the request is over'));
      const timer = setTimeout(
        () => stop(new Error(`no answer within ${this.#budgetMs} ms`)),
        this.#budgetMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => stop(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }
}
