/**
 * The two ways the bench loads a contestant, each one measured window:
 * - closed loop, max throughput: autocannon with N connections, each sending its next request as
 *   soon as the last is answered (instant upstream: CPU per operation, ops/s);
 * - open loop at a fixed rate: operations are due every 1/rate s and latency counts from the due
 *   time, so a slow answer cannot hide the queue behind it (autocannon's `overallRate` sends each
 *   second's quota in a burst per connection, hence this small undici generator).
 * Both count the upstream requests the emulator received and sample the contestant's process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { autocannonRequests, runOperation, type Target } from './operations.ts';
import type { Upstream } from './processes.ts';
import type { RunRecord } from './results.ts';
import { sample } from './sampling.ts';
import type { Scenario } from './scenarios.ts';
import type { BenchState } from './state.ts';

export type Measured = Omit<RunRecord, 'setting' | 'scenario' | 'contestant' | 'run'>;

export interface Window {
  readonly scenario: Scenario;
  readonly target: Target;
  /** The contestant's process, when it has one. */
  readonly pid: number | undefined;
  readonly state: BenchState;
  readonly upstream: Upstream;
}

/** REST requests one operation of the scenario is for this target (1 for GraphQL). */
function requestsPerOp(w: Window): number {
  return w.target.kind === 'rest' ? (w.scenario.rest?.requests ?? 1) : 1;
}

export async function closedLoop(w: Window, seconds: number, connections: number): Promise<Measured> {
  await w.upstream.reset();
  w.state.resetCounters();
  const sampler = sample(w.pid);
  const result = await autocannon({
    url: w.target.origin,
    connections,
    duration: seconds,
    timeout: 10,
    requests: autocannonRequests(w.scenario, w.target, w.state),
  });
  const usage = sampler.stop();
  await sleep(50); // let the last in-flight upstream requests land before counting
  const upstream = await w.upstream.count();
  const perOp = requestsPerOp(w);
  const ops = result['2xx'] / perOp;
  // Operations sent, including those still in flight when the window closed (their upstream
  // requests mostly landed already): a closer divisor than completed operations.
  const sentOps = result.requests.sent / perOp;
  const counters = w.state.resetCounters();
  return {
    opsPerSec: ops / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    upstreamPerOp: sentOps > 0 ? upstream / sentOps : 0,
    ...usage,
    ops,
    failed: counters.badStatus + counters.gqlErrors + result.errors + result.timeouts,
    conflicts: counters.conflicts,
  };
}

export async function openLoop(w: Window, rate: number, seconds: number): Promise<Measured> {
  const pool = new Pool(w.target.origin, {
    connections: 256,
    pipelining: 1,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  await w.upstream.reset();
  w.state.resetCounters();
  const sampler = sample(w.pid);
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
    const p: Promise<void> = runOperation(w.scenario, w.target, w.state, pool).then(
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
  // Unref'd: a timer still pending after the race would keep the bench alive 15 s at its end.
  await Promise.race([Promise.all(inflight), sleep(15000, undefined, { ref: false })]);
  const elapsed = (performance.now() - started) / 1000;
  const usage = sampler.stop();
  await sleep(50);
  const upstream = await w.upstream.count();
  await pool.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  const ops = latencies.length;
  const counters = w.state.resetCounters();
  return {
    opsPerSec: ops / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
    latencies,
    upstreamPerOp: ops + failed > 0 ? upstream / (ops + failed) : 0,
    ...usage,
    ops,
    // Operations that failed or were dropped, once each; a stale-eTag conflict is counted as one only.
    failed: Math.max(0, failed - counters.conflicts) + dropped,
    conflicts: counters.conflicts,
  };
}
