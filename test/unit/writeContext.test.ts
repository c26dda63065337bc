import { describe, expect, test } from '@jest/globals';
import type { GatewayContext } from '../../src/graphql/context.ts';
import { createLoaders } from '../../src/graphql/loaders.ts';
import { writeContextOf } from '../../src/graphql/writeContext.ts';
import type { CallContext } from '../../src/upstream/httpClient.ts';
import type { ReferralPage, ReferralsApi } from '../../src/upstream/referralsApi.ts';
import type { WireReferral } from '../../src/upstream/referralWire.ts';

const call: CallContext = { authorization: 'Bearer t', correlationId: 'c' };
const E1 = '98f90693-5cab-47b8-9864-55b6fd13862b';

describe('a write keeps the request’s loaders in step', () => {
  test('the written referral replaces its by-id copy, and its engagement is listed again', async () => {
    let name = 'before';
    const listed: string[] = [];
    const api = {
      async getReferral(id: string) {
        return { id, eTag: '"1"', engagementId: E1, name };
      },
      async listReferrals(query: { filter?: string }): Promise<ReferralPage> {
        listed.push(String(query.filter));
        return {
          items: [{ id: 'other', eTag: '"o"', engagementId: E1, name }],
          pageRef: '/v1.0/engagements/referrals',
          nextPageRef: null,
        };
      },
      pageRefOf: () => null,
    } as unknown as ReferralsApi;
    const loaders = createLoaders(api, call);
    const ctx = { api, call, loaders, writeMode: 'put', logger: { info() {} } } as unknown as GatewayContext;

    const engagement = { engagementId: E1, link: undefined };
    expect((await loaders.engagementReferrals.load(engagement)).items[0]?.name).toBe('before');
    name = 'after';
    const written: WireReferral = { id: 'mine', eTag: '"2"', engagementId: E1.toUpperCase(), name: 'mine' };
    writeContextOf(ctx).observe?.(written);

    expect(await loaders.referral.load('mine')).toBe(written);
    // Keyed by the engagement whatever the GUID's casing: the stale list is gone.
    expect((await loaders.engagementReferrals.load(engagement)).items[0]?.name).toBe('after');
    expect(listed).toHaveLength(2);
  });
});
