/**
 * `npm run bench` (`npm run bench:quick` for a smoke run): the gateway against a REST floor,
 * proxies, two GraphQL floors and an Apollo + RESTDataSource peer, all in front of one emulator
 * process, on every
 * scenario of bench/scenarios.ts. Writes bench/RESULTS.md and its charts (bench/charts/*.svg);
 * settings in bench/config.ts. This file only sequences the steps:
 *   start (processes.ts) → check one operation per scenario × contestant (operations.ts) →
 *   instant upstream, closed loop → fixed rate at the upstream delay (load.ts, sampling.ts) →
 *   CPU profiles (profile.ts) → report and charts (report.ts, charts.ts: pure) → files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Pool } from 'undici';
import { addedLatencyChart, cpuPerOpChart } from './charts.ts';
import { loadBenchConfig } from './config.ts';
import { appliesTo, CONTESTANTS, type ContestantName, isGatewayProcess } from './contestants.ts';
import { checkExpectations, heldByOwnWork } from './expectations.ts';
import { Children, eachLimited, machine, ROOT, startFlags } from './harness.ts';
import { closedLoop, type Measured, openLoop, type Window } from './load.ts';
import { runOperation } from './operations.ts';
import {
  baselineCheckout,
  cleanRedis,
  Lineup,
  pinTo,
  redisReachable,
  type StartContext,
  startContestant,
  startOtlpSink,
  startUpstream,
  variantKey,
  variantOf,
} from './processes.ts';
import { profileGateway } from './profile.ts';
import type { ProfileSummary } from './profileSummary.ts';
import { renderReport } from './report.ts';
import {
  type BenchResults,
  median,
  type OwnWorkProfile,
  type Precheck,
  type RunRecord,
  type Setting,
} from './results.ts';
import { RELATED_PAGE_ENGAGEMENTS, RELATED_PAGE_SIZE, type Scenario, type ScenarioId } from './scenarios.ts';
import { BenchState } from './state.ts';

const cfg = loadBenchConfig();
const children = new Children();
const log = (s: string) => process.stdout.write(`${s}\n`);
const BENCH_DIR = new URL('./', import.meta.url);
/** Contestants started at once (bench/harness.ts `eachLimited`: they share one pinned CPU). */
const STARTING_AT_ONCE = 2;
/** Deletes the bench's keys on Redis (once gateway+redis-apq may have written some); run however the bench ends. */
let redisCleanup: (() => Promise<number>) | undefined;

async function main(): Promise<void> {
  const benchStart = Date.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const notes: string[] = [];
  pinTo(cfg.pin, process.pid, 0);

  const upstream = await startUpstream(children, cfg.pin);
  const state = new BenchState(await upstream.list(100));
  const page = await upstream.list(RELATED_PAGE_SIZE);
  state.engagementIds = [...new Set(page.flatMap((r) => (r.engagementId ? [r.engagementId] : [])))];
  if (state.engagementIds.length !== RELATED_PAGE_ENGAGEMENTS)
    notes.push(
      `The seed's newest ${RELATED_PAGE_SIZE} referrals have ${state.engagementIds.length} distinct engagements, not the ${RELATED_PAGE_ENGAGEMENTS} bench/scenarios.ts expects: update RELATED_PAGE_ENGAGEMENTS.`,
    );

  // What has to run: each applicable contestant once per distinct scenario environment.
  let wanted = cfg.contestants.filter((c) => cfg.scenarios.some((s) => appliesTo(s, c)));
  const baseline = wanted.includes('before') ? baselineCheckout(cfg.baseline) : undefined;
  if (wanted.includes('before') && !baseline) {
    wanted = wanted.filter((c) => c !== 'before');
    notes.push(`No checkout of the baseline ${cfg.baseline}: \`before\` left out.`);
  }
  const redisPrefix = `bench-${process.pid}-${Date.now().toString(36)}:`;
  if (wanted.includes('gateway+redis-apq') && !(await redisReachable(cfg.redisUrl))) {
    wanted = wanted.filter((c) => c !== 'gateway+redis-apq');
    notes.push(`Redis at ${cfg.redisUrl} did not answer: \`gateway+redis-apq\` left out.`);
  }
  if (wanted.includes('gateway+redis-apq')) redisCleanup = () => cleanRedis(cfg.redisUrl, redisPrefix);
  const traced = wanted.filter((c) => c.endsWith('+tracing'));
  const sink = traced.length > 0 ? await startOtlpSink(children, cfg.pin) : undefined;
  const ctx: StartContext = {
    children,
    upstream,
    pin: cfg.pin,
    redisUrl: cfg.redisUrl,
    redisPrefix,
    ...(sink ? { otlpUrl: sink.url } : {}),
    ...(baseline ? { baselineDir: baseline.dir } : {}),
  };
  const lineup = new Lineup();
  const starts = new Map<string, { name: ContestantName; variant: Readonly<Record<string, string>> }>();
  for (const s of cfg.scenarios)
    for (const c of wanted)
      if (appliesTo(s, c)) starts.set(Lineup.key(c, variantOf(s, c)), { name: c, variant: variantOf(s, c) });
  await eachLimited([...starts.values()], STARTING_AT_ONCE, async ({ name, variant }) => {
    try {
      lineup.set(name, variant, await startContestant(ctx, name, variant));
    } catch (error) {
      const key = variantKey(variant);
      notes.push(`${name}${key ? ` (${key})` : ''} did not start: ${String(error)}`);
    }
  });

  // Before each window, writing scenarios read the current eTags; after it, creating ones put
  // the emulator back to its seed (bounded store, unchanged pages for the other scenarios).
  const beforeWindow = async (s: Scenario) => {
    if (s.writes) state.refresh(await upstream.list(100));
  };
  const afterWindow = async (s: Scenario) => {
    if (s.growsStore) await upstream.restore();
  };

  // One checked operation per scenario and contestant before measuring.
  const prechecks: Precheck[] = [];
  for (const s of cfg.scenarios) {
    for (const c of wanted) {
      if (!appliesTo(s, c)) continue;
      const running = lineup.for(s, c);
      if (!running) {
        prechecks.push({ scenario: s.id, contestant: c, outcome: 'did not start' });
        continue;
      }
      await beforeWindow(s);
      const pool = new Pool(running.target.origin, { connections: 4 });
      let outcome = 'ok';
      try {
        if (!(await runOperation(s, running.target, state, pool))) {
          const n = state.resetCounters();
          outcome = `failed (bad status ${n.badStatus}, GraphQL errors ${n.gqlErrors}, conflicts ${n.conflicts})`;
        }
      } catch (error) {
        outcome = `failed: ${String(error)}`;
      }
      state.resetCounters();
      await pool.close();
      await afterWindow(s);
      prechecks.push({ scenario: s.id, contestant: c, outcome });
      if (outcome !== 'ok') process.stderr.write(`bench: check of scenario ${s.id} on ${c} ${outcome}\n`);
    }
  }
  const checked = (s: Scenario, c: ContestantName) =>
    prechecks.some((p) => p.scenario === s.id && p.contestant === c && p.outcome === 'ok');
  const active = wanted.filter((c) => cfg.scenarios.some((s) => checked(s, c)));
  const slots = cfg.scenarios.reduce((n, s) => n + active.filter((c) => checked(s, c)).length, 0);
  const perSlot = cfg.runs * (cfg.warmup + cfg.seconds + cfg.rateWarmup + cfg.rateSeconds + 0.5);
  log(
    `bench: ${cfg.scenarios.length} scenarios, ${active.length} contestants, ${slots} rows; about ${Math.ceil((slots * perSlot) / 60)} min of measuring`,
  );

  const runs: RunRecord[] = [];
  const measure = async (
    setting: Setting,
    run: number,
    s: Scenario,
    c: ContestantName,
    window: (w: Window) => Promise<Measured>,
    warmup: ((w: Window) => Promise<Measured>) | undefined,
  ): Promise<RunRecord | undefined> => {
    const running = lineup.for(s, c);
    if (!running || !checked(s, c)) return undefined;
    const w: Window = { scenario: s, target: running.target, pid: running.child?.proc.pid, state, upstream };
    if (warmup) {
      await beforeWindow(s);
      await warmup(w);
      await afterWindow(s);
    }
    await beforeWindow(s);
    const m = await window(w);
    await afterWindow(s);
    const record: RunRecord = { setting, scenario: s.id, contestant: c, run, ...m };
    runs.push(record);
    return record;
  };

  // Setting 1: instant upstream, closed loop.
  await upstream.setDelay(0);
  for (let run = 1; run <= cfg.runs; run++) {
    for (const s of cfg.scenarios) {
      for (const c of active) {
        // Before every window, not only run 1: a contestant idles while the others run (config.ts).
        const warm = cfg.warmup > 0;
        const connections = Math.min(s.connections ?? cfg.connections, cfg.connections);
        const r = await measure(
          'instant',
          run,
          s,
          c,
          (w) => closedLoop(w, cfg.seconds, connections),
          warm ? (w) => closedLoop(w, cfg.warmup, connections) : undefined,
        );
        if (r)
          log(
            `instant run ${run} s${s.id} ${c.padEnd(17)} ${r.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${r.p50} p99 ${r.p99} ms  up/op ${r.upstreamPerOp.toFixed(2)}  rss ${r.peakRssMb.toFixed(0)} MB  cpu ${r.cpuPct.toFixed(0)}%  ${((r.cpuPct * 10) / r.opsPerSec).toFixed(3)} ms/op  core0 ${r.core0Pct.toFixed(0)}%  failed ${r.failed} conflicts ${r.conflicts}`,
          );
      }
    }
  }

  // Fixed rate per scenario: half the slowest GraphQL contestant's peak, at most maxRate ops/s.
  const rates: Partial<Record<ScenarioId, number>> = {};
  for (const s of cfg.scenarios) {
    const peaks = active
      .filter((c) => CONTESTANTS[c].family === 'peer' || CONTESTANTS[c].family === 'gateway')
      .map((c) =>
        median(
          runs
            .filter((r) => r.setting === 'instant' && r.scenario === s.id && r.contestant === c)
            .map((r) => r.opsPerSec),
        ),
      )
      .filter((v) => Number.isFinite(v) && v > 0);
    const slowest = peaks.length ? Math.min(...peaks) : cfg.maxRate * 2;
    rates[s.id] = Math.max(5, Math.min(cfg.maxRate, Math.floor(slowest / 2 / 5) * 5));
  }

  // Setting 2: upstream delay, open loop at a fixed rate.
  await upstream.setDelay(cfg.delayMs);
  for (let run = 1; run <= cfg.runs; run++) {
    for (const s of cfg.scenarios) {
      const rate = rates[s.id] ?? cfg.maxRate;
      for (const c of active) {
        const warm = cfg.rateWarmup > 0;
        const r = await measure(
          'delay',
          run,
          s,
          c,
          (w) => openLoop(w, rate, cfg.rateSeconds),
          warm ? (w) => openLoop(w, rate, cfg.rateWarmup) : undefined,
        );
        if (r)
          log(
            `${cfg.delayMs}ms run ${run} s${s.id} ${c.padEnd(17)} ${rate} ops/s offered, ${r.opsPerSec.toFixed(0)} done  p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} ms  up/op ${r.upstreamPerOp.toFixed(2)}  rss ${r.peakRssMb.toFixed(0)} MB  failed ${r.failed} conflicts ${r.conflicts}`,
          );
      }
    }
  }
  await upstream.setDelay(0);

  /** One CPU profile of `name` on `s`: a fresh process, the runs' warm-up, one window (bench/profile.ts). */
  const profile = (name: ContestantName, s: Scenario) =>
    profileGateway(ctx, name, s, state, {
      warmup: cfg.warmup,
      seconds: cfg.profileSeconds,
      connections: Math.min(s.connections ?? cfg.connections, cfg.connections),
      beforeWindow: () => beforeWindow(s),
      afterWindow: () => afterWindow(s),
    });

  // CPU profiles of the old and the new gateway on one scenario, one after the other.
  const profiled = cfg.scenarios.find((s) => s.id === cfg.profileScenario);
  const profiles: { before?: ProfileSummary; after?: ProfileSummary } = {};
  if (cfg.profile && profiled) {
    for (const name of ['before', 'gateway'] as const) {
      if (!active.includes(name) || !checked(profiled, name)) continue;
      const summary = await profile(name, profiled);
      if (!summary) continue;
      if (name === 'before') profiles.before = summary;
      else profiles.after = summary;
      log(
        `profile ${name}: ${summary.opsPerSec.toFixed(0)} ops/s, ${summary.cpuMsPerOp.toFixed(3)} ms CPU/op`,
      );
    }
  }

  if (sink) {
    const got = await sink.counts();
    notes.push(
      `The OTLP receiver got ${got.exports} export(s), ${(got.bytes / 1e6).toFixed(1)} MB of spans, from ${traced.join(' and ')}.`,
    );
  }
  if (redisCleanup) {
    const deleted = await redisCleanup();
    redisCleanup = undefined;
    notes.push(
      `gateway+redis-apq used ${cfg.redisUrl} under the key prefix \`${redisPrefix}\`; its ${deleted} key(s) were deleted afterwards.`,
    );
  }

  const gatewayLogLines = lineup
    .all()
    .filter((r) => isGatewayProcess(r.target.name as ContestantName))
    .flatMap((r) =>
      `${r.child?.stdout ?? ''}${r.child?.stderr ?? ''}` // pino logs to stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => `[${r.child?.name}] ${l}`),
    );
  const seconds = (Date.now() - benchStart) / 1000;
  let results: BenchResults = {
    meta: {
      machine: machine(),
      node: process.version,
      date: new Date().toISOString(),
      seconds,
      loadAtStart,
      loadAtEnd: loadavg()[0] ?? 0,
      gatewayCommand: ['node', ...startFlags(ROOT), 'src/main.ts'].join(' '),
      ...(baseline ? { baseline: baseline.commit } : {}),
      gatewayLogLines,
      notes,
    },
    settings: cfg,
    scenarios: cfg.scenarios,
    contestants: active,
    runs,
    rates,
    prechecks,
    ...(profiled && (profiles.before || profiles.after)
      ? { profiles: { scenario: profiled.id, seconds: cfg.profileSeconds, ...profiles } }
      : {}),
  };
  // Where the gateway's own work holds target 1, what that work is: apollo-floor and the gateway
  // profiled on each such scenario (the report splits both by where the CPU went).
  if (cfg.profile) {
    const ownWork: OwnWorkProfile[] = [];
    for (const id of heldByOwnWork(checkExpectations(results))) {
      const s = cfg.scenarios.find((x) => x.id === id);
      if (!s || !active.includes('apollo-floor') || !checked(s, 'apollo-floor') || !checked(s, 'gateway'))
        continue;
      const floor = await profile('apollo-floor', s);
      const gateway = await profile('gateway', s);
      log(
        `profile s${id} apollo-floor ${floor?.cpuMsPerOp.toFixed(3) ?? '–'}, gateway ${gateway?.cpuMsPerOp.toFixed(3) ?? '–'} ms CPU/op`,
      );
      ownWork.push({
        scenario: id,
        seconds: cfg.profileSeconds,
        ...(floor ? { floor } : {}),
        ...(gateway ? { gateway } : {}),
      });
    }
    const total = (Date.now() - benchStart) / 1000;
    results = {
      ...results,
      ownWork,
      meta: { ...results.meta, seconds: total, loadAtEnd: loadavg()[0] ?? 0 },
    };
  }
  const charts = {
    cpuPerOp: `${cfg.chartsDir}/cpu-per-op.svg`,
    addedLatency: `${cfg.chartsDir}/added-latency.svg`,
  };
  mkdirSync(new URL(`${cfg.chartsDir}/`, BENCH_DIR), { recursive: true });
  writeFileSync(new URL(charts.cpuPerOp, BENCH_DIR), cpuPerOpChart(results));
  writeFileSync(new URL(charts.addedLatency, BENCH_DIR), addedLatencyChart(results));
  writeFileSync(new URL(cfg.outFile, BENCH_DIR), renderReport(results, { charts, command: cfg.command }));
  log(
    `bench: wrote bench/${cfg.outFile} and bench/${cfg.chartsDir}/*.svg in ${results.meta.seconds.toFixed(0)} s`,
  );
}

const GUARD_MINUTES = cfg.quick ? 10 : 60;
const guard = setTimeout(() => {
  process.stderr.write(`bench: took longer than ${GUARD_MINUTES} minutes, giving up\n`);
  void children.stopAll().then(() => process.exit(2));
}, GUARD_MINUTES * 60_000);
guard.unref();
children.stopOnExit();
try {
  await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await children.stopAll();
  await redisCleanup?.().catch((error: unknown) => {
    process.stderr.write(`bench: could not delete the keys under ${String(error)}\n`);
  });
}
