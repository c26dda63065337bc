import { describe, expect, test } from '@jest/globals';
import { ALL_REFERRAL_FIELDS, MEMBER_FRAGMENT, useStack } from '../helpers/stack.ts';

const stack = useStack();

function withChanges(changes: Record<string, unknown>, remove: string[] = []): string {
  const base = { ...stack.emulator.listReferrals()[0] } as Record<string, unknown>;
  for (const key of remove) delete base[key];
  const id = `tolerance-${Math.random().toString(16).slice(2)}`;
  stack.emulator.putReferral({ ...base, ...changes, id });
  return id;
}

async function read(id: string) {
  return stack.gql<{ referral: Record<string, unknown> }>(
    `query($id: ID!) { referral(id: $id) { ${ALL_REFERRAL_FIELDS} } } ${MEMBER_FRAGMENT}`,
    { id },
  );
}

describe('answers every other field when the wire data is unexpected', () => {
  test('an enum value the schema does not know becomes null, without an error', async () => {
    const id = withChanges({
      status: 'Archived',
      substatus: 'OnHold',
      type: 'Hybrid',
      qualification: 'PartnerQualified',
      target: [{ id: 'x', type: 'Galaxy' }],
    });
    const res = await read(id);
    expect(res.body.errors).toBeUndefined();
    const referral = res.body.data?.referral as Record<string, unknown>;
    expect(referral).toMatchObject({
      id,
      status: null,
      substatus: null,
      type: null,
      qualification: null,
      target: [{ id: 'x', type: null }],
    });
    expect(referral.name).toBe(stack.emulator.getReferral(id)?.name);
    expect(referral.customerProfile).not.toBeNull();
  });

  test('enum values in another casing are still recognised', async () => {
    const id = withChanges({ status: 'closed', substatus: 'WON' });
    const res = await read(id);
    expect(res.body.data?.referral).toMatchObject({ status: 'CLOSED', substatus: 'WON' });
  });

  test('missing optional objects answer null', async () => {
    const id = withChanges({ details: null, consent: null }, [
      'customerProfile',
      'inviteContext',
      'team',
      'target',
    ]);
    const res = await read(id);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.referral).toMatchObject({
      id,
      customerProfile: null,
      consent: null,
      details: null,
      inviteContext: null,
      team: null,
      target: null,
    });
    expect(res.body.data?.referral?.etag).toBe(stack.emulator.getReferral(id)?.eTag);
  });

  test('legacy shapes: `ids: {}` and a string dealValue', async () => {
    const base = stack.emulator.listReferrals()[0] as Record<string, Record<string, unknown>>;
    const id = withChanges({
      customerProfile: { ...base.customerProfile, ids: {} },
      details: { ...base.details, dealValue: '10000' },
    });
    const res = await read(id);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.referral).toMatchObject({
      customerProfile: { ids: null },
      details: { dealValue: 10000 },
    });
  });
});

describe('fields no documentation page lists (docs/partner-api.md §5.3) stay tolerant', () => {
  const registration = {
    id: 'reg-odd',
    type: 'AzureOpenAICoSell',
    registrationDateTime: '2024-05-01T10:00:00.1234567Z',
    status: 'Escalated',
    statusReason: null,
    contract: { value: '1500.50', currency: 'USD', term: 'Monthly' },
    solutionDetails: [
      { id: 'SOL-1', value: 'lots', primaryDeploymentOn: 'Hybrid', pricingModel: 'Subscription' },
    ],
  };

  test('values outside their enums answer null (salesStage "100" as seen live), the rest is answered', async () => {
    const id = withChanges({
      salesStage: '100',
      direction: 'Sideways',
      registrationStatus: 'Escalated',
      registrations: [registration],
      campaignId: 'CMP-1',
    });
    const res = await read(id);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.referral).toMatchObject({
      id,
      salesStage: null,
      direction: null,
      registrationStatus: null,
      campaignId: 'CMP-1',
      registrations: [
        {
          id: 'reg-odd',
          type: null,
          status: null,
          registrationDateTime: '2024-05-01T10:00:00.1234567Z',
          contract: { value: 1500.5, currency: 'USD', term: null },
          solutionDetails: [{ id: 'SOL-1', value: null, primaryDeploymentOn: null, pricingModel: null }],
        },
      ],
    });
  });

  test('known values in another casing are recognised', async () => {
    const id = withChanges({
      salesStage: 'PROPOSE',
      direction: 'outgoing',
      registrations: [{ ...registration, type: 'azureipcosell', status: 'reviewpending' }],
    });
    const res = await read(id);
    expect(res.body.data?.referral).toMatchObject({
      salesStage: 'PROPOSE',
      direction: 'OUTGOING',
      registrations: [{ type: 'AZURE_IP_CO_SELL', status: 'REVIEW_PENDING' }],
    });
  });

  test('fields only ever seen as null answer null for a value of another type; open items pass as JSON', async () => {
    const base = stack.emulator.listReferrals()[0] as Record<string, Record<string, unknown>>;
    const id = withChanges({
      tags: ['priority', { tag: 'renewal' }, 7],
      details: {
        ...base.details,
        incentiveLevel: 3,
        requirements: {
          solutions: [{ id: 'SOL-2', price: 'cheap', quantity: '2', currency: 1, closingDateTime: false }],
          offers: [{ id: 'OFFER-1', plans: [1, 2] }, 'plain'],
          salesPlays: [],
          additionalRequirements: { iot: { deviceCategory: { nested: true }, attachServices: true } },
        },
      },
    });
    const res = await read(id);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.referral).toMatchObject({
      tags: ['priority', 'renewal'],
      details: {
        incentiveLevel: null,
        requirements: {
          solutions: [{ id: 'SOL-2', price: null, quantity: 2, currency: null, closingDateTime: null }],
          offers: [{ id: 'OFFER-1', plans: [1, 2] }, 'plain'],
          salesPlays: [],
          additionalRequirements: { iot: { deviceCategory: null, attachServices: true } },
        },
      },
    });
  });
});

describe('a §5.3 field of an unexpected type answers null; the rest of the referral, and its page, still answer', () => {
  const oddValues: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['favorite: "true"', { favorite: 'true' }, { favorite: null }],
    ['trackingInfo: "x"', { trackingInfo: 'x' }, { trackingInfo: null }],
    [
      'registrations[0].contract.term: 1',
      {
        registrations: [
          {
            id: 'reg-1',
            contract: { value: 5, currency: 'USD', term: 1, startDateTime: 7 },
            solutionDetails: 'none',
          },
          'not a registration',
        ],
      },
      {
        registrations: [
          {
            id: 'reg-1',
            contract: { value: 5, currency: 'USD', term: null, startDateTime: null },
            solutionDetails: null,
          },
        ],
      },
    ],
    ['direction: 1', { direction: 1 }, { direction: null }],
    [
      'the other odd types',
      {
        isSpam: 0,
        acceptedDateTime: 5,
        campaignId: { id: 'x' },
        registrationStatus: ['None'],
        tags: 'solo',
        customerProfile: { name: 'Odd Co', isMatchingComplete: 'yes' },
      },
      {
        isSpam: null,
        acceptedDateTime: null,
        campaignId: null,
        registrationStatus: null,
        tags: null,
        customerProfile: { name: 'Odd Co', isMatchingComplete: null },
      },
    ],
  ];

  test.each(oddValues)('%s', async (_name, odd, expected) => {
    const id = withChanges({ ...odd, engagementId: `odd-${Math.random().toString(16).slice(2)}` });
    const one = await read(id);
    expect(one.body.errors).toBeUndefined();
    expect(one.body.data?.referral).toMatchObject({ id, ...expected });
    expect(one.body.data?.referral?.name).toBe(stack.emulator.getReferral(id)?.name);
    expect(one.body.data?.referral?.etag).toBe(stack.emulator.getReferral(id)?.eTag);

    // The page that carries it answers too (a list item failing the wire check would fail it).
    const engagementId = stack.emulator.getReferral(id)?.engagementId;
    const page = await stack.gql<{ referrals: { edges: { node: Record<string, unknown> }[] } }>(
      `query($e: ID) { referrals(filter: { engagementId: $e }) { edges { node {
        id name favorite isSpam direction tags trackingInfo { microsoftMsxId }
        registrations { id contract { term value } }
      } } } }`,
      { e: engagementId },
    );
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data?.referrals.edges.map((edge) => edge.node.id)).toEqual([id]);
  });
});

describe('an unknown enum value is logged, not once per field served', () => {
  const logged = useStack({}, { captureLogs: true });

  test('three pages of 20 referrals with an unknown salesStage write one warning for that enum', async () => {
    const ids = logged.emulator.listReferrals().map((r) => String(r.id));
    for (const id of ids)
      logged.emulator.putReferral({ ...logged.emulator.getReferral(id), salesStage: '100' });
    logged.logLines.length = 0;
    for (let page = 0; page < 3; page += 1) {
      const res = await logged.gql('{ referrals(first: 20) { edges { node { id salesStage } } } }');
      expect(res.body.errors).toBeUndefined();
    }
    const warnings = logged.logLines.filter((l) => l.enumName === 'ReferralSalesStage');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ value: '100', level: 40 });
  });
});
