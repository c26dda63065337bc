import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { BoundedCache } from '../../src/server/boundedCache.ts';

describe('BoundedCache', () => {
  test('evicts the least recently used entry when full', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  test('keeps null values apart from missing ones', () => {
    const cache = new BoundedCache<string, number | null>(1);
    cache.set('a', null);
    expect(cache.get('a')).toBeNull();
    expect(cache.get('b')).toBeUndefined();
  });

  test('refuses a capacity that is not a positive integer', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
    expect(() => new BoundedCache(1.5)).toThrow(RangeError);
  });

  test('never holds more than its capacity and agrees with a model LRU', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 12 })), { maxLength: 200 }),
        (capacity, ops) => {
          const cache = new BoundedCache<number, number>(capacity);
          let model: number[] = []; // keys, least recent first
          for (const [isSet, key] of ops) {
            if (isSet) {
              cache.set(key, key * 10);
              model = [...model.filter((k) => k !== key), key].slice(-capacity);
            } else {
              const expected = model.includes(key) ? key * 10 : undefined;
              expect(cache.get(key)).toBe(expected);
              if (expected !== undefined) model = [...model.filter((k) => k !== key), key];
            }
            expect(cache.size).toBe(model.length);
          }
        },
      ),
    );
  });
});
