/**
 * The fields of the connector's V3 contract and of the live wire that no documentation page lists
 * (docs/partner-api.md §5.3): read as stored, and the three a client owns (`salesStage`,
 * `campaignId`, `referralProgram`, patchable per §3.5) written in both write modes.
 */
import { describe, expect, test } from '@jest/globals';
import { expectProjection } from '../helpers/expectProjection.ts';
import { ALL_REFERRAL_FIELDS, MEMBER_FRAGMENT, type Stack, useStack } from '../helpers/stack.ts';
import { UPDATE_REFERRAL, type UpdateResult } from '../helpers/updateMutation.ts';

const FULL = `query($id: ID!) { referral(id: $id) { ${ALL_REFERRAL_FIELDS} } } ${MEMBER_FRAGMENT}`;

function freshReferral(stack: Stack, overrides: Record<string, unknown> = {}): string {
  const base = stack.emulator.listReferrals().find((r) => r.direction !== undefined);
  const id = `c0ffee00-0000-4000-8000-${Math.floor(Math.random() * 1e12)
    .toString(16)
    .padStart(12, '0')}`;
  stack.emulator.putReferral({
    ...base,
    id,
    status: 'Active',
    substatus: 'Accepted',
    salesStage: 'Qualify',
    campaignId: 'CMP-OLD',
    referralProgram: 'Azure Migrate',
    ...overrides,
  });
  return id;
}

describe('reading the §5.3 fields', () => {
  const stack = useStack();

  test('every seeded referral with deal registrations answers them exactly as stored', async () => {
    const registered = stack.emulator
      .listReferrals()
      .filter((r) => Array.isArray(r.registrations) && r.registrations.length > 0);
    expect(registered.length).toBeGreaterThan(0);
    for (const wire of registered) {
      const res = await stack.gql(FULL, { id: wire.id });
      expect(res.body.errors).toBeUndefined();
      const { links: _links, ...answer } = (res.body.data as { referral: Record<string, unknown> }).referral;
      expectProjection(answer, stack.emulator.getReferral(String(wire.id)));
      expect(answer).toMatchObject({
        registrationStatus: 'REVIEW_PENDING',
        registrations: [{ type: 'AZURE_IP_CO_SELL', status: 'REVIEW_PENDING', contract: { term: 'FINITE' } }],
      });
    }
  });
});

describe.each(['put', 'patch'] as const)(
  'writing salesStage, campaignId and referralProgram (%s mode)',
  (mode) => {
    const stack = useStack({ PARTNER_API_WRITE_MODE: mode });
    const method = mode === 'put' ? 'PUT' : 'PATCH';

    async function update(id: string, input: Record<string, unknown>) {
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      stack.emulator.clearRequests();
      const res = await stack.gql<{ updateReferral: UpdateResult }>(UPDATE_REFERRAL, { id, input, etag });
      expect(res.body.errors).toBeUndefined();
      return res.body.data?.updateReferral as UpdateResult;
    }

    const writes = () => stack.emulator.requests.filter((r) => r.method === 'PUT' || r.method === 'PATCH');

    test('a given value is written, an absent one kept, a null one cleared', async () => {
      const id = freshReferral(stack);
      const result = await update(id, { salesStage: 'PROPOSE', campaignId: null });
      expect(result.__typename).toBe('UpdateReferralSuccess');
      expect(writes().map((w) => w.method)).toEqual([method]);
      if (mode === 'patch') {
        // Exactly these two operations, in the referral's key order.
        expect(writes()[0]?.body).toHaveLength(2);
        expect(writes()[0]?.body).toEqual(
          expect.arrayContaining([
            { op: 'replace', path: '/salesStage', value: 'Propose' },
            { op: 'replace', path: '/campaignId', value: null },
          ]),
        );
      } else {
        expect(writes()[0]?.body).toMatchObject({
          salesStage: 'Propose',
          campaignId: null,
          referralProgram: 'Azure Migrate',
        });
      }
      expect(stack.emulator.getReferral(id)).toMatchObject({
        salesStage: 'Propose',
        campaignId: null,
        referralProgram: 'Azure Migrate',
      });
      const read = await stack.gql(
        `query($id: ID!) { referral(id: $id) { salesStage campaignId referralProgram } }`,
        {
          id,
        },
      );
      expect(read.body.data?.referral).toEqual({
        salesStage: 'PROPOSE',
        campaignId: null,
        referralProgram: 'Azure Migrate',
      });
    });

    test('a salesStage seen only on the wire ("100") is replaced by a known one', async () => {
      const id = freshReferral(stack, { salesStage: '100' });
      expect((await update(id, { salesStage: 'CLOSE', referralProgram: 'ISV Success' })).__typename).toBe(
        'UpdateReferralSuccess',
      );
      expect(stack.emulator.getReferral(id)).toMatchObject({
        salesStage: 'Close',
        referralProgram: 'ISV Success',
      });
    });

    test('an over-long campaignId is refused before any call', async () => {
      const id = freshReferral(stack);
      const result = await update(id, { campaignId: 'C'.repeat(257), referralProgram: 'P'.repeat(257) });
      expect(result).toMatchObject({
        __typename: 'ReferralValidationFailed',
        fieldErrors: [
          { path: ['campaignId'], code: 'TOO_LONG' },
          { path: ['referralProgram'], code: 'TOO_LONG' },
        ],
      });
      expect(stack.emulator.requests).toHaveLength(0);
    });

    test('a salesStage outside the enum is a GraphQL validation error, 0 calls', async () => {
      const id = freshReferral(stack);
      stack.emulator.clearRequests();
      const res = await stack.gql(UPDATE_REFERRAL, { id, input: { salesStage: 'WON' }, etag: 'x' });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(stack.emulator.requests).toHaveLength(0);
    });
  },
);
