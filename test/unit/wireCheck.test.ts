import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { z } from 'zod';
import { seedReferrals } from '../../src/emulator/seed.ts';
import { wireReferralPageSchema, wireReferralSchema } from '../../src/upstream/referralWire.ts';
import { compileCheck } from '../../src/upstream/wireCheck.ts';

const isReferral = compileCheck(wireReferralSchema);
const isPage = compileCheck(wireReferralPageSchema);
const seeded = seedReferrals().map((r, i) => ({ ...r, eTag: `"${i}"` })) as Record<string, unknown>[];

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_v, i) => i) : Object.keys(value);
  return keys.flatMap((key) => {
    const path = [...prefix, key];
    return [path, ...paths((value as Record<string | number, unknown>)[key], path)];
  });
}

/** `value` with the thing at `path` replaced (or, with `remove`, deleted). */
function withAt(value: unknown, path: (string | number)[], replacement: unknown, remove: boolean): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (remove && !Array.isArray(at)) delete at[last];
  else at[last] = replacement;
  return copy;
}

/** A seeded referral with one value somewhere inside it replaced by anything JSON can carry, or removed. */
const mutatedReferral = fc
  .record({
    index: fc.nat(seeded.length - 1),
    pick: fc.nat(),
    // Mostly a value of another JSON type (what breaks a schema), sometimes anything at all.
    replacement: fc.oneof(
      {
        arbitrary: fc.constantFrom('', 'x', 0, 1, 1.5, true, false, null, [], {}, [{}], { id: 1 }),
        weight: 4,
      },
      { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
    ),
    remove: fc.nat(4).map((n) => n === 0),
  })
  .map(({ index, pick, replacement, remove }) => {
    const referral = seeded[index] as Record<string, unknown>;
    const all = paths(referral);
    return withAt(referral, all[pick % all.length] as (string | number)[], replacement, remove);
  });

describe('compileCheck agrees with zod', () => {
  test('every seeded referral passes, alone and as a page', () => {
    for (const referral of seeded) expect(isReferral(referral)).toBe(true);
    expect(isPage({ value: seeded, '@odata.nextLink': 'https://x/v1.0/engagements/referrals?$skip=1' })).toBe(
      true,
    );
  });

  test('on referrals with one value replaced or removed (property)', () => {
    fc.assert(
      fc.property(mutatedReferral, (value) => {
        expect(isReferral(value)).toBe(wireReferralSchema.safeParse(value).success);
      }),
      { numRuns: 3000 },
    );
  });

  test('on pages built from those referrals and on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(mutatedReferral, { maxLength: 3 }).map((value) => ({ value })),
          fc.record({
            value: fc.constant(seeded.slice(0, 2)),
            '@odata.nextLink': fc.jsonValue({ maxDepth: 1 }),
          }),
          fc.jsonValue({ maxDepth: 3 }),
        ),
        (value) => {
          expect(isPage(value)).toBe(wireReferralPageSchema.safeParse(value).success);
          expect(isReferral(value)).toBe(wireReferralSchema.safeParse(value).success);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('refuses, when compiled, a zod feature it does not implement', () => {
    expect(() => compileCheck(z.string().email())).toThrow(/not supported/);
    expect(() => compileCheck(z.object({ a: z.date() }))).toThrow(/not supported/);
    expect(() => compileCheck(z.number().int())).toThrow(/not supported/);
  });
});
