/**
 * The bench's settings, read once from the environment (pure: pass any env). BENCH_QUICK=1 (also
 * `npm run bench:quick`) is a smoke run of about two and a half minutes: one 1-second window per
 * row, fewer connections, a subset of contestants, no profile, written to bench/RESULTS.quick.md
 * and bench/charts/quick/ (both git-ignored) so it never overwrites the committed results. Any
 * variable set explicitly wins over the quick defaults.
 *
 *   BENCH_QUICK            1: the smoke run above
 *   BENCH_RUNS             runs, interleaved run → scenario → contestant (3; quick 1)
 *   BENCH_SECONDS          closed-loop window, s (4; quick 1)
 *   BENCH_RATE_SECONDS     fixed-rate window, s (5; quick 1)
 *   BENCH_WARMUP           closed-loop warm-up before every window, s (1; quick 0.5): a contestant idles
 *                          while the others run, and an idle V8 process answers its first second slower
 *                          (measured: +20–30 % CPU per operation after 5 min idle)
 *   BENCH_RATE_WARMUP      fixed-rate warm-up likewise, before every window, s (1; quick 0)
 *   BENCH_CONNECTIONS      closed-loop connections (50; quick 16, so that 1-s windows end with answers; a
 *                          scenario may ask for fewer)
 *   BENCH_MAX_RATE         highest fixed rate, ops/s (200)
 *   BENCH_DELAY_MS         upstream delay of the fixed-rate setting (20)
 *   BENCH_PIN              1: contestants on CPU 1, emulator, OTLP receiver and load generator on CPU 0 (1)
 *   BENCH_SCENARIOS        comma list of scenario ids or keys (all)
 *   BENCH_CONTESTANTS      comma list (all; quick: rest, proxy+json, datasource-rest, gateway and the extras)
 *   BENCH_BASELINE         git commit run as `before` (a41a750: the gateway as issues #12 and #13 left it, before round two's tuning); `none` leaves it out
 *   BENCH_PROFILE          1: CPU-profile `before` and `gateway`, and apollo-floor beside the gateway on each scenario
 *                          whose target 1 the gateway's own work holds (1; quick 0)
 *   BENCH_PROFILE_SCENARIO scenario id profiled (3)
 *   BENCH_PROFILE_SECONDS  profiled window, s (5)
 *   BENCH_REDIS_URL        the Redis of gateway+redis-apq (redis://127.0.0.1:6379), under a key
 *                          prefix of the bench's own, deleted afterwards
 */
import { CONTESTANT_NAMES, type ContestantName } from './contestants.ts';
import type { BenchSettings } from './results.ts';
import { SCENARIOS, type Scenario, type ScenarioId } from './scenarios.ts';

export interface BenchConfig extends BenchSettings {
  readonly baseline: string;
  readonly profile: boolean;
  readonly profileScenario: ScenarioId;
  readonly profileSeconds: number;
  readonly scenarios: readonly Scenario[];
  readonly contestants: readonly ContestantName[];
  readonly redisUrl: string;
  /** The report, relative to bench/. */
  readonly outFile: string;
  /** The chart directory, relative to bench/ (the report links the charts by this path). */
  readonly chartsDir: string;
  /** The command the report says wrote it. */
  readonly command: string;
}

export const QUICK_CONTESTANTS: readonly ContestantName[] = [
  'rest',
  'proxy+json',
  'datasource-rest',
  'gateway',
  'gateway+tracing',
  'gateway+apq',
  'gateway+redis-apq',
];

type Env = Readonly<Record<string, string | undefined>>;

export function loadBenchConfig(env: Env = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const num = (name: string, full: number, short = full): number => {
    const raw = env[name];
    const value = Number(raw);
    return raw !== undefined && raw !== '' && Number.isFinite(value) && value >= 0
      ? value
      : quick
        ? short
        : full;
  };
  const list = (name: string) =>
    env[name]
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const seconds = Math.max(0.5, num('BENCH_SECONDS', 4, 1));
  const onlyScenarios = list('BENCH_SCENARIOS');
  const onlyContestants = list('BENCH_CONTESTANTS') ?? (quick ? QUICK_CONTESTANTS : undefined);
  const unknown = onlyContestants?.filter((c) => !(CONTESTANT_NAMES as readonly string[]).includes(c));
  if (unknown?.length) throw new Error(`BENCH_CONTESTANTS: unknown ${unknown.join(', ')}`);
  return {
    quick,
    runs: Math.max(1, Math.round(num('BENCH_RUNS', 3, 1))),
    seconds,
    rateSeconds: Math.max(0.5, num('BENCH_RATE_SECONDS', Math.min(seconds + 1, 5), 1)),
    warmup: num('BENCH_WARMUP', 1, 0.5),
    rateWarmup: num('BENCH_RATE_WARMUP', 1, 0),
    connections: Math.max(1, Math.round(num('BENCH_CONNECTIONS', 50, 16))),
    maxRate: Math.max(1, num('BENCH_MAX_RATE', 200)),
    delayMs: num('BENCH_DELAY_MS', 20),
    pin: env.BENCH_PIN !== '0',
    baseline: env.BENCH_BASELINE ?? 'a41a750',
    profile: env.BENCH_PROFILE === undefined ? !quick : env.BENCH_PROFILE !== '0',
    profileScenario: Math.round(num('BENCH_PROFILE_SCENARIO', 3)) as ScenarioId,
    profileSeconds: Math.max(1, num('BENCH_PROFILE_SECONDS', 5)),
    scenarios: SCENARIOS.filter(
      (s) => !onlyScenarios || onlyScenarios.includes(String(s.id)) || onlyScenarios.includes(s.key),
    ),
    contestants: CONTESTANT_NAMES.filter((c) => !onlyContestants || onlyContestants.includes(c)),
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    outFile: quick ? 'RESULTS.quick.md' : 'RESULTS.md',
    chartsDir: quick ? 'charts/quick' : 'charts',
    command: quick ? 'npm run bench:quick' : 'npm run bench',
  };
}
