/**
 * Checks every expectation of every scenario run (bench/scenarios.ts) against the results, one
 * rule per kind of expectation, whatever the scenario. Pure: results in, verdicts out.
 */
import { fmt } from './harness.ts';
import {
  addedCpu,
  addedLatency,
  type BenchResults,
  cpuRatio,
  pairedCpuRatios,
  ratio,
  summarize,
} from './results.ts';
import type { Expectation, ScenarioId } from './scenarios.ts';

export interface Verdict {
  readonly scenario: ScenarioId;
  readonly expectation: Expectation;
  /** What is expected, in words. */
  readonly what: string;
  /** What this run measured. */
  readonly measured: string;
  /** `undefined`: not measured in this run (a contestant or a setting left out, a failed check). */
  readonly met: boolean | undefined;
  /**
   * For a target the gateway misses against proxy+json, the first layer already over it (issue
   * #14: a target out of reach is shown by a measurement of the step that holds it): the same
   * expectation checked on graphql-floor, then on apollo-floor; `gateway` when both floors meet
   * it. For a feature's cost with a floor of its own (`FeatureFloor`), the feature's layer when
   * the feature alone on that floor already costs more than the gateway's budget for it, else
   * `gateway`. Absent when met, when the floors were not measured, or for other expectations.
   */
  readonly heldBy?: HeldBy;
}

/** The layers stacked between proxy+json and the gateway, in order (bench/contestants.ts). */
export const FLOOR_STEPS = ['graphql-floor', 'apollo-floor'] as const;

/** A floor with what it measured against the same target, or the gateway's own work. */
export type HeldBy =
  | { readonly step: (typeof FLOOR_STEPS)[number]; readonly measured: string }
  | { readonly step: 'feature'; readonly layer: string; readonly measured: string }
  | { readonly step: 'gateway' };

/** Names the layer that holds a target: GraphQL itself, Apollo Server, or the gateway's own work. */
export function describeHeldBy(held: HeldBy): string {
  switch (held.step) {
    case 'graphql-floor':
      return `held by GraphQL itself: graphql-floor ${held.measured}`;
    case 'apollo-floor':
      return `held by Apollo Server: apollo-floor ${held.measured}`;
    case 'feature':
      return `held by ${held.layer}: ${held.measured}`;
    case 'gateway':
      return "held by the gateway's own work";
  }
}

export function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case 'cpuPerOp':
      return `CPU per operation, ${e.contestant} ≤ ${e.maxRatio} × ${e.baseline}`;
    case 'addedLatency':
      return `added latency, ${e.contestant} ≤ ${e.baseline} + ${e.p50SlackMs} ms at p50, + ${e.p99SlackMs} ms at p99`;
    case 'ahead':
      return `${e.contestant} ahead of ${e.rival} (ops/s)`;
    case 'upstreamCalls':
      return 'exactly' in e
        ? `upstream requests per operation = ${e.exactly} (${e.contestant})`
        : `upstream requests per operation ≤ ${e.atMost} (${e.contestant})`;
    case 'peakRss':
      return `peak RSS, ${e.contestant} ≤ ${e.baseline} + ${e.maxExtraMb} MB`;
  }
}

const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
const known = (...values: number[]) => values.every(Number.isFinite);

function check(results: BenchResults, scenario: ScenarioId, e: Expectation): Omit<Verdict, 'what'> {
  const base = { scenario, expectation: e };
  switch (e.kind) {
    case 'cpuPerOp': {
      const a = summarize(results, 'instant', scenario, e.contestant)?.cpuMsPerOp ?? Number.NaN;
      const b = summarize(results, 'instant', scenario, e.baseline)?.cpuMsPerOp ?? Number.NaN;
      const r = cpuRatio(results, scenario, e.contestant, e.baseline);
      // The verdict reads the median; each run's ratio shows how near the limit it is, so a
      // verdict that flips between runs on a shared machine says so (README, Performance).
      const runs = pairedCpuRatios(results, scenario, e.contestant, e.baseline);
      const within = runs.filter((x) => x <= e.maxRatio).length;
      const perRun =
        runs.length > 1
          ? `; per run ${runs.map((x) => x.toFixed(2)).join(', ')}, within ${within} of ${runs.length}`
          : '';
      return {
        ...base,
        measured: `${times(r)} (${fmt(a, 3)} vs ${fmt(b, 3)} ms${perRun})`,
        met: Number.isFinite(r) ? r <= e.maxRatio : undefined,
      };
    }
    case 'addedLatency': {
      const own = addedLatency(results, scenario, e.contestant);
      const floor = addedLatency(results, scenario, e.baseline);
      const ok = known(own.p50, own.p99, floor.p50, floor.p99);
      return {
        ...base,
        measured: `${fmt(own.p50, 2)} / ${fmt(own.p99, 2)} ms (${e.baseline} ${fmt(floor.p50, 2)} / ${fmt(floor.p99, 2)})`,
        met: ok ? own.p50 <= floor.p50 + e.p50SlackMs && own.p99 <= floor.p99 + e.p99SlackMs : undefined,
      };
    }
    case 'ahead': {
      const r = ratio(
        summarize(results, 'instant', scenario, e.contestant)?.opsPerSec ?? Number.NaN,
        summarize(results, 'instant', scenario, e.rival)?.opsPerSec ?? Number.NaN,
      );
      return { ...base, measured: times(r), met: Number.isFinite(r) ? r > 1 : undefined };
    }
    case 'upstreamCalls': {
      // Fixed rate counts every operation; the closed loop's divisor includes those in flight.
      const s =
        summarize(results, 'delay', scenario, e.contestant) ??
        summarize(results, 'instant', scenario, e.contestant);
      const worst = s?.upstreamWorst ?? Number.NaN;
      const met = !Number.isFinite(worst)
        ? undefined
        : 'exactly' in e
          ? Math.abs(worst - e.exactly) < 0.005
          : worst <= e.atMost + 0.005;
      return { ...base, measured: fmt(worst, 2), met };
    }
    case 'peakRss': {
      const a = summarize(results, 'instant', scenario, e.contestant)?.peakRssMb ?? Number.NaN;
      const b = summarize(results, 'instant', scenario, e.baseline)?.peakRssMb ?? Number.NaN;
      const extra = a - b;
      return {
        ...base,
        measured: `${fmt(a)} vs ${fmt(b)} MB (${Number.isFinite(extra) ? `${extra >= 0 ? '+' : ''}${extra.toFixed(0)}` : '–'})`,
        met: known(a, b) && a > 0 && b > 0 ? extra <= e.maxExtraMb : undefined,
      };
    }
  }
}

/**
 * The first floor step that misses what the gateway missed, or for a feature with a floor of its
 * own, whether that floor alone is over the feature's budget; undefined unless the floors were
 * measured.
 */
function heldBy(results: BenchResults, scenario: ScenarioId, e: Expectation): HeldBy | undefined {
  if (e.kind === 'cpuPerOp' && e.floor !== undefined) {
    const { contestant, baseline, layer } = e.floor;
    // What the feature adds on the floor, as a share of the gateway's CPU: its budget is maxRatio − 1.
    const { ms, share } = addedCpu(results, scenario, contestant, baseline, e.baseline);
    if (!Number.isFinite(share)) return undefined;
    const measured = `${contestant} adds ${fmt(ms, 3)} ms to ${baseline}, ${times(share)} ${e.baseline}'s CPU per operation (the budget is ${(e.maxRatio - 1).toFixed(2)}×; medians of the runs)`;
    return share > e.maxRatio - 1 ? { step: 'feature', layer, measured } : { step: 'gateway' };
  }
  if (e.kind !== 'cpuPerOp' && e.kind !== 'addedLatency' && e.kind !== 'peakRss') return undefined;
  if (e.contestant !== 'gateway' || e.baseline !== 'proxy+json') return undefined;
  for (const step of FLOOR_STEPS) {
    const floor = check(results, scenario, { ...e, contestant: step });
    if (floor.met === undefined) return undefined;
    if (!floor.met) return { step, measured: floor.measured };
  }
  return { step: 'gateway' };
}

/** Whether `v` is target 1 of issue #14: the gateway's CPU per operation against proxy+json's. */
export function isTargetOne(v: Verdict): boolean {
  return (
    v.expectation.kind === 'cpuPerOp' &&
    v.expectation.contestant === 'gateway' &&
    v.expectation.baseline === 'proxy+json'
  );
}

/** The scenarios whose target 1 is held by the gateway's own work (both floors meet it). */
export function heldByOwnWork(verdicts: readonly Verdict[]): ScenarioId[] {
  return verdicts.filter((v) => isTargetOne(v) && v.heldBy?.step === 'gateway').map((v) => v.scenario);
}

/** Every expectation of every scenario in `results`, in scenario order. */
export function checkExpectations(results: BenchResults): Verdict[] {
  return results.scenarios.flatMap((s) =>
    s.expectations.map((e) => {
      const verdict = { ...check(results, s.id, e), what: describeExpectation(e) };
      const held = verdict.met === false ? heldBy(results, s.id, e) : undefined;
      return held === undefined ? verdict : { ...verdict, heldBy: held };
    }),
  );
}
