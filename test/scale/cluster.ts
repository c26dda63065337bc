/**
 * The parts of a deployment, on loopback, for the scale test: gateway replicas as real processes
 * (`node src/main.ts`, as the container runs it), HAProxy from Debian's packages in front of them
 * with health checks on `/ready`, and HAProxy's own stats to know which replica it sends traffic
 * to. Nothing here knows GraphQL; the test drives it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.ts';

export { freePort };

const ROOT = new URL('../../', import.meta.url).pathname;

export async function waitUntil(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface Replica {
  readonly name: string;
  readonly port: number;
  readonly metricsPort: number;
  /** `http://127.0.0.1:port` */
  readonly origin: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code once the process ends. */
  readonly exited: Promise<number | null>;
  /** Everything it wrote to stderr (it should write nothing). */
  stderr(): string;
}

/** Starts `node src/main.ts` on `port` with `env` and waits until `/ready` answers 200. */
export async function startReplica(
  name: string,
  port: number,
  metricsPort: number,
  env: Record<string, string>,
): Promise<Replica> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${port}`;
  const replica: Replica = { name, port, metricsPort, origin, process: child, exited, stderr: () => stderr };
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await waitUntil(`${name} is ready`, async () => {
    if (gone) throw new Error(`${name} exited while starting: ${stderr}`);
    return (await fetch(`${origin}/ready`)).status === 200;
  });
  return replica;
}

/**
 * HAProxy comes from Debian's packages (.ci/run installs it). So that `npm test` also works on a
 * fresh machine of this kind, where the session runs as root with apt, a missing HAProxy is
 * installed here the same way; elsewhere the error says what to install.
 */
export function ensureHaproxy(): void {
  const has = () => {
    try {
      execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return;
  if (process.getuid?.() === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      execFileSync('apt-get', ['install', '-y', '-q', 'haproxy'], { stdio: 'ignore', env });
    try {
      install();
    } catch {
      execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
      install();
    }
    if (has()) return;
  }
  throw new Error('The scale test needs HAProxy on the PATH: `apt-get install haproxy` (Debian/Ubuntu).');
}

export interface Balancer {
  /** `http://127.0.0.1:port` of the frontend. */
  readonly origin: string;
  /** HAProxy's view of each backend server: `UP`, `DOWN`, `MAINT`, … by replica name. */
  status(): Promise<Record<string, string>>;
  /** Requests (sessions) HAProxy has sent to each replica so far, by replica name. */
  sessions(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * HAProxy in front of `replicas`, round robin, checking `GET /ready` every 200 ms (each check
 * may take up to 1 s): three failed checks take a replica out, two good ones put it back. A connection that could not be made is
 * tried on another replica (`retry-on conn-failure` with `redispatch`: nothing was sent, so even a
 * mutation is safe to resend); nothing else is ever retried.
 */
export async function startBalancer(replicas: readonly Pick<Replica, 'name' | 'port'>[]): Promise<Balancer> {
  ensureHaproxy();
  const port = await freePort();
  const statsPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  timeout connect 1s',
      '  timeout client 30s',
      '  timeout server 30s',
      '  timeout http-keep-alive 2s',
      // A health check gets a second of its own: on two busy cores a /ready answer can take more
      // than the 200 ms check interval without the replica being unwell.
      '  timeout check 1s',
      '  retries 2',
      '  retry-on conn-failure',
      '  option redispatch',
      'frontend graphql',
      `  bind 127.0.0.1:${port}`,
      '  default_backend gateways',
      'backend gateways',
      '  balance roundrobin',
      '  option httpchk GET /ready',
      '  http-check expect status 200',
      '  default-server inter 200ms fastinter 100ms downinter 200ms fall 3 rise 2',
      ...replicas.map((r) => `  server ${r.name} 127.0.0.1:${r.port} check`),
      'listen stats',
      `  bind 127.0.0.1:${statsPort}`,
      '  stats enable',
      '  stats uri /stats',
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;
  /** One column of the stats CSV (`# pxname,svname,…`) for each server of the backend. */
  const column = async (name: string): Promise<Record<string, string>> => {
    const lines = (await (await fetch(statsUrl)).text()).split('\n');
    const header = (lines[0] ?? '').replace(/^# /, '').split(',');
    const at = header.indexOf(name);
    const out: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      if (cells[0] === 'gateways' && cells[1] !== 'BACKEND' && cells[1] !== undefined) {
        out[cells[1]] = cells[at] ?? '';
      }
    }
    return out;
  };
  const status = () => column('status');
  await waitUntil('HAProxy sees every replica up', async () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    const states = await status();
    return replicas.every((r) => states[r.name] === 'UP');
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    status,
    async sessions() {
      const totals = await column('stot');
      return Object.fromEntries(Object.entries(totals).map(([name, value]) => [name, Number(value)]));
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
