/**
 * A CPU profile of a gateway on one scenario: a fresh process started with `--cpu-prof` (written
 * when it exits), a warm-up, one closed-loop window, and the profile reduced to that window
 * (bench/profileSummary.ts). bench/run.ts profiles `before` and `gateway` one after the other.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContestantName } from './contestants.ts';
import { closedLoop } from './load.ts';
import { type StartContext, startContestant, variantOf } from './processes.ts';
import { type ProfileSummary, summarizeProfile } from './profileSummary.ts';
import type { Scenario } from './scenarios.ts';
import type { BenchState } from './state.ts';

export interface ProfileRun {
  readonly warmup: number;
  readonly seconds: number;
  readonly connections: number;
  /** Called before each window (a writing scenario reads the eTags again). */
  readonly beforeWindow: () => Promise<void>;
  readonly afterWindow: () => Promise<void>;
}

export async function profileGateway(
  ctx: StartContext,
  name: ContestantName,
  scenario: Scenario,
  state: BenchState,
  run: ProfileRun,
): Promise<ProfileSummary | undefined> {
  const dir = mkdtempSync(join(tmpdir(), `bench-prof-${name}-`));
  try {
    const { child, target } = await startContestant(ctx, name, variantOf(scenario, name), [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
    ]);
    const window = { scenario, target, pid: child?.proc.pid, state, upstream: ctx.upstream };
    await run.beforeWindow();
    await closedLoop(window, Math.max(1, run.warmup), run.connections);
    await run.afterWindow();
    await run.beforeWindow();
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const r = await closedLoop(window, run.seconds, run.connections);
    const toUs = Number(process.hrtime.bigint() / 1000n);
    await run.afterWindow();
    if (child) await ctx.children.stop(child);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) {
      process.stderr.write(`bench: ${name} wrote no CPU profile\n`);
      return undefined;
    }
    return summarizeProfile(readFileSync(join(dir, file), 'utf8'), r.ops, r.opsPerSec, { fromUs, toUs });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
