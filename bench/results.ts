/**
 * The results of one bench run as plain data (what bench/run.ts measures and bench/report.ts,
 * bench/expectations.ts and bench/charts.ts read), and the pure reductions they share: medians
 * over runs, percentiles over every operation of every run pooled, CPU per operation.
 */
import type { ContestantName } from './contestants.ts';
import { percentile } from './harness.ts';
import type { ProfileSummary } from './profileSummary.ts';
import type { Scenario, ScenarioId } from './scenarios.ts';

/** `instant`: instant upstream, closed loop (throughput, CPU). `delay`: upstream delay, fixed rate (latency). */
export type Setting = 'instant' | 'delay';

/** One measured window of one contestant on one scenario. */
export interface RunRecord {
  readonly setting: Setting;
  readonly scenario: ScenarioId;
  readonly contestant: ContestantName;
  /** 1-based. */
  readonly run: number;
  /** Completed operations per second. */
  readonly opsPerSec: number;
  /** ms; closed loop: autocannon's per-request figures; open loop: per operation, from its due time. */
  readonly p50: number;
  readonly p99: number;
  readonly upstreamPerOp: number;
  readonly peakRssMb: number;
  /** CPU of the contestant process (100 = one core); 0 when it has none. */
  readonly cpuPct: number;
  readonly core0Pct: number;
  readonly ops: number;
  /** Non-2xx, GraphQL errors, socket errors, timeouts (and, open loop, operations dropped). */
  readonly failed: number;
  /** Stale-eTag answers of the update scenarios. */
  readonly conflicts: number;
  /** Open loop: the offered rate (ops/s). */
  readonly offeredRate?: number;
  /** Open loop: every operation's latency (ms, ascending), pooled across runs for the percentiles. */
  readonly latencies?: readonly number[];
}

export interface BenchSettings {
  readonly quick: boolean;
  readonly runs: number;
  /** Closed-loop window, s. */
  readonly seconds: number;
  /** Fixed-rate window, s. */
  readonly rateSeconds: number;
  /** Closed-loop warm-up before every window, s. */
  readonly warmup: number;
  /** Fixed-rate warm-up before every window, s. */
  readonly rateWarmup: number;
  readonly connections: number;
  readonly maxRate: number;
  readonly delayMs: number;
  readonly pin: boolean;
}

/** What the caller knows about the machine and the run: the report itself reads no clock and no file. */
export interface BenchMeta {
  readonly machine: string;
  readonly node: string;
  /** ISO date-time the run ended. */
  readonly date: string;
  readonly seconds: number;
  readonly loadAtStart: number;
  readonly loadAtEnd: number;
  /** How the gateway was started (`node <flags> src/main.ts`). */
  readonly gatewayCommand: string;
  /** Short commit the `before` contestant ran, when it ran. */
  readonly baseline?: string;
  /** Log lines the gateway processes wrote (LOG_LEVEL=warn). */
  readonly gatewayLogLines: readonly string[];
  /** Anything the run wants said (a contestant left out, what the OTLP receiver got). */
  readonly notes: readonly string[];
}

export interface Precheck {
  readonly scenario: ScenarioId;
  readonly contestant: ContestantName;
  /** `ok`, or why the rows are skipped. */
  readonly outcome: string;
}

export interface ProfileComparison {
  readonly scenario: ScenarioId;
  readonly seconds: number;
  readonly before?: ProfileSummary;
  readonly after?: ProfileSummary;
}

/**
 * What the gateway's own work is, where it holds target 1: the gateway and apollo-floor profiled
 * on one scenario, one after the other, split by where the CPU went (bench/profileSummary.ts).
 */
export interface OwnWorkProfile {
  readonly scenario: ScenarioId;
  readonly seconds: number;
  readonly floor?: ProfileSummary;
  readonly gateway?: ProfileSummary;
}

export interface BenchResults {
  readonly meta: BenchMeta;
  readonly settings: BenchSettings;
  /** The scenarios run, in order. */
  readonly scenarios: readonly Scenario[];
  /** The contestants run, in order. */
  readonly contestants: readonly ContestantName[];
  readonly runs: readonly RunRecord[];
  /** Fixed rate of each scenario (ops/s). */
  readonly rates: Readonly<Partial<Record<ScenarioId, number>>>;
  readonly prechecks: readonly Precheck[];
  readonly profiles?: ProfileComparison;
  /** Scenarios whose target 1 the gateway's own work holds, profiled beside apollo-floor. */
  readonly ownWork?: readonly OwnWorkProfile[];
}

export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return Number.NaN;
  const s = [...finite].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** ms of contestant CPU per operation: CPU % ÷ ops/s (100 % of a core is 1000 ms per second). */
export function cpuMsPerOp(run: Pick<RunRecord, 'cpuPct' | 'opsPerSec'>): number {
  return run.cpuPct > 0 && run.opsPerSec > 0 ? (run.cpuPct * 10) / run.opsPerSec : Number.NaN;
}

/** One setting × scenario × contestant, reduced over its runs. */
export interface Summary {
  readonly runs: number;
  /** Median, and the range, of ops/s. */
  readonly opsPerSec: number;
  readonly opsMin: number;
  readonly opsMax: number;
  /** Open loop: pooled over every operation of every run; closed loop: median of the runs'. */
  readonly p50: number;
  readonly p99: number;
  /** Median of the runs' CPU ms per operation (NaN without a process). */
  readonly cpuMsPerOp: number;
  readonly cpuPct: number;
  readonly core0Pct: number;
  readonly upstreamPerOp: number;
  /** The highest run's upstream requests per operation. */
  readonly upstreamWorst: number;
  /** The highest of the runs. */
  readonly peakRssMb: number;
  readonly failed: number;
  readonly conflicts: number;
}

export function runsOf(
  results: Pick<BenchResults, 'runs'>,
  setting: Setting,
  scenario: ScenarioId,
  contestant: ContestantName,
): RunRecord[] {
  return results.runs.filter(
    (r) => r.setting === setting && r.scenario === scenario && r.contestant === contestant,
  );
}

/**
 * Open-loop percentile over every operation of every run pooled (3 × 5 s at 200 ops/s is 3,000
 * samples, so p99 rests on 30 of them): steadier than the median of three per-run p99s.
 */
export function pooledPercentile(runs: readonly RunRecord[], q: number): number {
  const all = runs.flatMap((r) => r.latencies ?? []).sort((a, b) => a - b);
  return percentile(all, q);
}

export function summarize(
  results: Pick<BenchResults, 'runs'>,
  setting: Setting,
  scenario: ScenarioId,
  contestant: ContestantName,
): Summary | undefined {
  const rs = runsOf(results, setting, scenario, contestant);
  if (rs.length === 0) return undefined;
  const ops = rs.map((r) => r.opsPerSec);
  const pooled = rs.some((r) => r.latencies !== undefined);
  return {
    runs: rs.length,
    opsPerSec: median(ops),
    opsMin: Math.min(...ops),
    opsMax: Math.max(...ops),
    p50: pooled ? pooledPercentile(rs, 0.5) : median(rs.map((r) => r.p50)),
    p99: pooled ? pooledPercentile(rs, 0.99) : median(rs.map((r) => r.p99)),
    cpuMsPerOp: median(rs.map(cpuMsPerOp)),
    cpuPct: median(rs.map((r) => r.cpuPct)),
    core0Pct: median(rs.map((r) => r.core0Pct)),
    upstreamPerOp: median(rs.map((r) => r.upstreamPerOp)),
    upstreamWorst: Math.max(...rs.map((r) => r.upstreamPerOp)),
    peakRssMb: Math.max(...rs.map((r) => r.peakRssMb)),
    failed: rs.reduce((a, r) => a + r.failed, 0),
    conflicts: rs.reduce((a, r) => a + r.conflicts, 0),
  };
}

/** Latency a contestant adds over the `rest` floor at the fixed rate (ms), p50 and p99. */
export function addedLatency(
  results: Pick<BenchResults, 'runs'>,
  scenario: ScenarioId,
  contestant: ContestantName,
): { p50: number; p99: number } {
  const own = summarize(results, 'delay', scenario, contestant);
  const floor = summarize(results, 'delay', scenario, 'rest');
  if (!own || !floor) return { p50: Number.NaN, p99: Number.NaN };
  return { p50: own.p50 - floor.p50, p99: own.p99 - floor.p99 };
}

/** `a ÷ b`, NaN unless both are finite and b > 0. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN;
}

/**
 * CPU per operation of `a` as a multiple of `b`'s on one scenario (instant upstream): the median
 * of the per-run ratios. Runs are interleaved (run → scenario → contestant), so run k of `a` and
 * run k of `b` are measured minutes apart at most, through the same slow or fast spell of a
 * shared machine; a ratio of the two medians can pair a fast run of one with a slow run of the
 * other (measured: medians gave 1.67× where the three per-run ratios were 1.67, 0.95 and 1.09).
 * Without runs of the same number, the ratio of the medians.
 */
export function cpuRatio(
  results: Pick<BenchResults, 'runs'>,
  scenario: ScenarioId,
  a: ContestantName,
  b: ContestantName,
): number {
  const paired = pairedCpuRatios(results, scenario, a, b);
  if (paired.length > 0) return median(paired);
  return ratio(
    summarize(results, 'instant', scenario, a)?.cpuMsPerOp ?? Number.NaN,
    summarize(results, 'instant', scenario, b)?.cpuMsPerOp ?? Number.NaN,
  );
}

/** The per-run ratios `cpuRatio` takes the median of, in run order (runs of both only). */
export function pairedCpuRatios(
  results: Pick<BenchResults, 'runs'>,
  scenario: ScenarioId,
  a: ContestantName,
  b: ContestantName,
): number[] {
  const ofB = new Map(runsOf(results, 'instant', scenario, b).map((r) => [r.run, cpuMsPerOp(r)]));
  return runsOf(results, 'instant', scenario, a)
    .slice()
    .sort((x, y) => x.run - y.run)
    .flatMap((r) => {
      const other = ofB.get(r.run);
      const value = other === undefined ? Number.NaN : ratio(cpuMsPerOp(r), other);
      return Number.isFinite(value) ? [value] : [];
    });
}

/**
 * What `feature` adds to `base` in CPU per operation on one scenario, paired by run number as
 * `cpuRatio` pairs them: the median over runs of (feature − base) in ms, and of the same as a
 * multiple of `of`'s CPU per operation in that run. NaN unless the three ran in a common run.
 */
export function addedCpu(
  results: Pick<BenchResults, 'runs'>,
  scenario: ScenarioId,
  feature: ContestantName,
  base: ContestantName,
  of: ContestantName,
): { readonly ms: number; readonly share: number } {
  const cpuByRun = (c: ContestantName) =>
    new Map(runsOf(results, 'instant', scenario, c).map((r) => [r.run, cpuMsPerOp(r)]));
  const ofBase = cpuByRun(base);
  const ofOf = cpuByRun(of);
  const paired = runsOf(results, 'instant', scenario, feature).flatMap((r) => {
    const added = cpuMsPerOp(r) - (ofBase.get(r.run) ?? Number.NaN);
    const share = ratio(added, ofOf.get(r.run) ?? Number.NaN);
    return Number.isFinite(share) ? [{ added, share }] : [];
  });
  return { ms: median(paired.map((p) => p.added)), share: median(paired.map((p) => p.share)) };
}
