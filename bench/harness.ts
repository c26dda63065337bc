/**
 * Helpers for bench scripts that start their own emulator and gateway processes and watch them
 * through /proc (bench/run.ts, bench/hostileLoad.ts): child processes stopped however the bench
 * ends, free ports, CPU pinning, baseline worktrees, /proc readers, percentiles.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** This checkout's root directory, with a trailing slash. */
export const ROOT = new URL('../', import.meta.url).pathname;

/** A non-negative number from the environment, or `fallback` when unset or not one. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = Number(raw);
  return raw !== undefined && raw !== '' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- child processes

export interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  stdout: string;
  stderr: string;
  /** How and when (ms since the epoch) it exited, once it has. */
  exit?: { readonly how: string; readonly at: number };
  /** Set before we stop it, so its exit is not reported as a crash. */
  stopping: boolean;
}

export interface StartOptions {
  /** Its environment, besides PATH, HOME and NODE_ENV=production. */
  readonly env: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  /** The checkout it runs in (default this one); `script` is relative to it. */
  readonly cwd?: string;
  /** Called with every whole line it writes to stdout or stderr, none left out. */
  readonly onLine?: (line: string) => void;
}

/** Bytes of each output stream kept in `Child.stdout`/`stderr`: a chatty gateway must not grow our heap. */
const KEPT_OUTPUT = 65536;

/** Every process a bench starts, so that all of them are stopped however the bench ends. */
export class Children {
  readonly #all: Child[] = [];

  /** Starts `node [nodeArgs] <cwd>/<script>` with only the given environment. */
  start(name: string, script: string, options: StartOptions): Child {
    const cwd = options.cwd ?? ROOT;
    const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), join(cwd, script)], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'production',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child: Child = { name, proc, stdout: '', stderr: '', stopping: false };
    for (const stream of ['stdout', 'stderr'] as const) {
      let partial = '';
      proc[stream]?.setEncoding('utf8'); // whole characters, even when a chunk splits one
      proc[stream]?.on('data', (text: string) => {
        if (child[stream].length < KEPT_OUTPUT) child[stream] += text;
        if (!options.onLine) return;
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) options.onLine(line);
      });
    }
    proc.on('exit', (code, signal) => {
      child.exit = { how: signal ?? `code ${code}`, at: Date.now() };
      if (!child.stopping)
        process.stderr.write(`bench: ${name} exited (${child.exit.how})\n${child.stderr.slice(-2000)}\n`);
    });
    this.#all.push(child);
    return child;
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  async stop(child: Child): Promise<void> {
    child.stopping = true;
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
    const exited = new Promise((resolve) => child.proc.once('exit', resolve));
    child.proc.kill('SIGTERM');
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#all.map((c) => this.stop(c)));
  }

  /** Synchronous last resort for `process.on('exit')`, where nothing can be awaited. */
  killAllNow(): void {
    for (const c of this.#all) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    }
  }

  /**
   * Stops every child on SIGINT/SIGTERM and kills any left when this process exits, so neither a
   * failure nor Ctrl-C leaves an emulator or a gateway running.
   */
  stopOnExit(): void {
    const onSignal = (code: number) => () => void this.stopAll().then(() => process.exit(code));
    process.once('SIGINT', onSignal(130));
    process.once('SIGTERM', onSignal(143));
    process.once('exit', () => this.killAllNow());
  }
}

/** The Node flags of `npm start` ("node <flags> src/main.ts") in the checkout at `dir`. */
export function startFlags(dir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const words = (pkg.scripts?.start ?? '').trim().split(/\s+/);
  const at = words.indexOf('src/main.ts');
  return words[0] === 'node' && at > 0 ? words.slice(1, at) : [];
}

/**
 * `work` on every item, at most `limit` at a time, in order of `items`. The contestants are
 * pinned to one CPU: started all at once, a dozen processes loading the gateway's modules there
 * each took over 20 s to become ready and none was measured.
 */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/** Polls `probe` every 100 ms for at most `ms`. */
export async function waitFor(what: string, probe: () => Promise<boolean>, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`bench: ${what} did not become ready within ${ms} ms`);
}

/** Pins every thread of `pid` to one CPU (taskset), so contestants do not share a core with the load. */
export function pin(pid: number | undefined, cpu: number): void {
  if (pid === undefined) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`bench: could not pin ${pid} to CPU ${cpu}\n`);
  }
}

// ---------------------------------------------------------------- git checkouts

/** `git <args>` in `cwd`, trimmed, or undefined when git fails (not a checkout, unknown ref). */
export function git(args: readonly string[], cwd = ROOT): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * A checkout of `ref`: a git worktree under .bench-baseline/<sha>/ (ignored by git, as bench/run.ts
 * makes them) sharing this checkout's node_modules, created on first use.
 */
export function baselineWorktree(ref: string): string {
  const sha = git(['rev-parse', '--short', `${ref}^{commit}`]);
  if (sha === undefined) throw new Error(`bench: ${ref} is not a commit of this repository`);
  const dir = join(ROOT, '.bench-baseline', sha);
  if (!existsSync(dir)) {
    execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd: ROOT, stdio: 'ignore' });
  }
  if (!existsSync(join(dir, 'node_modules')))
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

// ---------------------------------------------------------------- /proc

/** A `Vm*` field of /proc/<pid>/status in kB (VmRSS, VmHWM), or undefined once the process is gone. */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time of `pid` in clock ticks (utime + stime; 100 per CPU-second), or undefined once it is gone. */
export function procTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Busy and total ticks of each CPU since boot (/proc/stat). */
export function cpuTicks(): { busy: number; total: number }[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l))
    .map((l) => {
      const v = l.trim().split(/\s+/).slice(1).map(Number);
      const idle = (v[3] ?? 0) + (v[4] ?? 0);
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      return { busy: total - idle, total };
    });
}

export function machine(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return `${model.trim()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`;
}

// ---------------------------------------------------------------- statistics

/** The `q` quantile of ascending `sorted` values (NaN when empty), as bench/run.ts computes it. */
export function percentile(sorted: readonly number[], q: number): number {
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) : NaN;
}

export function fmt(v: number, digits = 0): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}
