import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  allowedNextStatuses,
  allowedSubstatuses,
  checkTransition,
  REFERRAL_STATUSES,
  REFERRAL_SUBSTATUSES,
} from '../../src/domain/referral/transitions.ts';

/** The documented table, written out independently of the module (docs/partner-api.md §6). */
const DOCUMENTED: Record<string, { next: string[]; sub: string[] }> = {
  New: { next: ['New', 'Active', 'Closed'], sub: ['Pending', 'Received'] },
  Active: { next: ['Active', 'Closed'], sub: ['Accepted'] },
  Closed: { next: ['Closed'], sub: ['Won', 'Lost', 'Declined', 'Expired'] },
};

describe('the transition table', () => {
  const combos = REFERRAL_STATUSES.flatMap((from) =>
    REFERRAL_STATUSES.flatMap((to) => REFERRAL_SUBSTATUSES.map((sub) => [from, to, sub] as const)),
  );

  test.each(combos)('%s → %s/%s follows the documented table', (from, to, sub) => {
    const allowed =
      DOCUMENTED[from]?.next.includes(to) === true && DOCUMENTED[to]?.sub.includes(sub) === true;
    expect(checkTransition(from, to, sub).ok).toBe(allowed);
  });

  test('None can be read but never set, and nothing leaves it', () => {
    expect(allowedNextStatuses('None')).toEqual([]);
    expect(allowedSubstatuses('None')).toEqual([]);
    for (const status of REFERRAL_STATUSES) expect(allowedNextStatuses(status)).not.toContain('None');
  });

  test('unknown or missing values allow nothing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constant(null), fc.constant(undefined)), (value) => {
        fc.pre(!(REFERRAL_STATUSES as readonly unknown[]).includes(value));
        expect(allowedNextStatuses(value)).toEqual([]);
        expect(checkTransition(value, 'New', 'Pending').ok).toBe(false);
      }),
    );
  });

  test('a refusal names what would have been allowed', () => {
    expect(checkTransition('Active', 'New', 'Pending')).toEqual({
      ok: false,
      reason: 'STATUS_NOT_REACHABLE',
      allowedStatuses: ['Active', 'Closed'],
      allowedSubstatuses: ['Accepted', 'Won', 'Lost', 'Declined', 'Expired'],
    });
    expect(checkTransition('New', 'Closed', 'Accepted')).toEqual({
      ok: false,
      reason: 'SUBSTATUS_NOT_ALLOWED',
      allowedStatuses: ['New', 'Active', 'Closed'],
      allowedSubstatuses: ['Won', 'Lost', 'Declined', 'Expired'],
    });
  });

  test('Closed is terminal: no path leads out of it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REFERRAL_STATUSES),
        fc.constantFrom(...REFERRAL_SUBSTATUSES),
        (to, sub) => {
          if (checkTransition('Closed', to, sub).ok) expect(to).toBe('Closed');
        },
      ),
    );
  });
});
