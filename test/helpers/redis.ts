/**
 * Redis for tests. The machine's shared Redis (127.0.0.1:6379) is used only under a key prefix of
 * the test's own, removed afterwards with SCAN + DEL of that prefix, never a flush. A test that
 * stops Redis starts its own `redis-server` on a free port, without persistence.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { Redis } from 'ioredis';

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

/** A loopback port nothing listens on (taken from the kernel, then freed). */
export function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A `redis-server` of the test's own: no RDB, no AOF, on loopback. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Starts it (again, on the same port) and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it (SIGKILL: as abrupt as a crash) and waits for the process to exit. */
  stop(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await unusedPort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  return {
    port,
    url,
    async start() {
      const started = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
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
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGCONT');
      running.kill('SIGKILL');
      await exited;
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
}
