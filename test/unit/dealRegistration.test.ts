import { describe, expect, test } from '@jest/globals';
import {
  type DealRegistrationDraft,
  planChangeRegistration,
  planCreateRegistration,
  validateDealRegistration,
  validateDealRegistrationChanges,
} from '../../src/domain/referral/dealRegistration.ts';
import type { JsonObject } from '../../src/domain/referral/merge.ts';

const ETAG = '"e1"';

function referral(registrations?: unknown[]): JsonObject {
  return {
    id: 'r1',
    name: 'Deal',
    eTag: ETAG,
    links: { self: { uri: 'x', method: 'GET' } },
    '@odata.context': 'ctx',
    ...(registrations === undefined ? {} : { registrations }),
  };
}

const REGISTRATION = {
  id: 'reg-1',
  status: 'ReviewPending',
  contract: { value: 10, currency: 'USD', term: 'Finite' },
  solutionDetails: [
    { id: 'SOL/1~x', value: 10, marketplaceTransactionDetails: { isMarketplaceTransacted: false } },
  ],
};

const DRAFT: DealRegistrationDraft = {
  contract: { value: 10, currency: 'USD', term: 'Perpetual', startDateTime: undefined },
  solutionDetails: [{ id: 'SOL-1', value: 10 }],
};

describe('planCreateRegistration', () => {
  test('appends the registration with its type; the body keeps everything but response metadata', () => {
    const plan = planCreateRegistration(referral([REGISTRATION]), DRAFT, ETAG);
    if (plan.kind !== 'write') throw new Error(plan.kind);
    const value = {
      type: 'AzureIPCoSell',
      solutionDetails: [{ id: 'SOL-1', value: 10 }],
      contract: { value: 10, currency: 'USD', term: 'Perpetual' },
    };
    expect(plan.patch).toEqual([{ op: 'add', path: '/registrations/-', value }]);
    expect(plan.body).toEqual({ id: 'r1', name: 'Deal', eTag: ETAG, registrations: [REGISTRATION, value] });
  });

  test('a stale etag plans nothing', () => {
    expect(planCreateRegistration(referral(), DRAFT, '"old"')).toEqual({ kind: 'stale' });
  });

  test('after an ambiguous write: unchanged eTag is not applied; a new registration carrying ours is applied', () => {
    const plan = planCreateRegistration(referral([REGISTRATION]), DRAFT, ETAG);
    if (plan.kind !== 'write') throw new Error(plan.kind);
    const completed = {
      type: 'AzureIPCoSell',
      id: 'new',
      status: 'ReviewPending',
      solutionDetails: [{ id: 'SOL-1', value: 10, name: 'Filled in by the service' }],
      contract: { value: 10, currency: 'USD', term: 'Perpetual' },
    };
    expect(plan.judge(referral([REGISTRATION]))).toBe('notApplied');
    const landed = { ...referral([REGISTRATION, completed]), eTag: '"e2"', name: 'Renamed meanwhile' };
    expect(plan.judge(landed)).toBe('applied');
    expect(plan.locate(landed)).toBe(completed);
    const othersOnly = { ...referral([REGISTRATION]), eTag: '"e2"', name: 'Renamed' };
    expect(plan.judge(othersOnly)).toBe('changedByOthers');
    // The old registration is not ours even if it carried the same values.
    expect(plan.locate(referral([{ ...completed, id: 'reg-1' }]))).toBeUndefined();
  });
});

describe('planChangeRegistration', () => {
  test('sends only what differs, by index, replace where present and add where absent (null included)', () => {
    const plan = planChangeRegistration(
      referral([{ id: 'other' }, REGISTRATION]),
      'reg-1',
      {
        contract: { value: 10, term: 'Perpetual', signDateTime: '2025-01-01T00:00:00Z' },
        solutionDetails: [
          {
            id: 'SOL/1~x',
            pricingModel: null,
            marketplaceTransactionDetails: {
              isMarketplaceTransacted: false,
              marketplaceTransactionDateTime: null,
            },
          },
        ],
      },
      ETAG,
    );
    if (plan.kind !== 'write') throw new Error(plan.kind);
    expect(plan.patch).toEqual([
      { op: 'add', path: '/registrations/1/contract/signDateTime', value: '2025-01-01T00:00:00Z' },
      { op: 'replace', path: '/registrations/1/contract/term', value: 'Perpetual' },
      { op: 'add', path: '/registrations/1/solutionDetails/0/pricingModel', value: null },
      {
        op: 'add',
        path: '/registrations/1/solutionDetails/0/marketplaceTransactionDetails/marketplaceTransactionDateTime',
        value: null,
      },
    ]);
    expect((plan.body.registrations as { contract: unknown }[])[1]?.contract).toEqual({
      value: 10,
      currency: 'USD',
      term: 'Perpetual',
      signDateTime: '2025-01-01T00:00:00Z',
    });
  });

  test('judges an ambiguous change by our values at our paths, whatever else changed', () => {
    const plan = planChangeRegistration(referral([REGISTRATION]), 'reg-1', { contract: { value: 99 } }, ETAG);
    if (plan.kind !== 'write') throw new Error(plan.kind);
    const withValue = (value: number) => ({
      ...referral([{ ...REGISTRATION, contract: { ...REGISTRATION.contract, value } }]),
      eTag: '"e2"',
      name: 'Renamed meanwhile',
    });
    expect(plan.judge(withValue(99))).toBe('applied');
    expect(plan.judge(withValue(11))).toBe('changedByOthers');
    expect(plan.judge(referral([REGISTRATION]))).toBe('notApplied');
  });

  test('an unknown registration, an unknown solution, a missing object, or no difference', () => {
    const current = referral([{ id: 'reg-1', solutionDetails: [{ id: 'S' }] }]);
    expect(planChangeRegistration(current, 'reg-2', {}, ETAG)).toEqual({ kind: 'registrationNotFound' });
    expect(
      planChangeRegistration(
        current,
        'reg-1',
        { contract: { value: 1 }, solutionDetails: [{ id: 'T', value: 1 }] },
        ETAG,
      ),
    ).toMatchObject({
      kind: 'invalid',
      fieldErrors: [
        { path: ['contract'], code: 'INVALID' },
        { path: ['solutionDetails', '0', 'id'], code: 'INVALID' },
      ],
    });
    expect(planChangeRegistration(current, 'reg-1', { contract: {} }, ETAG)).toEqual({ kind: 'unchanged' });
  });

  test('the contract period is checked against the current dates too', () => {
    const current = referral([{ id: 'reg-1', contract: { startDateTime: '2025-01-01T00:00:00Z' } }]);
    expect(
      planChangeRegistration(current, 'reg-1', { contract: { endDateTime: '2024-12-31T00:00:00Z' } }, ETAG),
    ).toMatchObject({
      kind: 'invalid',
      fieldErrors: [{ path: ['contract', 'endDateTime'], code: 'INVALID' }],
    });
  });
});

describe('validating inputs before any call', () => {
  test('a good draft has no problems', () => {
    expect(validateDealRegistration(DRAFT)).toEqual([]);
  });

  test('size bounds are reported alone, before format rules', () => {
    expect(
      validateDealRegistration({ ...DRAFT, solutionDetails: [{ id: 'x'.repeat(300), currency: 'usd' }] }),
    ).toEqual([{ path: ['solutionDetails', '0', 'id'], code: 'TOO_LONG', message: expect.any(String) }]);
  });

  test('a whole object cannot be removed by a change', () => {
    expect(
      validateDealRegistrationChanges({
        contract: null,
        solutionDetails: [{ id: 'S', marketplaceTransactionDetails: null }],
      }).map((e) => e.path.join('.')),
    ).toEqual(['contract', 'solutionDetails.0.marketplaceTransactionDetails']);
  });
});

describe('our write, recognised in the values the Partner API gives back normalised (docs/partner-api.md §10)', () => {
  const draft: DealRegistrationDraft = {
    contract: {
      value: 120000,
      currency: 'EUR',
      startDateTime: '2025-07-01T00:00:00.0000000Z',
      endDateTime: '2026-06-30T12:30:00.5000000Z',
      term: 'Finite',
    },
    solutionDetails: [{ id: 'SOL-1', value: 120000, currency: 'EUR', pricingModel: 'PayAsYouGo' }],
  };
  /** The registration as the service stores and answers it: fractions trimmed, casing and types changed. */
  const normalised = {
    id: 'reg-new',
    type: 'azureipcosell',
    status: 'reviewpending',
    registrationDateTime: '2025-06-01T10:00:00.12Z',
    contract: {
      value: '120000',
      currency: 'eur',
      startDateTime: '2025-07-01T00:00:00Z',
      endDateTime: '2026-06-30T12:30:00.5Z',
      term: 'FINITE',
    },
    solutionDetails: [{ id: 'SOL-1', value: '120000.0', currency: 'eur', pricingModel: 'payasyougo' }],
  };

  test('create: a new registration id carrying our solution ids is ours, whatever the values look like', () => {
    const plan = planCreateRegistration(referral([REGISTRATION]), draft, ETAG);
    if (plan.kind !== 'write') throw new Error(plan.kind);
    const after = { ...referral([REGISTRATION, normalised]), eTag: '"e2"' };
    expect(plan.locate(after)).toBe(normalised);
    expect(plan.judge(after)).toBe('applied');
    // Another new registration, of other solutions, is not ours; nor is one without an id.
    const other = { ...normalised, id: 'reg-other', solutionDetails: [{ id: 'SOL-9' }] };
    const { id: _id, ...withoutId } = normalised;
    expect(plan.judge({ ...referral([REGISTRATION, other, withoutId]), eTag: '"e2"' })).toBe(
      'changedByOthers',
    );
  });

  test('change: our values at our paths, as instants, without case, as numbers', () => {
    const current = referral([
      {
        id: 'reg-1',
        contract: { value: 1, endDateTime: '2026-01-01T00:00:00.0000000Z', term: 'Perpetual' },
        solutionDetails: [{ id: 'S', pricingModel: 'Other', marketplaceTransactionDetails: {} }],
      },
    ]);
    const plan = planChangeRegistration(
      current,
      'reg-1',
      {
        contract: { value: 2.5, endDateTime: '2026-06-30T00:00:00.0000000Z', term: 'Finite' },
        solutionDetails: [
          {
            id: 'S',
            pricingModel: 'PayAsYouGo',
            marketplaceTransactionDetails: { marketplaceTransactionDateTime: '2025-01-02T03:04:05.6000000Z' },
          },
        ],
      },
      ETAG,
    );
    if (plan.kind !== 'write') throw new Error(plan.kind);
    const landed = {
      ...referral([
        {
          id: 'reg-1',
          contract: { value: '2.50', endDateTime: '2026-06-30T00:00:00Z', term: 'finite' },
          solutionDetails: [
            {
              id: 'S',
              pricingModel: 'PAYASYOUGO',
              marketplaceTransactionDetails: { marketplaceTransactionDateTime: '2025-01-02T03:04:05.6Z' },
            },
          ],
        },
      ]),
      eTag: '"e2"',
    };
    expect(plan.judge(landed)).toBe('applied');
    // A different instant is someone else's value.
    const moved = JSON.parse(JSON.stringify(landed));
    moved.registrations[0].contract.endDateTime = '2026-06-30T00:00:00.0000001Z';
    expect(plan.judge(moved)).toBe('changedByOthers');
  });

  test('change: a value equal but for its normalised spelling is no difference, and sends nothing', () => {
    const current = referral([
      { id: 'reg-1', contract: { value: '50000', startDateTime: '2025-07-01T00:00:00Z', term: 'finite' } },
    ]);
    expect(
      planChangeRegistration(
        current,
        'reg-1',
        { contract: { value: 50000, startDateTime: '2025-07-01T00:00:00.0000000Z', term: 'Finite' } },
        ETAG,
      ),
    ).toEqual({ kind: 'unchanged' });
  });
});
