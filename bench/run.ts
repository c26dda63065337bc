/**
 * `npm run bench`: gateway overhead against a REST floor, a bare proxy and an Apollo +
 * RESTDataSource peer, all in front of one emulator process. Writes bench/RESULTS.md.
 * Env: BENCH_RUNS (3), BENCH_SECONDS (4, closed loop), BENCH_RATE_SECONDS (5, open loop),
 * BENCH_WARMUP (1 s), BENCH_CONNECTIONS (50), BENCH_MAX_RATE (200 ops/s), BENCH_DELAY_MS (20),
 * BENCH_PIN (1: contestants on CPU 1, emulator and load generator on CPU 0),
 * BENCH_SCENARIOS / BENCH_CONTESTANTS (comma lists, to narrow a run),
 * BENCH_BASELINE (git commit run as the `before` contestant; default the commit before the
 * performance work of issue #6; `none` to leave it out), BENCH_PROFILE (1: CPU-profile `before`
 * and `gateway` on BENCH_PROFILE_SCENARIO (3) for BENCH_PROFILE_SECONDS (5) each; 0: skip).
 * The gateway runs with the Node flags of `npm start` (package.json), so the bench measures what ships.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import {
  baselineWorktree,
  type Child,
  Children,
  cpuTicks,
  freePort,
  git,
  pin,
  procStatusKb,
  procTicks,
  startFlags,
  waitFor,
} from './harness.ts';
import { type ProfileSummary, summarizeProfile } from './profileSummary.ts';
import {
  AUTHORIZATION,
  autocannonRequests,
  BenchState,
  type Counters,
  runOperation,
  SCENARIOS,
  type Scenario,
  type ScenarioId,
  type Target,
} from './scenarios.ts';

const env = process.env;
const num = (name: string, fallback: number): number => {
  const value = Number(env[name]);
  return env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
};
const RUNS = Math.max(1, Math.round(num('BENCH_RUNS', 3)));
const SECONDS = Math.max(1, num('BENCH_SECONDS', 4));
const RATE_SECONDS = Math.max(1, num('BENCH_RATE_SECONDS', Math.min(SECONDS + 1, 5)));
const WARMUP = num('BENCH_WARMUP', 1);
const CONNECTIONS = Math.max(1, Math.round(num('BENCH_CONNECTIONS', 50)));
const MAX_RATE = Math.max(1, num('BENCH_MAX_RATE', 200));
const DELAY_MS = num('BENCH_DELAY_MS', 20);
const PIN = env.BENCH_PIN !== '0';
const ROOT = new URL('../', import.meta.url);
const BASELINE = env.BENCH_BASELINE ?? '69c0482';
const PROFILE = env.BENCH_PROFILE !== '0';
const PROFILE_SCENARIO = Math.round(num('BENCH_PROFILE_SCENARIO', 3)) as ScenarioId;
const PROFILE_SECONDS = Math.max(1, num('BENCH_PROFILE_SECONDS', 5));
const CONTESTANT_NAMES = ['rest', 'proxy', 'proxy+json', 'datasource-rest', 'before', 'gateway'] as const;
type ContestantName = (typeof CONTESTANT_NAMES)[number];
const onlyScenarios = env.BENCH_SCENARIOS?.split(',').map(Number);
const onlyContestants = env.BENCH_CONTESTANTS?.split(',');
const scenarios = SCENARIOS.filter((s) => !onlyScenarios || onlyScenarios.includes(s.id));
const contestantNames = CONTESTANT_NAMES.filter((c) => !onlyContestants || onlyContestants.includes(c));

// ---------------------------------------------------------------- processes (bench/harness.ts)

const children = new Children();

/** Starts `node [nodeArgs] <cwd>/<script>` as a bench child (stopped whatever happens). */
function start(
  name: string,
  script: string,
  childEnv: Record<string, string>,
  nodeArgs: readonly string[] = [],
  cwd = ROOT.pathname,
): Child {
  return children.start(name, script, { env: childEnv, nodeArgs, cwd });
}

function shortCommit(ref: string): string {
  return git(['rev-parse', '--short', ref]) ?? ref;
}

/**
 * A checkout of BASELINE (git worktree under .bench-baseline/, ignored by git) that shares this
 * checkout's node_modules, or undefined (with a note) when there is none to be had.
 */
function baselineCheckout(): string | undefined {
  if (BASELINE === '' || BASELINE === 'none') return undefined;
  try {
    return `${baselineWorktree(BASELINE)}/`;
  } catch (error) {
    process.stderr.write(
      `bench: no baseline checkout of ${BASELINE} (${String(error)}); 'before' left out\n`,
    );
    return undefined;
  }
}

/** Pins when BENCH_PIN allows it. */
function pinTo(pid: number | undefined, cpu: number): void {
  if (PIN) pin(pid, cpu);
}

// ---------------------------------------------------------------- /proc sampling

const readRssKb = (pid: number): number => procStatusKb(pid, 'VmRSS') ?? 0;

interface Sampler {
  stop(): { peakRssMb: number; cpuPct: number; core0Pct: number };
}
function sample(pid: number | undefined): Sampler {
  const t0 = performance.now();
  const ticks0 = pid ? (procTicks(pid) ?? 0) : 0;
  const cores0 = cpuTicks();
  let peak = pid ? readRssKb(pid) : 0;
  const timer = setInterval(() => {
    if (pid) peak = Math.max(peak, readRssKb(pid));
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      const cores1 = cpuTicks();
      const c0 = cores0[0];
      const c1 = cores1[0];
      const core0Pct = c0 && c1 ? (100 * (c1.busy - c0.busy)) / Math.max(1, c1.total - c0.total) : 0;
      const cpuPct = pid ? ((procTicks(pid) ?? ticks0) - ticks0) / seconds : 0; // 100 ticks/s = 100 %
      return { peakRssMb: pid ? Math.max(peak, readRssKb(pid)) / 1024 : 0, cpuPct, core0Pct };
    },
  };
}

// ---------------------------------------------------------------- measuring

interface RunResult {
  opsPerSec: number;
  p50: number;
  p99: number;
  upstreamPerOp: number;
  peakRssMb: number;
  cpuPct: number;
  core0Pct: number;
  ops: number;
  counters: Counters;
  errors: number;
  offeredRate?: number;
  /** Open loop: every operation's latency (ms, sorted), pooled across runs for the percentiles. */
  latencies?: number[];
}

let control = '';
async function upstreamCount(): Promise<number> {
  const res = await fetch(`${control}/__bench/count`);
  return ((await res.json()) as { count: number }).count;
}
async function resetUpstream(): Promise<void> {
  await fetch(`${control}/__bench/reset`, { method: 'POST' });
}
async function setDelay(ms: number): Promise<void> {
  await fetch(`${control}/__bench/delay?ms=${ms}`, { method: 'POST' });
}

/** Closed loop, max throughput: autocannon, CONNECTIONS connections. */
async function closedLoop(
  scenario: Scenario,
  target: Target,
  pid: number | undefined,
  state: BenchState,
  seconds: number,
): Promise<RunResult> {
  await resetUpstream();
  state.resetCounters();
  const sampler = sample(pid);
  const result = await autocannon({
    url: target.origin,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 10,
    requests: autocannonRequests(scenario.id, target, state),
  });
  const usage = sampler.stop();
  await sleep(50); // let the last in-flight upstream requests land before counting
  const upstream = await upstreamCount();
  const perOp = target.kind === 'rest' ? scenario.restRequests : 1;
  const ops = result['2xx'] / perOp;
  // Operations sent, including those still in flight when the window closed (their upstream
  // requests mostly landed already): a closer divisor than completed operations.
  const sentOps = result.requests.sent / perOp;
  return {
    opsPerSec: ops / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    upstreamPerOp: sentOps > 0 ? upstream / sentOps : 0,
    ...usage,
    ops,
    counters: state.resetCounters(),
    errors: result.errors + result.timeouts,
  };
}

/** Open loop at a fixed rate: operations are due every 1/rate s; latency counts from the due time. */
async function openLoop(
  scenario: Scenario,
  target: Target,
  pid: number | undefined,
  state: BenchState,
  rate: number,
  seconds: number,
): Promise<RunResult> {
  const pool = new Pool(target.origin, {
    connections: 256,
    pipelining: 1,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  await resetUpstream();
  state.resetCounters();
  const sampler = sample(pid);
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let failed = 0;
  let dropped = 0;
  const inflight = new Set<Promise<void>>();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
    if (inflight.size >= 1000) {
      dropped++;
      continue;
    }
    const p: Promise<void> = runOperation(scenario.id, target, state, pool).then(
      (ok) => {
        if (ok) latencies.push(performance.now() - due);
        else failed++;
      },
      () => {
        failed++;
      },
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await Promise.race([Promise.all(inflight), sleep(15000)]);
  const elapsed = (performance.now() - started) / 1000;
  const usage = sampler.stop();
  await sleep(50);
  const upstream = await upstreamCount();
  await pool.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const ops = latencies.length;
  return {
    opsPerSec: ops / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    latencies,
    upstreamPerOp: ops + failed > 0 ? upstream / (ops + failed) : 0,
    ...usage,
    ops,
    counters: state.resetCounters(),
    errors: failed + dropped,
    offeredRate: rate,
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const benchStart = Date.now();
  loadAtStart = loadavg()[0] ?? 0;
  pinTo(process.pid, 0);

  const emulatorChild = start('emulator', 'bench/emulatorWithDelay.ts', {
    EMULATOR_PORT: '0',
    BENCH_CONTROL_PORT: '0',
  });
  let upstreamUrl = '';
  await waitFor('emulator', async () => {
    const line = emulatorChild.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) return false;
    const info = JSON.parse(line) as { url: string; control: string };
    upstreamUrl = info.url;
    control = info.control;
    return true;
  });
  pinTo(emulatorChild.proc.pid, 0);
  const upstream = new URL(upstreamUrl);

  const listing = await fetch(`${upstreamUrl}/engagements/referrals?$top=100`, {
    headers: { authorization: AUTHORIZATION },
  });
  const seed = ((await listing.json()) as { value: { id: string; eTag: string }[] }).value;
  const state = new BenchState(seed);

  const targets = new Map<ContestantName, { target: Target; pid: number | undefined }>();
  targets.set('rest', {
    target: { name: 'rest', kind: 'rest', origin: upstream.origin, path: upstream.pathname },
    pid: undefined,
  });

  const graphqlReady = (url: string) => async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
      body: '{"query":"{ __typename }"}',
    });
    return res.status === 200;
  };
  for (const name of ['proxy', 'proxy+json'] as const) {
    if (!contestantNames.includes(name)) continue;
    const port = await freePort();
    const child = start(name, 'bench/peers/bareProxy.ts', {
      PORT: String(port),
      UPSTREAM_ORIGIN: upstream.origin,
      PROXY_JSON: name === 'proxy+json' ? '1' : '0',
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitFor(
      name,
      async () =>
        (
          await fetch(`${origin}${upstream.pathname}/engagements/referrals/${state.ids[0]}`, {
            headers: { authorization: AUTHORIZATION },
          })
        ).status === 200,
    );
    targets.set(name, {
      target: { name, kind: 'rest', origin, path: upstream.pathname },
      pid: child.proc.pid,
    });
  }
  if (contestantNames.includes('datasource-rest')) {
    const port = await freePort();
    const child = start('datasource-rest', 'bench/peers/datasourceRest.ts', {
      PORT: String(port),
      PARTNER_API_URL: upstreamUrl,
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitFor('datasource-rest', graphqlReady(`${origin}/`));
    targets.set('datasource-rest', {
      target: { name: 'datasource-rest', kind: 'graphql', origin, path: '/' },
      pid: child.proc.pid,
    });
  }
  const gatewayDirs = new Map<'before' | 'gateway', string>([['gateway', ROOT.pathname]]);
  const baseline = contestantNames.includes('before') ? baselineCheckout() : undefined;
  if (baseline) gatewayDirs.set('before', baseline);
  let gatewayChild: Child | undefined;
  const startGateway = async (name: 'before' | 'gateway', nodeArgs: readonly string[] = []) => {
    const dir = gatewayDirs.get(name) as string;
    const port = await freePort();
    const child = start(
      name,
      'src/main.ts',
      { PORT: String(port), HOST: '127.0.0.1', PARTNER_API_URL: upstreamUrl, LOG_LEVEL: 'warn' },
      [...startFlags(dir), ...nodeArgs],
      dir,
    );
    const origin = `http://127.0.0.1:${port}`;
    await waitFor(name, graphqlReady(`${origin}/graphql`));
    pinTo(child.proc.pid, 1);
    if (name === 'gateway') gatewayChild ??= child;
    return { child, target: { name, kind: 'graphql', origin, path: '/graphql' } satisfies Target };
  };
  for (const name of ['before', 'gateway'] as const) {
    if (!contestantNames.includes(name) || !gatewayDirs.has(name)) continue;
    const { child, target } = await startGateway(name);
    targets.set(name, { target, pid: child.proc.pid });
  }
  for (const { pid } of targets.values()) if (pid) pinTo(pid, 1);
  const active = contestantNames.filter((c) => targets.has(c));

  // One checked operation per scenario and contestant before measuring.
  const verified = new Map<string, string>();
  {
    const pools = new Map<string, Pool>();
    for (const name of active) {
      const { target } = targets.get(name) as { target: Target };
      const pool = new Pool(target.origin, { connections: 4 });
      pools.set(name, pool);
      for (const scenario of scenarios) {
        let ok = false;
        let note = '';
        try {
          ok = await runOperation(scenario.id, target, state, pool);
          const c = state.resetCounters();
          if (!ok)
            note = `failed (bad status ${c.badStatus}, GraphQL errors ${c.gqlErrors}, conflicts ${c.conflicts})`;
        } catch (error) {
          note = `failed: ${String(error)}`;
        }
        verified.set(`${scenario.id}/${name}`, ok ? 'ok' : note);
        if (!ok) process.stderr.write(`bench: check of scenario ${scenario.id} on ${name} ${note}\n`);
      }
      await pool.close();
    }
  }

  const results = new Map<string, RunResult[]>(); // `${setting}/${scenario}/${contestant}`
  const add = (key: string, r: RunResult) => results.set(key, [...(results.get(key) ?? []), r]);
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const skip = (scenario: Scenario, name: ContestantName) => verified.get(`${scenario.id}/${name}`) !== 'ok';

  // Setting 1: instant upstream, closed loop.
  await setDelay(0);
  for (let run = 1; run <= RUNS; run++) {
    for (const scenario of scenarios) {
      if (scenario.id === 4) state.refresh(await currentEtags(upstreamUrl));
      for (const name of active) {
        if (skip(scenario, name)) continue;
        const { target, pid } = targets.get(name) as { target: Target; pid: number | undefined };
        if (run === 1 && WARMUP > 0) await closedLoop(scenario, target, pid, state, WARMUP);
        const r = await closedLoop(scenario, target, pid, state, SECONDS);
        add(`instant/${scenario.id}/${name}`, r);
        log(
          `instant run ${run} s${scenario.id} ${name.padEnd(15)} ${r.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${r.p50} p99 ${r.p99} ms  up/op ${r.upstreamPerOp.toFixed(2)}  rss ${r.peakRssMb.toFixed(0)} MB  cpu ${r.cpuPct.toFixed(0)}%  core0 ${r.core0Pct.toFixed(0)}%  bad ${r.counters.badStatus}/${r.counters.gqlErrors}/${r.errors} conflicts ${r.counters.conflicts}`,
        );
      }
    }
  }

  // Fixed rate per scenario: half the slowest GraphQL contestant's peak, at most MAX_RATE ops/s.
  const rates = new Map<ScenarioId, number>();
  for (const scenario of scenarios) {
    const peaks = active
      .filter((n) => n === 'gateway' || n === 'datasource-rest' || n === 'before')
      .map((n) => median((results.get(`instant/${scenario.id}/${n}`) ?? []).map((r) => r.opsPerSec)))
      .filter((v) => Number.isFinite(v) && v > 0);
    const slowest = peaks.length ? Math.min(...peaks) : MAX_RATE * 2;
    rates.set(scenario.id, Math.max(5, Math.min(MAX_RATE, Math.floor(slowest / 2 / 5) * 5)));
  }

  // Setting 2: DELAY_MS upstream, open loop at a fixed rate.
  await setDelay(DELAY_MS);
  for (let run = 1; run <= RUNS; run++) {
    for (const scenario of scenarios) {
      if (scenario.id === 4) state.refresh(await currentEtags(upstreamUrl));
      const rate = rates.get(scenario.id) ?? MAX_RATE;
      for (const name of active) {
        if (skip(scenario, name)) continue;
        const { target, pid } = targets.get(name) as { target: Target; pid: number | undefined };
        if (run === 1 && WARMUP > 0) await openLoop(scenario, target, pid, state, rate, Math.min(WARMUP, 1));
        const r = await openLoop(scenario, target, pid, state, rate, RATE_SECONDS);
        add(`delay/${scenario.id}/${name}`, r);
        log(
          `${DELAY_MS}ms run ${run} s${scenario.id} ${name.padEnd(15)} ${rate} ops/s offered, ${r.opsPerSec.toFixed(0)} done  p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms  up/op ${r.upstreamPerOp.toFixed(2)}  rss ${r.peakRssMb.toFixed(0)} MB  bad ${r.counters.badStatus}/${r.counters.gqlErrors}/${r.errors} conflicts ${r.counters.conflicts}`,
        );
      }
    }
  }
  await setDelay(0);

  // CPU profiles of the old and the new gateway on one scenario, one after the other, each in a
  // fresh process started with --cpu-prof (written when it exits).
  const profiles = new Map<'before' | 'gateway', ProfileSummary>();
  const profiled = scenarios.find((s) => s.id === PROFILE_SCENARIO);
  if (PROFILE && profiled) {
    for (const name of ['before', 'gateway'] as const) {
      if (!targets.has(name)) continue;
      const dir = mkdtempSync(join(tmpdir(), `bench-prof-${name}-`));
      const { child, target } = await startGateway(name, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
      if (profiled.id === 4) state.refresh(await currentEtags(upstreamUrl));
      await closedLoop(profiled, target, child.proc.pid, state, Math.max(1, WARMUP));
      const fromUs = Number(process.hrtime.bigint() / 1000n);
      const r = await closedLoop(profiled, target, child.proc.pid, state, PROFILE_SECONDS);
      const toUs = Number(process.hrtime.bigint() / 1000n);
      await children.stop(child);
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      const json = file ? readFileSync(join(dir, file), 'utf8') : undefined;
      rmSync(dir, { recursive: true, force: true });
      if (json === undefined) {
        process.stderr.write(`bench: ${name} wrote no CPU profile\n`);
        continue;
      }
      profiles.set(name, summarizeProfile(json, r.ops, r.opsPerSec, { fromUs, toUs }));
      log(
        `profile ${name}: ${r.opsPerSec.toFixed(0)} ops/s, ${profiles.get(name)?.cpuMsPerOp.toFixed(2)} ms CPU/op`,
      );
    }
  }

  const report = renderReport({
    results,
    verified,
    active,
    rates,
    seconds: (Date.now() - benchStart) / 1000,
    gatewayStderr: `${gatewayChild?.stdout ?? ''}${gatewayChild?.stderr ?? ''}`, // pino logs to stdout
    profiles,
    baseline: baseline ? shortCommit(BASELINE) : undefined,
  });
  writeFileSync(new URL('RESULTS.md', import.meta.url), report);
  log(`bench: wrote bench/RESULTS.md in ${((Date.now() - benchStart) / 1000).toFixed(0)} s`);
}

/** 1-minute load average when the bench started (before it spawned anything): other work on the box shows here. */
let loadAtStart = 0;

async function currentEtags(upstreamUrl: string): Promise<{ id: string; eTag: string }[]> {
  const res = await fetch(`${upstreamUrl}/engagements/referrals?$top=100`, {
    headers: { authorization: AUTHORIZATION },
  });
  return ((await res.json()) as { value: { id: string; eTag: string }[] }).value;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

// ---------------------------------------------------------------- report

interface ReportInput {
  results: Map<string, RunResult[]>;
  verified: Map<string, string>;
  active: ContestantName[];
  rates: Map<ScenarioId, number>;
  seconds: number;
  gatewayStderr: string;
  profiles: ReadonlyMap<'before' | 'gateway', ProfileSummary>;
  /** Short commit the `before` contestant ran, when it ran. */
  baseline: string | undefined;
}

function machine(): string {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return `${model.trim()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`;
}

function fmt(v: number, digits = 0): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

/** The runs of one setting, scenario and contestant. */
function runsOf(
  results: ReportInput['results'],
  setting: string,
  s: ScenarioId,
  c: ContestantName,
): RunResult[] {
  return results.get(`${setting}/${s}/${c}`) ?? [];
}

/**
 * Open-loop percentile over every operation of every run pooled (3 × 5 s at 200 ops/s is 3,000
 * samples, so p99 rests on 30 of them): steadier than the median of three per-run p99s.
 */
function pooledPercentile(rs: readonly RunResult[], q: number): number {
  const all = rs.flatMap((r) => r.latencies ?? []).sort((a, b) => a - b);
  return all.length ? (all[Math.min(all.length - 1, Math.floor(q * all.length))] as number) : Number.NaN;
}

/** Issue #6's targets, each checked against this run's figures. */
function renderTargets(input: ReportInput, out: (s?: string) => void): void {
  const get = (setting: string, s: ScenarioId, c: ContestantName) => runsOf(input.results, setting, s, c);
  const ops = (s: ScenarioId, c: ContestantName) => median(get('instant', s, c).map((r) => r.opsPerSec));
  const pct = (setting: string, s: ScenarioId, c: ContestantName, q: number) =>
    pooledPercentile(get(setting, s, c), q);
  const mark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'met' : '**not met**');
  const rows: [string, string, boolean | undefined][] = [];
  for (const s of scenarios) {
    const ratio = ops(s.id, 'gateway') / ops(s.id, 'datasource-rest');
    rows.push([
      `${s.id}. ahead of datasource-rest (instant upstream)`,
      Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–',
      Number.isFinite(ratio) ? ratio > 1 : undefined,
    ]);
  }
  const proxy = ops(1, 'gateway') / ops(1, 'proxy');
  rows.push([
    '1. ≥ 0.50× the bare proxy (instant upstream)',
    Number.isFinite(proxy) ? `${proxy.toFixed(2)}×` : '–',
    Number.isFinite(proxy) ? proxy >= 0.5 : undefined,
  ]);
  for (const s of scenarios) {
    const p50 = pct('delay', s.id, 'gateway', 0.5) - pct('delay', s.id, 'rest', 0.5);
    const p99 = pct('delay', s.id, 'gateway', 0.99) - pct('delay', s.id, 'rest', 0.99);
    const floor = (c: ContestantName) =>
      `${fmt(pct('delay', s.id, c, 0.5) - pct('delay', s.id, 'rest', 0.5), 2)} / ${fmt(pct('delay', s.id, c, 0.99) - pct('delay', s.id, 'rest', 0.99), 2)}`;
    rows.push([
      `${s.id}. added latency at ${DELAY_MS} ms upstream, fixed rate: p50 < 2 ms, p99 < 10 ms`,
      `${fmt(p50, 2)} / ${fmt(p99, 2)} ms (proxy adds ${floor('proxy')}, proxy+json ${floor('proxy+json')})`,
      Number.isFinite(p50) && Number.isFinite(p99) ? p50 < 2 && p99 < 10 : undefined,
    ]);
  }
  const bound: Record<ScenarioId, number> = { 1: 1, 2: 1, 3: 1, 4: 2, 5: 20 };
  for (const s of scenarios) {
    const delayed = get('delay', s.id, 'gateway').map((r) => r.upstreamPerOp);
    const worst = delayed.length ? Math.max(...delayed) : Number.NaN;
    rows.push([
      `${s.id}. upstream requests per operation ${s.id === 5 ? '≤ 20' : `= ${bound[s.id]}`} (fixed rate, every operation counted)`,
      fmt(worst, 2),
      Number.isFinite(worst) ? (s.id === 5 ? worst <= 20 : Math.abs(worst - bound[s.id]) < 0.005) : undefined,
    ]);
  }
  out('## Targets (issue #6), checked against this run');
  out();
  out('| target | measured | |');
  out('|---|---|---|');
  for (const [what, measured, ok] of rows) out(`| ${what} | ${measured} | ${mark(ok)} |`);
  out();
}

function renderProfiles(input: ReportInput, out: (s?: string) => void): void {
  const before = input.profiles.get('before');
  const after = input.profiles.get('gateway');
  if (!before && !after) return;
  const scenario = scenarios.find((s) => s.id === PROFILE_SCENARIO);
  out(
    `## CPU profile, before (${input.baseline ?? '–'}) and after, scenario ${PROFILE_SCENARIO} (${scenario?.title ?? ''})`,
  );
  out();
  out(
    `Each gateway in a fresh process with \`--cpu-prof\`, ${WARMUP || 1} s warm-up, then ${PROFILE_SECONDS} s closed loop (${CONNECTIONS} connections, instant upstream), one after the other in this run. Only the samples of the measured ${PROFILE_SECONDS} s count; idle time is left out. Figures are ms of CPU per operation.`,
  );
  out();
  const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));
  out('| | before | after | after / before |');
  out('|---|---|---|---|');
  const row = (label: string, b: number | undefined, a: number | undefined, digits = 3) =>
    out(
      `| ${label} | ${b === undefined ? '–' : b.toFixed(digits)} | ${a === undefined ? '–' : a.toFixed(digits)} | ${b && a ? `${(a / b).toFixed(2)}×` : '–'} |`,
    );
  row('ops/s while profiled', before?.opsPerSec, after?.opsPerSec, 0);
  row('**CPU ms per operation**', before?.cpuMsPerOp, after?.cpuMsPerOp);
  const categories = new Set([...(before?.byCategory.keys() ?? []), ...(after?.byCategory.keys() ?? [])]);
  for (const c of categories) {
    const b = before?.byCategory.get(c);
    const a = after?.byCategory.get(c);
    if ((b ?? 0) < 0.005 && (a ?? 0) < 0.005) continue;
    row(`  ${c}`, b ?? 0, a ?? 0);
  }
  out();
  for (const [label, p] of [
    ['before', before],
    ['after', after],
  ] as const) {
    if (!p) continue;
    out(`Top functions by self time, ${label} (ms per operation):`);
    out();
    for (const [name, v] of p.topFunctions) out(`- ${ms(v)} ${name.replaceAll('|', '\\|')}`);
    out();
  }
}

function renderReport(input: ReportInput): string {
  const { results, verified, active, rates } = input;
  const get = (setting: string, s: ScenarioId, c: ContestantName) => runsOf(results, setting, s, c);
  const med = (rs: RunResult[], f: (r: RunResult) => number) => median(rs.map(f));
  const latency = (rs: RunResult[], q: 'p50' | 'p99') =>
    rs.some((r) => r.latencies) ? pooledPercentile(rs, q === 'p50' ? 0.5 : 0.99) : med(rs, (r) => r[q]);
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);

  out('# Bench results');
  out();
  out(
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. Indicative: one machine, few short runs.',
  );
  out();
  out(`- Machine: ${machine()}`);
  out(
    `- Node ${process.version}; date ${new Date().toISOString()}; bench took ${fmt(input.seconds)} s; 1-min load average ${loadAtStart.toFixed(2)} at start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end (above ~2 on 2 cores means other work competed for the CPUs)`,
  );
  out(
    `- Settings: ${RUNS} run(s) interleaved (run → scenario → contestant); closed loop ${SECONDS} s per run, ${CONNECTIONS} connections (autocannon), ${WARMUP} s warm-up per scenario × contestant before run 1; fixed-rate runs ${RATE_SECONDS} s; upstream delay ${DELAY_MS} ms in the second table; CPU pinning ${PIN ? 'on (contestant on CPU 1; emulator and load generator on CPU 0)' : 'off'}.`,
  );
  out(
    `- Contestants: **rest** = the REST calls straight to the emulator (the floor); **proxy** = bench/peers/bareProxy.ts (node:http + undici Pool, streamed); **proxy+json** = the same proxy reading each JSON answer whole, parsing and re-serializing it (the least any layer that looks at the data, as GraphQL must, can add); **datasource-rest** = bench/peers/datasourceRest.ts (Apollo Server 5 standalone with defaults + RESTDataSource with its default fetcher + buildSubgraphSchema, naive resolvers); **gateway** = \`${['node', ...startFlags(ROOT.pathname), 'src/main.ts'].join(' ')}\` as \`npm start\` runs it (NODE_ENV=production, LOG_LEVEL=warn); **before** = the same gateway at commit ${input.baseline ?? '(not run)'}, the last commit before the performance work (a git worktree sharing node_modules, started with its own \`npm start\` flags). All are separate processes on 127.0.0.1 in front of one emulator process (bench/emulatorWithDelay.ts).`,
  );
  out(
    '- Every GraphQL answer is checked (HTTP 200, no `errors`; scenario 4 also reads the result type); every REST answer must be 2xx.',
  );
  out();

  const ratio = (setting: string, s: ScenarioId, a: ContestantName, b: ContestantName) => {
    const x = med(get(setting, s, a), (r) => r.opsPerSec);
    const y = med(get(setting, s, b), (r) => r.opsPerSec);
    return Number.isFinite(x) && Number.isFinite(y) && y > 0 ? `${(x / y).toFixed(2)}×` : '–';
  };
  renderTargets(input, out);
  out('## Headline (instant upstream, throughput ratios of medians)');
  out();
  out('| scenario | gateway / rest | gateway / proxy | gateway / datasource-rest | gateway / before |');
  out('|---|---|---|---|---|');
  for (const s of scenarios) {
    out(
      `| ${s.id}. ${s.title} | ${ratio('instant', s.id, 'gateway', 'rest')} | ${ratio('instant', s.id, 'gateway', 'proxy')} | ${ratio('instant', s.id, 'gateway', 'datasource-rest')} | ${ratio('instant', s.id, 'gateway', 'before')} |`,
    );
  }
  out();
  out(`## Headline (${DELAY_MS} ms upstream, fixed rate: latency the gateway adds over the rest floor)`);
  out();
  out(
    '| scenario | rate (ops/s) | rest p50 / p99 ms | gateway p50 / p99 ms | added p50 / p99 ms | proxy added p50 / p99 ms | proxy+json added p50 / p99 ms | datasource-rest added p50 / p99 ms | before added p50 / p99 ms |',
  );
  out('|---|---|---|---|---|---|---|---|---|');
  for (const s of scenarios) {
    const rest = get('delay', s.id, 'rest');
    const gw = get('delay', s.id, 'gateway');
    const ds = get('delay', s.id, 'datasource-rest');
    const before = get('delay', s.id, 'before');
    const proxy = get('delay', s.id, 'proxy');
    const proxyJson = get('delay', s.id, 'proxy+json');
    const p = latency;
    const added = (rs: RunResult[]) =>
      `${fmt(p(rs, 'p50') - p(rest, 'p50'), 2)} / ${fmt(p(rs, 'p99') - p(rest, 'p99'), 2)}`;
    out(
      `| ${s.id}. ${s.title} | ${rates.get(s.id) ?? '–'} | ${fmt(p(rest, 'p50'), 2)} / ${fmt(p(rest, 'p99'), 2)} | ${fmt(p(gw, 'p50'), 2)} / ${fmt(p(gw, 'p99'), 2)} | ${added(gw)} | ${added(proxy)} | ${added(proxyJson)} | ${added(ds)} | ${added(before)} |`,
    );
  }
  out();

  const table = (setting: 'instant' | 'delay') => {
    const closed = setting === 'instant';
    out(
      closed
        ? `## Instant upstream: max throughput (closed loop, autocannon, ${CONNECTIONS} connections, ${SECONDS} s × ${RUNS})`
        : `## ${DELAY_MS} ms upstream: fixed rate (open loop, undici, latency from each operation's due time, ${RATE_SECONDS} s × ${RUNS}, percentiles over all runs' operations pooled)`,
    );
    out();
    out(
      `| scenario | contestant | ${closed ? 'ops/s (median, min–max)' : 'offered / done ops/s'} | p50 ms | p99 ms | upstream req/op | peak RSS MB | CPU % | core 0 % | failed / conflicts |`,
    );
    out('|---|---|---|---|---|---|---|---|---|---|');
    for (const s of scenarios) {
      for (const c of active) {
        const rs = get(setting, s.id, c);
        const check = verified.get(`${s.id}/${c}`);
        if (rs.length === 0) {
          out(`| ${s.id}. ${s.title} | ${c} | skipped: ${check ?? 'not run'} | | | | | | | |`);
          continue;
        }
        const ops = rs.map((r) => r.opsPerSec);
        const opsCell = closed
          ? `${fmt(median(ops))} (${fmt(Math.min(...ops))}–${fmt(Math.max(...ops))})`
          : `${rates.get(s.id)} / ${fmt(median(ops))}`;
        const failed = rs.reduce((a, r) => a + r.counters.badStatus + r.counters.gqlErrors + r.errors, 0);
        const conflicts = rs.reduce((a, r) => a + r.counters.conflicts, 0);
        const isRest = c === 'rest';
        out(
          `| ${s.id}. ${s.title} | ${c} | ${opsCell} | ${fmt(latency(rs, 'p50'), closed ? 0 : 2)} | ${fmt(
            latency(rs, 'p99'),
            closed ? 0 : 2,
          )} | ${fmt(
            med(rs, (r) => r.upstreamPerOp),
            2,
          )} | ${isRest ? '–' : fmt(Math.max(...rs.map((r) => r.peakRssMb)))} | ${isRest ? '–' : fmt(med(rs, (r) => r.cpuPct))} | ${fmt(med(rs, (r) => r.core0Pct))} | ${failed} / ${conflicts} |`,
        );
      }
    }
    out();
  };
  table('instant');
  table('delay');
  renderProfiles(input, out);

  out('## Notes');
  out();
  out(
    '- **ops/s**: completed operations per second. For rest/proxy an operation is the REST request(s) of the scenario (see below); in the closed loop autocannon sends them one after another on a connection, so ops/s = 2xx responses ÷ requests per operation, and the p50/p99 of those rows are **per HTTP request**, not per operation. In the open loop (second table) an operation is timed whole for every contestant.',
  );
  for (const s of scenarios)
    out(`  - scenario ${s.id}: rest/proxy = ${s.restShape} (${s.restRequests} request(s) per operation)`);
  out(
    "- **upstream req/op**: requests the emulator received during the measured window ÷ operations sent in it (closed loop: autocannon's sent count, so operations still in flight at the end are in the divisor; open loop: all operations, failed ones included).",
  );
  out(
    '- **peak RSS**: highest VmRSS of the contestant process sampled every 100 ms during the window (for `rest` there is no contestant process). **CPU %**: the contestant process (100 % = one core). **core 0 %**: busy share of CPU 0, where the load generator and the emulator run; near 100 % means the floor, not the contestant, limits that row.',
  );
  out(
    "- **fixed rate**: half of the slowest GraphQL contestant's median peak on that scenario (instant upstream), capped at " +
      MAX_RATE +
      " ops/s, the same offered load for every contestant. autocannon's `overallRate` sends each second's quota in a burst per connection, so the open loop is a small undici generator (bench/run.ts `openLoop`) with sub-ms timing.",
  );
  out(
    '- **failed / conflicts**: summed over runs; failed = non-2xx, GraphQL `errors`, socket errors or timeouts. Conflicts (scenario 4) are stale-eTag answers (GraphQL ReferralPreconditionFailed, REST 412): each request updates the next referral of the seed with the eTag the client last saw (kept from every answer), so only overlapping updates of the same referral conflict.',
  );
  out(
    '- datasource-rest peer: updateReferral is the naive GET, shallow merge, PUT If-Match; `_entities` comes from buildSubgraphSchema + `__resolveReference` (one GET per representation, no batching).',
  );
  const warnings = input.gatewayStderr.split('\n').filter((l) => l.trim() !== '');
  out(
    `- Gateway log lines (LOG_LEVEL=warn, stdout and stderr) during the bench: ${warnings.length} line(s)${warnings.length ? `; first: \`${(warnings[0] ?? '').slice(0, 300)}\`` : ''}.`,
  );
  const bad = [...verified].filter(([, v]) => v !== 'ok');
  if (bad.length)
    out(`- Pre-checks that failed (those rows skipped): ${bad.map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  out();
  return lines.join('\n');
}

const guard = setTimeout(() => {
  process.stderr.write('bench: took longer than 30 minutes, giving up\n');
  void children.stopAll().then(() => process.exit(2));
}, 30 * 60_000);
guard.unref();
children.stopOnExit();
try {
  await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await children.stopAll();
}
