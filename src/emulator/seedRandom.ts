/**
 * The seed's one source of variety: a mulberry32 stream (tiny and well mixed), so the seed is the
 * same on every run (no Math.random). Every varied value is drawn from this single stream in a
 * fixed order, so one draw more or less anywhere changes every value after it; the builders in
 * seed.ts keep their order for that reason.
 */
import { formatTimestamp } from './timestamp.ts';

export class SeedRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /**
   * One of `items`. A single item is no choice and draws nothing, so a table row offering one
   * value leaves the stream (and every value after it) as it would be without the row.
   */
  pick<T>(items: readonly T[]): T {
    if (items.length === 1) return items[0] as T;
    return items[Math.floor(this.next() * items.length)] as T;
  }

  hex(digits: number): string {
    return Array.from({ length: digits }, () => this.int(0, 15).toString(16)).join('');
  }

  /** A version-4-shaped GUID. */
  guid(): string {
    const [a, b, c] = [this.hex(8), this.hex(4), this.hex(3)];
    const variant = this.pick(['8', '9', 'a', 'b']);
    return `${a}-${b}-4${c}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }

  /** A wire timestamp a little after `epochMs`, with all 7 fractional digits in use. */
  stamp(epochMs: number): string {
    const ms = epochMs + this.int(0, 999);
    return formatTimestamp(ms, this.int(0, 9999));
  }
}
