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
