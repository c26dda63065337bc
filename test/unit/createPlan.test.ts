/**
 * What a create sends, decided before any call (domain/referral/createPlan.ts), Microsoft's half
 * of a co-sell referral, and the matcher that settles a create whose answer was lost
 * (domain/referral/settleCreate.ts).
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  initialPair,
  planCreate,
  planMicrosoftHalf,
  type ReferralCreation,
} from '../../src/domain/referral/createPlan.ts';
import type { JsonObject } from '../../src/domain/referral/merge.ts';
import { CREATE_CLOCK_SKEW_MS, matchCreated, reachesBefore } from '../../src/domain/referral/settleCreate.ts';
import {
  allowedSubstatuses,
  REFERRAL_STATUSES,
  REFERRAL_SUBSTATUSES,
  TRANSITION_TABLE,
} from '../../src/domain/referral/transitions.ts';

const minimal: ReferralCreation = {
  type: 'Independent',
  customerProfile: { name: 'Contoso' },
  consent: { consentToContact: true },
  details: { dealValue: 10, currency: 'USD' },
};

function bodyOf(input: ReferralCreation): JsonObject {
  const plan = planCreate(input);
  if (plan.kind !== 'create') throw new Error(`expected a create, got ${JSON.stringify(plan)}`);
  return plan.body;
}

describe('planCreate: the initial status and substatus', () => {
  test('nothing given is New/Pending, as in the docs example', () => {
    expect(bodyOf(minimal)).toMatchObject({ status: 'New', substatus: 'Pending' });
  });

  test.each([
    ['New', undefined, 'New', 'Pending'],
    ['Active', undefined, 'Active', 'Accepted'],
    [undefined, 'Received', 'New', 'Received'],
    ['Closed', 'Won', 'Closed', 'Won'],
    ['New', 'Received', 'New', 'Received'],
  ])('status %s with substatus %s starts as %s/%s', (status, substatus, toStatus, toSubstatus) => {
    expect(bodyOf({ ...minimal, status, substatus })).toMatchObject({
      status: toStatus,
      substatus: toSubstatus,
    });
  });

  test.each([
    ['None', undefined, ['status'], 'INVALID'],
    ['Closed', undefined, ['substatus'], 'REQUIRED'],
    ['New', 'Accepted', ['substatus'], 'INVALID'],
    [undefined, 'Won', ['substatus'], 'INVALID'],
    ['Pending', undefined, ['status'], 'INVALID'],
  ])('status %s with substatus %s is refused at %j', (status, substatus, path, code) => {
    expect(planCreate({ ...minimal, status, substatus })).toEqual({
      kind: 'invalid',
      fieldErrors: [expect.objectContaining({ path, code })],
    });
  });

  test('property: a create is planned exactly when the pair it resolves to is a row of the table', () => {
    const maybe = <T>(values: readonly T[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
    fc.assert(
      fc.property(maybe(REFERRAL_STATUSES), maybe(REFERRAL_SUBSTATUSES), (status, substatus) => {
        const pair = initialPair(status, substatus);
        const toStatus = status ?? 'New';
        const toSubstatus = substatus ?? { New: 'Pending', Active: 'Accepted' }[toStatus as string];
        const valid =
          toStatus !== 'None' &&
          toSubstatus !== undefined &&
          (allowedSubstatuses(toStatus) as readonly string[]).includes(toSubstatus);
        expect(pair.kind).toBe(valid ? 'ok' : 'invalid');
        if (pair.kind === 'ok') {
          expect(TRANSITION_TABLE.New.next).toContain(pair.status);
          expect(allowedSubstatuses(pair.status)).toContain(pair.substatus);
        }
      }),
    );
  });
});

describe('planCreate: the body', () => {
  test('the docs field order, engagementId after externalReferenceId, then any other field', () => {
    const body = bodyOf({
      ...minimal,
      salesStage: 'Qualify',
      target: [{ type: 'SolutionProfile', id: 'S' }],
      engagementId: 'e-1',
      name: 'Deal',
      externalReferenceId: 'CRM-1',
    });
    expect(Object.keys(body)).toEqual([
      'name',
      'externalReferenceId',
      'engagementId',
      'status',
      'substatus',
      'type',
      'customerProfile',
      'consent',
      'details',
      'target',
      'salesStage',
    ]);
  });

  test('null is the same as absent, at every level: a create has nothing to clear', () => {
    const body = bodyOf({
      ...minimal,
      name: null,
      engagementId: null,
      customerProfile: { name: 'C', address: null, team: [{ email: 'a@b.example', phoneNumber: null }] },
    });
    expect(body).toEqual({
      status: 'New',
      substatus: 'Pending',
      type: 'Independent',
      customerProfile: { name: 'C', team: [{ email: 'a@b.example' }] },
      consent: { consentToContact: true },
      details: { dealValue: 10, currency: 'USD' },
    });
  });

  test('the size bounds are checked first, then every format rule and the required fields at once', () => {
    expect(planCreate({ ...minimal, details: { notes: 'x'.repeat(10_001), currency: 'usd' } })).toEqual({
      kind: 'invalid',
      fieldErrors: [expect.objectContaining({ path: ['details', 'notes'], code: 'TOO_LONG' })],
    });
    const plan = planCreate({
      ...minimal,
      consent: null as unknown as ReferralCreation['consent'],
      details: { currency: 'usd' },
      engagementId: 'a b',
      status: 'None',
    });
    expect(plan.kind === 'invalid' && plan.fieldErrors.map((e) => `${e.path.join('.')}:${e.code}`)).toEqual([
      'consent:REQUIRED',
      'details.currency:INVALID_CURRENCY',
      'engagementId:INVALID',
      'status:INVALID',
    ]);
  });

  test('property: whatever nulls an input carries, the body carries none', () => {
    const text = fc.option(fc.constantFrom('a', 'b@c.example', 'en-US'), { nil: null });
    fc.assert(
      fc.property(
        fc.record(
          {
            name: text,
            statusReason: text,
            customerProfile: fc.record({
              name: text,
              address: fc.option(fc.record({ city: text }), { nil: null }),
            }),
            details: fc.record({ notes: text, dealValue: fc.option(fc.nat(), { nil: null }) }),
            team: fc.option(
              fc.array(fc.record({ email: fc.constant(null), firstName: text }), { maxLength: 3 }),
              {
                nil: null,
              },
            ),
          },
          { requiredKeys: ['customerProfile', 'details'] },
        ),
        (input) => {
          const body = bodyOf({ ...minimal, ...input } as ReferralCreation);
          expect(JSON.stringify(body)).not.toContain('null');
        },
      ),
    );
  });
});

describe("planMicrosoftHalf: Microsoft's half of a co-sell referral", () => {
  const partner: JsonObject = {
    id: 'r-1',
    engagementId: 'e-1',
    eTag: '"1"',
    name: "The partner's own name",
    type: 'Shared',
    status: 'Active',
    substatus: 'Accepted',
    customerProfile: { name: 'Contoso', ids: {} },
    consent: { consentToShareReferralWithMicrosoftSellers: true },
    details: { dealValue: 5, currency: 'EUR' },
    target: [{ type: 'SolutionProfile', id: 'SOL-1' }],
    links: { self: { uri: 'x', method: 'GET' } },
  };

  test('copies type, customer, consent and details as read, joins the engagement, targets msft, starts New/Pending', () => {
    expect(planMicrosoftHalf(partner)).toEqual({
      kind: 'create',
      body: {
        engagementId: 'e-1',
        status: 'New',
        substatus: 'Pending',
        type: 'Shared',
        customerProfile: { name: 'Contoso', ids: {} },
        consent: { consentToShareReferralWithMicrosoftSellers: true },
        details: { dealValue: 5, currency: 'EUR' },
        target: [{ type: 'BusinessProfileLocation', id: 'msft' }],
      },
    });
  });

  test.each([
    ['no engagement', { engagementId: null }, /no engagementId/],
    ['a private deal', { consent: { consentToShareReferralWithMicrosoftSellers: false } }, /private deal/],
    ["Microsoft's half itself", { target: [{ type: 'businessProfileLocation', id: 'msft' }] }, /already/],
    ['no details', { details: null }, /no details/],
    [
      'an Independent referral (only a Shared one is co-sold, §3.3)',
      { type: 'Independent' },
      /Only a Shared/,
    ],
    ['a referral of no type', { type: null }, /Only a Shared/],
  ])('refuses %s', (_name, change, message) => {
    expect(planMicrosoftHalf({ ...partner, ...change })).toEqual({
      kind: 'refused',
      message: expect.stringMatching(message),
    });
  });

  test('refuses an engagement that already has its Microsoft half; any casing of the type is Shared', () => {
    const half: JsonObject = {
      id: 'r-2',
      eTag: '"2"',
      target: [{ type: 'BUSINESSPROFILELOCATION', id: 'msft' }],
    };
    expect(planMicrosoftHalf(partner, [partner, half])).toEqual({
      kind: 'refused',
      message: expect.stringMatching(/already has its Microsoft half \(referral r-2\)/),
    });
    expect(planMicrosoftHalf({ ...partner, type: 'shared' }, [partner]).kind).toBe('create');
  });
});

describe('matchCreated: which of the newest referrals a lost POST made', () => {
  const since = Date.parse('2026-01-10T12:00:00Z');
  const sent: JsonObject = {
    name: 'Deal 1',
    externalReferenceId: 'CRM-1',
    status: 'New',
    substatus: 'Pending',
    type: 'Shared',
    customerProfile: { name: 'Contoso', address: { country: 'US', city: 'Seattle', postalCode: '98052' } },
    consent: { consentToContact: true },
    details: { dealValue: 10, currency: 'USD', notes: 'n' },
    target: [
      { type: 'SolutionProfile', id: 'A' },
      { type: 'SolutionProfile', id: 'B' },
    ],
  };
  /** `sent` as the Partner API would list it: server fields added, status set, casing and order its own. */
  const asCreated = (overrides: JsonObject = {}): JsonObject => ({
    ...sent,
    id: 'r-new',
    engagementId: 'e-new',
    eTag: '"x"',
    createdDateTime: '2026-01-10T12:00:01.1234567Z',
    status: 'Active',
    substatus: 'Accepted',
    type: 'shared',
    details: { ...(sent.details as object), dealValue: '10' },
    target: [...(sent.target as object[])].reverse(),
    ...overrides,
  });

  test('exactly one match is the referral', () => {
    const mine = asCreated();
    expect(matchCreated(sent, [asCreated({ id: 'other', name: 'Deal 2' }), mine], { since })).toEqual({
      kind: 'one',
      referral: mine,
    });
  });

  test('created before the POST (beyond the clock allowance) is not ours', () => {
    const early = asCreated({ createdDateTime: new Date(since - CREATE_CLOCK_SKEW_MS - 1).toISOString() });
    expect(matchCreated(sent, [early], { since })).toEqual({ kind: 'none' });
    const withinSkew = asCreated({ createdDateTime: new Date(since - CREATE_CLOCK_SKEW_MS).toISOString() });
    expect(matchCreated(sent, [withinSkew], { since }).kind).toBe('one');
  });

  test('a page of the newest referrals reaching back before the window ends the look', () => {
    const at = (ms: number) => ({ createdDateTime: new Date(ms).toISOString() });
    expect(reachesBefore([at(since + 5), at(since - CREATE_CLOCK_SKEW_MS)], { since })).toBe(false);
    expect(reachesBefore([at(since + 5), at(since - CREATE_CLOCK_SKEW_MS - 1)], { since })).toBe(true);
    expect(reachesBefore([{ createdDateTime: null }], { since })).toBe(false);
  });

  test('two matches are inconclusive', () => {
    expect(matchCreated(sent, [asCreated(), asCreated({ id: 'twin' })], { since })).toEqual({
      kind: 'several',
      count: 2,
    });
  });

  test('a candidate missing a field we sent is not ours', () => {
    const { externalReferenceId: _gone, ...partial } = asCreated();
    expect(matchCreated(sent, [partial], { since }).kind).toBe('none');
  });

  test('an engagementId we did not send is not compared; one we sent is', () => {
    expect(matchCreated({ ...sent, engagementId: 'e-new' }, [asCreated()], { since }).kind).toBe('one');
    expect(matchCreated({ ...sent, engagementId: 'e-old' }, [asCreated()], { since }).kind).toBe('none');
  });

  test("property: changing any identifying value of the candidate makes it someone else's", () => {
    const identifying: readonly (readonly string[])[] = [
      ['name'],
      ['externalReferenceId'],
      ['type'],
      ['customerProfile', 'name'],
      ['customerProfile', 'address', 'country'],
      ['customerProfile', 'address', 'postalCode'],
      ['customerProfile', 'address', 'city'],
      ['details', 'dealValue'],
      ['details', 'currency'],
      ['details', 'notes'],
      ['target'],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...identifying),
        fc.string({ minLength: 1, maxLength: 5 }),
        (path, noise) => {
          const changed = structuredClone(asCreated()) as Record<string, unknown>;
          let parent = changed;
          for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
          const last = path.at(-1) as string;
          parent[last] = Array.isArray(parent[last])
            ? [{ type: 'SolutionProfile', id: `Z${noise}` }]
            : `${String(parent[last])}~${noise}`;
          expect(matchCreated(sent, [changed], { since }).kind).toBe('none');
        },
      ),
    );
  });
});
