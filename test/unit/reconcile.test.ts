import { describe, expect, test } from '@jest/globals';
import type { JsonObject } from '../../src/domain/referral/merge.ts';
import { reconcile } from '../../src/domain/referral/reconcile.ts';

const sent: JsonObject = {
  id: 'r',
  name: 'Mine',
  eTag: '"v1"',
  updatedDateTime: '2024-01-01T00:00:00.0000000Z',
  details: { notes: 'n' },
};

describe('reconcile', () => {
  test('an unchanged eTag proves nothing was written', () => {
    expect(reconcile(sent, '"v1"', { ...sent })).toBe('notApplied');
  });

  test('our body, under a new eTag and timestamp, is our write having landed', () => {
    const now = {
      ...sent,
      eTag: '"v2"',
      updatedDateTime: '2024-01-01T00:00:01.0000000Z',
      links: { self: { uri: 'x', method: 'GET' } },
    };
    expect(reconcile(sent, '"v1"', now)).toBe('applied');
  });

  test('any other content under a new eTag is someone else’s write', () => {
    expect(reconcile(sent, '"v1"', { ...sent, eTag: '"v2"', name: 'Theirs' })).toBe('changedByOthers');
    expect(reconcile(sent, '"v1"', { ...sent, eTag: '"v2"', details: { notes: 'other' } })).toBe(
      'changedByOthers',
    );
  });
});
