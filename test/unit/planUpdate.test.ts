import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { JsonObject } from '../../src/domain/referral/merge.ts';
import { planUpdate } from '../../src/domain/referral/planUpdate.ts';
import { REFERRAL_STATUSES, REFERRAL_SUBSTATUSES } from '../../src/domain/referral/transitions.ts';

const current: JsonObject = {
  id: 'r1',
  status: 'New',
  substatus: 'Pending',
  eTag: '"v1"',
  details: { notes: 'old', currency: 'USD' },
  direction: 'Incoming',
  links: { self: { uri: 'x', method: 'GET' } },
};

describe('planUpdate', () => {
  test('a stale etag is refused before anything else is looked at', () => {
    expect(planUpdate(current, { details: { currency: 'nope' } }, '"v0"')).toEqual({ kind: 'stale' });
  });

  test('the etag is compared exactly, quotes included (strong comparison)', () => {
    expect(planUpdate(current, {}, 'v1').kind).toBe('stale');
    expect(planUpdate(current, {}, 'W/"v1"').kind).toBe('stale');
    expect(planUpdate(current, {}, '"v1"').kind).toBe('write');
  });

  test('format errors come before the transition check', () => {
    const plan = planUpdate(
      current,
      { status: 'Closed', substatus: 'Accepted', details: { currency: 'usd' } },
      '"v1"',
    );
    expect(plan).toMatchObject({ kind: 'invalid', fieldErrors: [{ path: ['details', 'currency'] }] });
  });

  test('a change that leaves status and substatus alone is not a transition', () => {
    const odd = { ...current, status: 'None', substatus: 'None' };
    expect(planUpdate(odd, { name: 'x' }, '"v1"').kind).toBe('write');
  });

  test('a substatus-only change is checked against the current status', () => {
    expect(planUpdate(current, { substatus: 'Received' }, '"v1"').kind).toBe('write');
    expect(planUpdate(current, { substatus: 'Won' }, '"v1"')).toMatchObject({
      kind: 'transitionNotAllowed',
      fromStatus: 'New',
      toStatus: 'New',
      toSubstatus: 'Won',
      allowedSubstatuses: ['Pending', 'Received'],
    });
  });

  test('the body is the merged referral without links', () => {
    const plan = planUpdate(current, { details: { notes: 'new' } }, '"v1"');
    expect(plan).toEqual({
      kind: 'write',
      body: {
        id: 'r1',
        status: 'New',
        substatus: 'Pending',
        eTag: '"v1"',
        details: { notes: 'new', currency: 'USD' },
        direction: 'Incoming',
      },
    });
  });

  test('whatever the inputs, only a plan of kind write carries a body, and it never has links', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REFERRAL_STATUSES),
        fc.constantFrom(...REFERRAL_SUBSTATUSES),
        fc.option(fc.constantFrom(...REFERRAL_STATUSES), { nil: undefined }),
        fc.option(fc.constantFrom(...REFERRAL_SUBSTATUSES), { nil: undefined }),
        (status, substatus, toStatus, toSubstatus) => {
          const plan = planUpdate(
            { ...current, status, substatus },
            { status: toStatus, substatus: toSubstatus },
            '"v1"',
          );
          if (plan.kind === 'write') {
            expect(plan.body.links).toBeUndefined();
            expect(plan.body.status).toBe(toStatus ?? status);
          }
        },
      ),
    );
  });
});
