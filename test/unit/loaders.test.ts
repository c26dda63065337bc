import { describe, expect, test } from '@jest/globals';
import { createLoaders } from '../../src/graphql/loaders.ts';
import type { CallContext } from '../../src/upstream/httpClient.ts';
import type { ReferralsApi } from '../../src/upstream/referralsApi.ts';
import type { WireReferral } from '../../src/upstream/referralWire.ts';
import { UpstreamError } from '../../src/upstream/upstreamErrors.ts';

/** A ReferralsApi that records which ids were fetched (only getReferral is used by loaders). */
function recordingApi(known: Record<string, WireReferral>) {
  const fetched: string[] = [];
  const api = {
    async getReferral(id: string) {
      fetched.push(id);
      if (id === 'boom') throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'GET answered 503');
      return known[id] ?? null;
    },
  } as unknown as ReferralsApi;
  return { api, fetched };
}

const call: CallContext = { authorization: 'Bearer t', correlationId: 'c' };
const referral = (id: string): WireReferral => ({ id, eTag: `"${id}"` });

describe('the referral loader', () => {
  test('loads each distinct id once per request', async () => {
    const { api, fetched } = recordingApi({ a: referral('a'), b: referral('b') });
    const loaders = createLoaders(api, call);
    const results = await Promise.all(['a', 'b', 'a', 'a', 'missing'].map((id) => loaders.referral.load(id)));
    expect(results.map((r) => r?.id ?? null)).toEqual(['a', 'b', 'a', 'a', null]);
    expect(fetched.sort()).toEqual(['a', 'b', 'missing']);
  });

  test('one failing id fails only its own load', async () => {
    const { api } = recordingApi({ a: referral('a') });
    const loaders = createLoaders(api, call);
    const [ok, failed] = await Promise.allSettled([
      loaders.referral.load('a'),
      loaders.referral.load('boom'),
    ]);
    expect(ok).toEqual({ status: 'fulfilled', value: referral('a') });
    expect(failed.status).toBe('rejected');
    expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(UpstreamError);
  });

  test('loaders of different requests share nothing', async () => {
    const { api, fetched } = recordingApi({ a: referral('a') });
    await createLoaders(api, call).referral.load('a');
    await createLoaders(api, call).referral.load('a');
    expect(fetched).toEqual(['a', 'a']);
  });
});
