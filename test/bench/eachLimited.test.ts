/** The bench starts its contestants a few at a time (they share one pinned CPU). */
import { describe, expect, test } from '@jest/globals';
import { eachLimited } from '../../bench/harness.ts';

describe('eachLimited', () => {
  test('runs every item once, in order, never more than the limit at a time', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await eachLimited([1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      started.push(n);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5 * (n % 3)));
      running -= 1;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(2);
    expect(running).toBe(0);
  });

  test('a failing item rejects the whole, as Promise.all would; no items is no work', async () => {
    await expect(
      eachLimited([1, 2], 4, async (n) => {
        if (n === 2) throw new Error('two');
      }),
    ).rejects.toThrow('two');
    await expect(eachLimited([], 2, async () => {})).resolves.toBeUndefined();
  });
});
