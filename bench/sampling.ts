/**
 * What a contestant process costs during one measured window, read from /proc: its CPU time
 * (utime + stime; 100 % = one core), its peak RSS (VmRSS sampled every 100 ms) and how busy CPU 0
 * was (where the load generator and the emulator run: near 100 % means the floor, not the
 * contestant, limited the window).
 */
import { cpuTicks, procStatusKb, procTicks } from './harness.ts';

export interface Usage {
  readonly peakRssMb: number;
  /** The contestant's CPU over the window (100 = one core); 0 without a process. */
  readonly cpuPct: number;
  readonly core0Pct: number;
}

export interface Sampler {
  stop(): Usage;
}

const rssKb = (pid: number): number => procStatusKb(pid, 'VmRSS') ?? 0;

/** Starts watching `pid` (undefined: only CPU 0 is watched). */
export function sample(pid: number | undefined): Sampler {
  const t0 = performance.now();
  const ticks0 = pid ? (procTicks(pid) ?? 0) : 0;
  const cores0 = cpuTicks();
  let peak = pid ? rssKb(pid) : 0;
  const timer = setInterval(() => {
    if (pid) peak = Math.max(peak, rssKb(pid));
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
      return { peakRssMb: pid ? Math.max(peak, rssKb(pid)) / 1024 : 0, cpuPct, core0Pct };
    },
  };
}
