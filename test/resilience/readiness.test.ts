/**
 * Readiness and the SIGTERM sequence of a real `node src/main.ts` process, as a load balancer
 * sees it (README "Deployment"): `/ready` turns 503 at once while `/graphql` and `/health` go on
 * answering (with `Connection: close`) through the shutdown delay; then new connections are
 * refused, a request in flight still gets its data, and the process exits 0 within its budget.
 * A second signal skips the delay; a signal during the drain cuts what is left; a signal during
 * start-up closes what was started and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { shutdownBudgetMs } from '../../src/server/shutdown.ts';
import { tryConnect } from '../helpers/ports.ts';
import { report } from '../helpers/report.ts';
import { TEST_TOKEN } from '../helpers/stack.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SHUTTING_DOWN = 'shutting down: /ready answers 503, still serving until the delay ends';
const DRAINING = 'draining: no new connections, finishing the requests in flight';

let emulator: Emulator;
let child: ChildProcess | undefined;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  // A delay fault still running ends when the emulator closes.
  emulator.clearFaults();
});
afterAll(async () => {
  await emulator.close();
});

interface Running {
  readonly proc: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
}

/** `node src/main.ts` started, not waited for. */
function spawnGateway(env: Record<string, string>): Omit<Running, 'origin' | 'port'> {
  const proc = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      PARTNER_API_URL: emulator.url,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child = proc;
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part));
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, lines, exited };
}

async function startGatewayProcess(env: Record<string, string>): Promise<Running> {
  const { proc, lines, exited } = spawnGateway(env);
  const ready = await waitFor(() => lines.find((l) => l.msg === 'gateway ready'));
  const url = new URL(String(ready.url));
  return { proc, lines, exited, origin: url.origin, port: Number(url.port) };
}

async function waitFor<T>(probe: () => T | undefined, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function logged(run: Pick<Running, 'lines'>, msg: string): Record<string, unknown> | undefined {
  return run.lines.find((l) => l.msg === msg);
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request on a fresh connection (no agent), so the raw `connection` header is visible. */
function send(url: string, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: body ? { 'content-type': 'application/json', authorization: TEST_TOKEN } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function graphql(origin: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  return send(`${origin}/graphql`, 'POST', JSON.stringify({ query, variables }));
}

const REFERRAL = 'query($id: ID!) { referral(id: $id) { id } }';

describe('readiness and the SIGTERM sequence (a real node src/main.ts)', () => {
  test('/ready 503 at once while /graphql and /health still answer; then connections are refused, the in-flight request gets its data, exit 0', async () => {
    // A delay long enough never to end by itself here: the second SIGTERM ends it, so the steps
    // below happen inside it whatever the machine's load.
    const run = await startGatewayProcess({ SHUTDOWN_DELAY_MS: '60000', REQUEST_TIMEOUT_MS: '30000' });
    expect(await send(`${run.origin}/ready`)).toMatchObject({ status: 200, body: '{"status":"ready"}' });

    // The in-flight request: its upstream GET takes 8 s.
    const id = String(emulator.listReferrals()[0]?.id);
    emulator.injectFault({ method: 'GET', idEquals: id, times: 1, fault: { kind: 'delay', ms: 8_000 } });
    let inFlightSettled = false;
    const inFlight = graphql(run.origin, REFERRAL, { id }).finally(() => {
      inFlightSettled = true;
    });
    await waitFor(() => (emulator.requests.some((r) => r.url.includes(id)) ? true : undefined));

    run.proc.kill('SIGTERM');
    await waitFor(() => logged(run, SHUTTING_DOWN));
    const ready = await send(`${run.origin}/ready`);
    const health = await send(`${run.origin}/health`);
    const typename = await graphql(run.origin, '{ __typename }');
    expect(logged(run, DRAINING)).toBeUndefined();
    expect(ready).toMatchObject({ status: 503, body: '{"status":"shutting down"}' });
    expect(health).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(typename.status).toBe(200);
    expect(JSON.parse(typename.body)).toEqual({ data: { __typename: 'Query' } });
    // Keep-alive clients (and proxies) are told to reconnect, to another replica.
    for (const answer of [ready, health, typename]) expect(answer.headers.connection).toBe('close');

    run.proc.kill('SIGTERM');
    await waitFor(() => logged(run, DRAINING));
    expect(inFlightSettled).toBe(false);
    // The listener closes a moment after the log line (Apollo's drain starts on the next tick).
    let refused = 'connected';
    for (let i = 0; i < 100 && refused === 'connected'; i++) {
      refused = await tryConnect(run.port);
      if (refused === 'connected') await new Promise((r) => setTimeout(r, 20));
    }
    expect(refused).toBe('ECONNREFUSED');

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { referral: { id } } });
    const code = await run.exited;
    expect(code).toBe(0);
    expect(run.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        SHUTTING_DOWN,
        'second signal: skipping the rest of the shutdown delay',
        DRAINING,
        'stopped',
      ]),
    );
    report(
      'readiness',
      `during the delay /ready ${ready.status}, /health ${health.status}, /graphql ${typename.status} (Connection: close); after it new connections ${refused}; the in-flight request answered ${answer.status} with its data; exit code ${code}`,
    );
  }, 40_000);

  test('the delay ends by itself: serving for SHUTDOWN_DELAY_MS after SIGTERM, then exit 0 within the budget', async () => {
    const env = { SHUTDOWN_DELAY_MS: '700', REQUEST_TIMEOUT_MS: '5000' };
    const run = await startGatewayProcess(env);
    const budgetMs = shutdownBudgetMs(loadConfig({ ...env, PARTNER_API_URL: emulator.url }).shutdown);
    const sentAt = Date.now();
    run.proc.kill('SIGTERM');
    let overrun: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      run.exited,
      new Promise<string>((resolve) => {
        overrun = setTimeout(() => resolve('still running past the budget'), budgetMs);
      }),
    ]);
    clearTimeout(overrun);
    const elapsedMs = Date.now() - sentAt;
    expect(code).toBe(0);
    const shuttingDown = logged(run, SHUTTING_DOWN);
    const draining = logged(run, DRAINING);
    const stopped = logged(run, 'stopped');
    expect(shuttingDown).toMatchObject({ signal: 'SIGTERM', delayMs: 700, budgetMs });
    // The log lines' ISO times: the listener stayed open for the whole delay.
    expect(
      Date.parse(String(draining?.time)) - Date.parse(String(shuttingDown?.time)),
    ).toBeGreaterThanOrEqual(700);
    expect(stopped).toBeDefined();
    report(
      'shutdown budget',
      `SHUTDOWN_DELAY_MS=700, idle: SIGTERM to exit ${elapsedMs} ms (budget ${budgetMs} ms), exit code ${code}`,
    );
  });

  test('a signal during the drain cuts the connections still open and exits 0 at once (well within 3 s)', async () => {
    // The drain would wait up to 61 s for the request below; the second signal ends it.
    const run = await startGatewayProcess({ SHUTDOWN_DELAY_MS: '0', REQUEST_TIMEOUT_MS: '60000' });
    const id = String(emulator.listReferrals()[1]?.id);
    emulator.injectFault({ method: 'GET', idEquals: id, times: 1, fault: { kind: 'delay', ms: 30_000 } });
    const inFlight = graphql(run.origin, REFERRAL, { id }).then(
      (answer) => `answered ${answer.status}`,
      (error: NodeJS.ErrnoException) => error.code ?? 'error',
    );
    await waitFor(() => (emulator.requests.some((r) => r.url.includes(id)) ? true : undefined));
    run.proc.kill('SIGTERM');
    await waitFor(() => logged(run, DRAINING));
    const sentAt = Date.now();
    run.proc.kill('SIGINT');
    expect(await inFlight).toBe('ECONNRESET');
    expect(await run.exited).toBe(0);
    // Not a benchmark: "at once" against the 61 s the drain would otherwise have waited.
    const elapsedMs = Date.now() - sentAt;
    expect(elapsedMs).toBeLessThan(3_000);
    expect(logged(run, 'signal during the drain: closing the connections still open')).toMatchObject({
      signal: 'SIGINT',
    });
  });
});

describe('a signal during start-up', () => {
  test('SIGTERM while Redis is still connecting: what is starting finishes, is closed again, exit 0 (not 143)', async () => {
    // A "Redis" that accepts connections and never answers: the start waits on it for seconds
    // (redisConnection.ts), the window in which a rollout's SIGTERM can come.
    const sockets: Socket[] = [];
    const silentRedis = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silentRedis.listen(0, '127.0.0.1', resolve));
    const { port } = silentRedis.address() as AddressInfo;
    try {
      const run = spawnGateway({
        REDIS_URL: `redis://127.0.0.1:${port}`,
        SHUTDOWN_DELAY_MS: '5000',
        REQUEST_TIMEOUT_MS: '5000',
      });
      await waitFor(() => (sockets.length > 0 ? true : undefined));
      run.proc.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      const messages = run.lines.map((l) => l.msg);
      expect(logged(run, 'signal during start-up: stopping once what is starting has started')).toMatchObject(
        {
          signal: 'SIGTERM',
        },
      );
      expect(messages).toContain('stopped');
      // It never said it was ready, so it never served.
      expect(messages).not.toContain('gateway ready');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silentRedis.close(resolve));
    }
  }, 30_000);
});

describe('shutdown timings', () => {
  test('production waits 5 s by default; elsewhere npm start stops at once; the drain is the request deadline + 1 s', () => {
    const url = 'https://api.partner.microsoft.com/v1.0';
    expect(loadConfig({}).shutdown).toEqual({ delayMs: 0, drainTimeoutMs: 16_000 });
    expect(loadConfig({ NODE_ENV: 'production', PARTNER_API_URL: url }).shutdown).toEqual({
      delayMs: 5_000,
      drainTimeoutMs: 16_000,
    });
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '8000' }).shutdown.drainTimeoutMs).toBe(9_000);
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '2500', SHUTDOWN_DRAIN_TIMEOUT_MS: '4000' }).shutdown).toEqual({
      delayMs: 2_500,
      drainTimeoutMs: 4_000,
    });
    // Kubernetes' default grace period is 30 s: the production defaults fit with room to spare.
    expect(shutdownBudgetMs(loadConfig({ NODE_ENV: 'production', PARTNER_API_URL: url }).shutdown)).toBe(
      26_000,
    );
    expect(() => loadConfig({ SHUTDOWN_DELAY_MS: '-1' })).toThrow(/^Invalid SHUTDOWN_DELAY_MS:/);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_TIMEOUT_MS: '0' })).toThrow(
      /^Invalid SHUTDOWN_DRAIN_TIMEOUT_MS:/,
    );
  });
});
