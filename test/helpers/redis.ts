/**
 * Redis for tests. The machine's shared Redis (127.0.0.1:6379) is used only under a key prefix of
 * the test's own, removed afterwards with SCAN + DEL of that prefix, never a flush. A test that
 * stops Redis starts its own `redis-server` on a free port (ports.ts) in a temporary directory,
 * with or without an AOF, and removes both afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.ts';

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** Deletes every key starting with `prefix` (which must hold no glob character). */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9._:{}-]+$/.test(prefix)) throw new Error(`not a plain key prefix: ${prefix}`);
  const client = new Redis(url, { lazyConnect: true });
  let deleted = 0;
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

/** Keys starting with `prefix`. */
export async function keysWithPrefix(url: string, prefix: string): Promise<string[]> {
  const client = new Redis(url, { lazyConnect: true });
  const found: string[] = [];
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return found;
}

/** A `redis-server` of the test's own, on loopback, in a temporary directory of its own. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Starts it (again, on the same port and directory) and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it (SIGKILL: as abrupt as a crash) and waits for the process to exit. */
  stop(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  /** Stops it and removes its directory (its AOF files). */
  dispose(): Promise<void>;
}

export interface OwnRedisOptions {
  /**
   * `aof`: every write appended to the AOF and fsynced before Redis answers it (`appendonly yes`,
   * `appendfsync always`, what README "Shared state (Redis)" advises), so a restart after SIGKILL
   * keeps every answered write. `none` (default): no RDB, no AOF; a restart starts empty.
   */
  readonly persistence?: 'aof' | 'none';
}

export async function ownRedis(options: OwnRedisOptions = {}): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const dir = await mkdtemp(join(tmpdir(), 'own-redis-'));
  const persistence =
    options.persistence === 'aof'
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT');
    running.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    url,
    async start() {
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence],
        { stdio: 'ignore' },
      );
      child = started;
      const probe = new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: null });
      probe.on('error', () => {});
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          probe.ping(),
          new Promise((_, reject) => {
            started.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
            timer = setTimeout(() => reject(new Error('redis-server did not answer within 10 s')), 10_000);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        probe.disconnect();
      }
    },
    stop,
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
