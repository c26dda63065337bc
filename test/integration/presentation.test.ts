/**
 * Every way a referral or a deal registration enters an answer presents it the same way
 * (src/graphql/wirePresentation.ts): a wire enum value the schema does not know answers null, one
 * in another casing its canonical value, a field of an unexpected type null. And what is written
 * back is what was read: the presentation never reaches the Partner API.
 */
import { describe, expect, test } from '@jest/globals';
import { CREATE_REFERRAL, type CreateResult, newReferralInput } from '../helpers/createMutation.ts';
import { useStack } from '../helpers/stack.ts';

const stack = useStack();

const ODD = { salesStage: '100', campaignId: 42, status: 'closed', substatus: 'won', favorite: 'yes' };
const ODD_ANSWER = { salesStage: null, campaignId: null, status: 'CLOSED', substatus: 'WON', favorite: null };
const FIELDS = 'id salesStage campaignId status substatus favorite';

const ODD_REGISTRATION = {
  id: 'reg-odd',
  type: 'AzureIPCoSell',
  registrationDateTime: '2024-03-01T09:00:00.1234567Z',
  status: 'Escalated',
  statusReason: 7,
  contract: { value: '1500.50', currency: 'USD', term: 'Finite' },
  solutionDetails: [{ id: 'SOL-1', value: 'lots', currency: 'USD', pricingModel: 'Barter' }],
};

/** Two referrals of one new engagement; the first carries the odd values. */
function seed(): { odd: string; sibling: string } {
  const base = { ...stack.emulator.listReferrals()[0] } as Record<string, unknown>;
  const engagementId = `presentation-${Math.random().toString(16).slice(2)}`;
  const odd = `${engagementId}-odd`;
  const sibling = `${engagementId}-sibling`;
  delete base.links;
  stack.emulator.putReferral({ ...base, ...ODD, id: odd, engagementId, registrations: [ODD_REGISTRATION] });
  stack.emulator.putReferral({ ...base, id: sibling, engagementId, salesStage: 'Qualify' });
  return { odd, sibling };
}

const etagOf = (id: string) => String(stack.emulator.getReferral(id)?.eTag);

describe('a referral with odd wire values answers the same through every entry point', () => {
  test('referral(id) and _entities', async () => {
    const { odd } = seed();
    const one = await stack.gql(`query($id: ID!) { referral(id: $id) { ${FIELDS} } }`, { id: odd });
    expect(one.body).toEqual({ data: { referral: { id: odd, ...ODD_ANSWER } } });
    const entities = await stack.gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { ${FIELDS} } } }`,
      { r: [{ __typename: 'Referral', id: odd }] },
    );
    expect(entities.body).toEqual({ data: { _entities: [{ id: odd, ...ODD_ANSWER }] } });
  });

  test("a sibling's relatedReferrals", async () => {
    const { odd, sibling } = seed();
    const res = await stack.gql(
      `query($id: ID!) { referral(id: $id) { id relatedReferrals { ${FIELDS} } } }`,
      {
        id: sibling,
      },
    );
    expect(res.body).toEqual({
      data: { referral: { id: sibling, relatedReferrals: [{ id: odd, ...ODD_ANSWER }] } },
    });
  });

  test('updateReferral: the success and the conflict present it; the PUT carries the values as read', async () => {
    const { odd } = seed();
    const stale = etagOf(odd);
    const mutation = `mutation($id: ID!, $input: UpdateReferralInput!, $etag: String!) {
      updateReferral(id: $id, input: $input, etag: $etag) {
        __typename
        ... on UpdateReferralSuccess { referral { ${FIELDS} name } }
        ... on ReferralPreconditionFailed { currentReferral { ${FIELDS} } }
      }
    }`;
    stack.emulator.clearRequests();
    const updated = await stack.gql(mutation, {
      id: odd,
      input: { name: 'Renamed odd referral' },
      etag: stale,
    });
    expect(updated.body).toEqual({
      data: {
        updateReferral: {
          __typename: 'UpdateReferralSuccess',
          referral: { id: odd, ...ODD_ANSWER, name: 'Renamed odd referral' },
        },
      },
    });
    const put = stack.emulator.requests.find((r) => r.method === 'PUT');
    expect(put?.body).toMatchObject({ salesStage: '100', campaignId: 42, favorite: 'yes' });
    expect(stack.emulator.getReferral(odd)).toMatchObject({ salesStage: '100', campaignId: 42 });

    const conflict = await stack.gql(mutation, { id: odd, input: { name: 'Too late' }, etag: stale });
    expect(conflict.body).toEqual({
      data: {
        updateReferral: {
          __typename: 'ReferralPreconditionFailed',
          currentReferral: { id: odd, ...ODD_ANSWER },
        },
      },
    });
  });

  test('updateDealRegistration: the registration it answers is presented, the PATCH leaves the odd members alone', async () => {
    const { odd } = seed();
    stack.emulator.clearRequests();
    const res = await stack.gql(
      `mutation($id: ID!, $input: DealRegistrationChangesInput!, $etag: String!) {
        updateDealRegistration(referralId: $id, registrationId: "reg-odd", input: $input, etag: $etag) {
          __typename
          ... on DealRegistrationSuccess {
            referral { ${FIELDS} }
            registration { id type status statusReason contract { value currency term } solutionDetails { id value pricingModel } }
          }
        }
      }`,
      { id: odd, input: { contract: { value: 2000 } }, etag: etagOf(odd) },
    );
    expect(res.body).toEqual({
      data: {
        updateDealRegistration: {
          __typename: 'DealRegistrationSuccess',
          referral: { id: odd, ...ODD_ANSWER },
          registration: {
            id: 'reg-odd',
            type: 'AZURE_IP_CO_SELL',
            status: null,
            statusReason: null,
            contract: { value: 2000, currency: 'USD', term: 'FINITE' },
            solutionDetails: [{ id: 'SOL-1', value: null, pricingModel: null }],
          },
        },
      },
    });
    const patch = stack.emulator.requests.find((r) => r.method === 'PATCH');
    expect(JSON.stringify(patch?.body)).not.toMatch(/Escalated|lots|Barter/);
    expect(stack.emulator.getReferral(odd)?.registrations).toMatchObject([
      { status: 'Escalated', statusReason: 7, solutionDetails: [{ value: 'lots', pricingModel: 'Barter' }] },
    ]);
  });

  test("shareReferralWithMicrosoft: Microsoft's half, made from the odd partner half, answers presented", async () => {
    const created = await stack.gql<{ createReferral: CreateResult }>(CREATE_REFERRAL, {
      input: newReferralInput({ type: 'SHARED', target: [{ type: 'SOLUTION_PROFILE', id: 'SOL-7f1c2a' }] }),
    });
    const partnerId = String((created.body.data?.createReferral as CreateResult | undefined)?.referral?.id);
    const stored = stack.emulator.getReferral(partnerId) as Record<string, Record<string, unknown>>;
    // Odd values in the nested objects the co-sell flow copies to Microsoft's half.
    stack.emulator.putReferral({
      ...stored,
      customerProfile: { ...stored.customerProfile, isMatchingComplete: 'yes', ids: {} },
      details: { ...stored.details, dealValue: '1500.50' },
    });
    const res = await stack.gql(
      `mutation($id: ID!) {
        shareReferralWithMicrosoft(referralId: $id) {
          __typename
          ... on CreateReferralSuccess { referral { id customerProfile { isMatchingComplete ids { id } } details { dealValue } } }
        }
      }`,
      { id: partnerId },
    );
    const half = (res.body.data as Record<string, { __typename: string; referral: Record<string, unknown> }>)
      .shareReferralWithMicrosoft;
    expect(res.body.errors).toBeUndefined();
    expect(half?.__typename).toBe('CreateReferralSuccess');
    expect(half?.referral).toMatchObject({
      customerProfile: { isMatchingComplete: null, ids: null },
      details: { dealValue: 1500.5 },
    });
    const post = stack.emulator.requests.filter((r) => r.method === 'POST').at(-1);
    expect(post?.body).toMatchObject({ customerProfile: { isMatchingComplete: 'yes', ids: {} } });
  });

  test('createDealRegistration: the referral it answers, with an odd registration beside the new one, is presented', async () => {
    const { odd } = seed();
    const res = await stack.gql(
      `mutation($id: ID!, $input: DealRegistrationInput!, $etag: String!) {
        createDealRegistration(referralId: $id, input: $input, etag: $etag) {
          __typename
          ... on DealRegistrationSuccess { referral { ${FIELDS} registrations { id status } } registration { status } }
        }
      }`,
      {
        id: odd,
        input: {
          contract: {
            value: 10,
            currency: 'USD',
            startDateTime: '2025-07-01T00:00:00.0000000Z',
            endDateTime: '2026-06-30T00:00:00.0000000Z',
            term: 'FINITE',
          },
          solutionDetails: [{ id: 'SOL-2', value: 10, currency: 'USD', pricingModel: 'OTHER' }],
        },
        etag: etagOf(odd),
      },
    );
    expect(res.body.errors).toBeUndefined();
    const success = (res.body.data as Record<string, Record<string, unknown>>).createDealRegistration;
    expect(success).toMatchObject({
      __typename: 'DealRegistrationSuccess',
      referral: { id: odd, ...ODD_ANSWER, registrations: [{ id: 'reg-odd', status: null }, {}] },
    });
  });
});
