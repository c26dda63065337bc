/**
 * Co-sell with Microsoft, the documented two-step flow (docs/partner-api.md §3.3), end to end
 * against the emulator: step 1 creates a SHARED referral to a partner solution profile; step 2
 * creates Microsoft's half with the same engagementId, either by hand (createReferral with
 * `engagementId`) or with `shareReferralWithMicrosoft`. Both halves then show each other as
 * related referrals.
 */
import { describe, expect, test } from '@jest/globals';
import {
  CREATE_REFERRAL,
  type CreateResult,
  newKey,
  newReferralInput,
  SHARE_WITH_MICROSOFT,
} from '../helpers/createMutation.ts';
import { useStack } from '../helpers/stack.ts';

const stack = useStack();

async function create(input: Record<string, unknown>, key?: string): Promise<CreateResult> {
  const res = await stack.gql<{ createReferral: CreateResult }>(CREATE_REFERRAL, { input, key });
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as { createReferral: CreateResult }).createReferral;
}

async function share(referralId: string, key?: string): Promise<CreateResult> {
  const res = await stack.gql<{ shareReferralWithMicrosoft: CreateResult }>(SHARE_WITH_MICROSOFT, {
    referralId,
    key,
  });
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as { shareReferralWithMicrosoft: CreateResult }).shareReferralWithMicrosoft;
}

const RELATED = `query Related($id: ID!) {
  referral(id: $id) { id engagementId target { id type } relatedReferrals { id engagementId target { id type } } }
}`;

interface Related {
  id: string;
  engagementId: string;
  target: { id: string; type: string }[];
  relatedReferrals: { id: string; engagementId: string; target: { id: string; type: string }[] }[];
}

async function related(id: string): Promise<Related> {
  const res = await stack.gql<{ referral: Related }>(RELATED, { id });
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as { referral: Related }).referral;
}

/** Step 1: a shared referral to a partner's solution profile. */
function sharedInput(): Record<string, unknown> {
  return newReferralInput({
    type: 'SHARED',
    target: [{ type: 'SOLUTION_PROFILE', id: 'SOL-7f1c2a' }],
    inviteContext: { notes: 'Co-sell with Microsoft', assistanceRequestCode: 'PROOF_OF_CONCEPT_OR_DEMO' },
  });
}

const posts = () => stack.emulator.requests.filter((r) => r.method === 'POST');

/** How many referrals the emulator holds in this engagement. */
const engagementSize = (engagementId: unknown) =>
  stack.emulator.listReferrals().filter((r) => r.engagementId === engagementId).length;

describe('co-sell with Microsoft in two createReferral calls (the documented flow)', () => {
  test("step 2 joins step 1's engagement with Microsoft as the target", async () => {
    const partnerHalf = await create(sharedInput(), newKey());
    expect(partnerHalf.referral).toMatchObject({
      type: 'SHARED',
      target: [{ type: 'SOLUTION_PROFILE', id: 'SOL-7f1c2a' }],
    });
    const engagementId = String(partnerHalf.referral?.engagementId);

    const microsoftHalf = await create(
      {
        ...sharedInput(),
        engagementId,
        target: [{ type: 'BUSINESS_PROFILE_LOCATION', id: 'msft' }],
      },
      newKey(),
    );

    expect(microsoftHalf.referral).toMatchObject({
      engagementId,
      target: [{ type: 'BUSINESS_PROFILE_LOCATION', id: 'msft' }],
    });
    expect(posts().map((p) => (p.body as { engagementId?: string }).engagementId)).toEqual([
      undefined,
      engagementId,
    ]);
    const mine = await related(String(partnerHalf.referral?.id));
    expect(mine.relatedReferrals.map((r) => r.id)).toEqual([microsoftHalf.referral?.id]);
  });
});

describe('shareReferralWithMicrosoft: step 2 in one mutation', () => {
  test("creates Microsoft's half from the partner's referral, and the two show each other as related", async () => {
    const input = sharedInput();
    const partnerHalf = await create(input, newKey());
    const partnerId = String(partnerHalf.referral?.id);
    const engagementId = String(partnerHalf.referral?.engagementId);
    stack.emulator.clearRequests();

    const microsoftHalf = await share(partnerId, newKey());

    expect(microsoftHalf.__typename).toBe('CreateReferralSuccess');
    expect(microsoftHalf.referral).toMatchObject({
      engagementId,
      type: 'SHARED',
      status: 'NEW',
      substatus: 'PENDING',
      customerProfile: partnerHalf.referral?.customerProfile,
      consent: partnerHalf.referral?.consent,
      details: partnerHalf.referral?.details,
      target: [{ type: 'BUSINESS_PROFILE_LOCATION', id: 'msft' }],
    });
    expect(microsoftHalf.referral?.id).not.toBe(partnerId);
    // One GET of the partner's referral, one list of its engagement (by the referral's own
    // related-referrals link) to find no Microsoft half there yet, one POST of the half.
    expect(stack.emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v1.0/engagements/referrals/${partnerId}`,
      'GET /v1.0/engagements/referrals',
      'POST /v1.0/engagements/referrals',
    ]);
    expect(stack.emulator.requests[1]?.query.$filter).toBe(`engagementId eq '${engagementId}'`);
    const stored = stack.emulator.getReferral(partnerId) as Record<string, unknown>;
    expect(posts()[0]?.body).toEqual({
      engagementId,
      status: 'New',
      substatus: 'Pending',
      type: 'Shared',
      customerProfile: stored.customerProfile,
      consent: stored.consent,
      details: stored.details,
      target: [{ type: 'BusinessProfileLocation', id: 'msft' }],
    });

    const fromPartner = await related(partnerId);
    const fromMicrosoft = await related(String(microsoftHalf.referral?.id));
    expect(fromPartner.relatedReferrals).toEqual([
      {
        id: microsoftHalf.referral?.id,
        engagementId,
        target: [{ type: 'BUSINESS_PROFILE_LOCATION', id: 'msft' }],
      },
    ]);
    expect(fromMicrosoft.relatedReferrals).toEqual([
      { id: partnerId, engagementId, target: [{ type: 'SOLUTION_PROFILE', id: 'SOL-7f1c2a' }] },
    ]);
  });

  test('the same key twice shares once', async () => {
    const partnerHalf = await create(sharedInput());
    const key = newKey();
    const first = await share(String(partnerHalf.referral?.id), key);
    const second = await share(String(partnerHalf.referral?.id), key);
    expect(second.referral?.id).toBe(first.referral?.id);
    expect(posts()).toHaveLength(2);
    expect(engagementSize(partnerHalf.referral?.engagementId)).toBe(2);
  });

  test('a share whose answer was lost settles by its engagement, never POSTs twice', async () => {
    const partnerHalf = await create(sharedInput());
    const engagementId = partnerHalf.referral?.engagementId;
    stack.emulator.clearRequests();
    stack.emulator.injectFault({ method: 'POST', times: 1, fault: { kind: 'applyThenDrop' } });

    const shared = await share(String(partnerHalf.referral?.id), newKey());

    expect(shared.__typename).toBe('CreateReferralSuccess');
    expect(shared.referral).toMatchObject({ engagementId, target: [{ id: 'msft' }] });
    const look = stack.emulator.requests.find((r) => r.method === 'GET' && r.query.$orderby !== undefined);
    expect(look?.query).toMatchObject({
      $filter: `engagementId eq '${engagementId}'`,
      $orderby: 'createdDateTime desc',
    });
    expect(posts()).toHaveLength(1);
  });

  test('an unknown referral is ReferralNotFound, and nothing is created', async () => {
    const result = await share('99999999-9999-4999-8999-999999999999', newKey());
    expect(result).toMatchObject({
      __typename: 'ReferralNotFound',
      id: '99999999-9999-4999-8999-999999999999',
    });
    expect(posts()).toHaveLength(0);
  });

  test('a private deal is not shared: ReferralValidationFailed says why, and nothing is created', async () => {
    const input = sharedInput();
    const partnerHalf = await create({
      ...input,
      consent: { ...(input.consent as object), consentToShareReferralWithMicrosoftSellers: false },
    });
    stack.emulator.clearRequests();
    const result = await share(String(partnerHalf.referral?.id));
    expect(result.__typename).toBe('ReferralValidationFailed');
    expect(result.message).toMatch(/private deal/);
    expect(posts()).toHaveLength(0);
  });

  test('shared twice under two different keys: the second finds the half there and is refused; 1 POST in all', async () => {
    const partnerHalf = await create(sharedInput());
    stack.emulator.clearRequests();
    const first = await share(String(partnerHalf.referral?.id), newKey());
    const second = await share(String(partnerHalf.referral?.id), newKey());
    expect(first.__typename).toBe('CreateReferralSuccess');
    expect(second).toMatchObject({
      __typename: 'ReferralValidationFailed',
      message: expect.stringContaining(`already has its Microsoft half (referral ${first.referral?.id})`),
    });
    expect(posts()).toHaveLength(1);
    expect(engagementSize(partnerHalf.referral?.engagementId)).toBe(2);
  });

  test('a referral that is not SHARED is not co-sold (§3.3): refused before any list or POST', async () => {
    const partnerHalf = await create({ ...sharedInput(), type: 'INDEPENDENT' });
    stack.emulator.clearRequests();
    const result = await share(String(partnerHalf.referral?.id), newKey());
    expect(result).toMatchObject({
      __typename: 'ReferralValidationFailed',
      message: expect.stringMatching(/Only a Shared referral/),
    });
    expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET']);
  });

  test("Microsoft's half is not shared again", async () => {
    const partnerHalf = await create(sharedInput());
    const microsoftHalf = await share(String(partnerHalf.referral?.id));
    stack.emulator.clearRequests();
    const again = await share(String(microsoftHalf.referral?.id));
    expect(again.__typename).toBe('ReferralValidationFailed');
    expect(again.message).toMatch(/already Microsoft's half/);
    expect(posts()).toHaveLength(0);
  });
});
