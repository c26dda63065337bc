import { describe, expect, test } from '@jest/globals';
import { createLoaders } from '../../src/graphql/loaders.ts';
import {
  engagementKey,
  MAX_RELATED_PAGES,
  readEngagementReferrals,
  relatedTo,
} from '../../src/services/relatedReferrals.ts';
import type { CallContext, UpstreamClient } from '../../src/upstream/httpClient.ts';
import { createReferralsApi, type ReferralPage, type ReferralsApi } from '../../src/upstream/referralsApi.ts';
import type { WireReferral } from '../../src/upstream/referralWire.ts';
import { UpstreamError } from '../../src/upstream/upstreamErrors.ts';

const call: CallContext = { authorization: 'Bearer t', correlationId: 'c' };
const E1 = '98f90693-5cab-47b8-9864-55b6fd13862b';
const E2 = 'f3432171-374e-438e-ab08-a7a594694a32';
const COLLECTION = '/v1.0/engagements/referrals';

const item = (id: string, engagementId?: string): WireReferral => ({
  id,
  eTag: `"${id}"`,
  ...(engagementId === undefined ? {} : { engagementId }),
});

/**
 * A ReferralsApi over fixed pages, recording what was asked: `pages` maps a page reference to
 * its items and next reference; a list by filter answers the page stored under `filter:<filter>`.
 */
function fakeApi(pages: Record<string, { items: WireReferral[]; next?: string }>) {
  const asked: string[] = [];
  const page = (ref: string): ReferralPage => {
    const stored = pages[ref];
    if (!stored) throw new UpstreamError('UPSTREAM_UNAVAILABLE', `no page ${ref}`);
    return { items: stored.items, pageRef: ref, nextPageRef: stored.next ?? null };
  };
  const real = createReferralsApi({
    baseUrl: 'https://api.partner.microsoft.com/v1.0',
    client: {} as UpstreamClient,
  });
  const api = {
    isPageRef: real.isPageRef,
    pageRefOf: real.pageRefOf,
    async getReferralPage(ref: string) {
      asked.push(ref);
      return page(ref);
    },
    async listReferrals(query: { filter?: string; top: number }) {
      asked.push(`filter:${query.filter} top:${query.top}`);
      return page(`filter:${query.filter}`);
    },
  } as unknown as ReferralsApi;
  return { api, asked };
}

describe('a link from the Partner API as a page reference (pageRefOf)', () => {
  const api = createReferralsApi({
    baseUrl: 'https://api.partner.microsoft.com/v1.0',
    client: {} as UpstreamClient,
  });

  test.each([
    [
      `https://api.partner.microsoft.com${COLLECTION}?$filter=engagementId eq '${E1}'`,
      `${COLLECTION}?$filter=engagementId%20eq%20%27${E1}%27`,
    ],
    [
      `https://api.partner.microsoft.com${COLLECTION}?$filter=engagementId%20eq%20${E1}`,
      `${COLLECTION}?$filter=engagementId%20eq%20${E1}`,
    ],
    // Re-homed like @odata.nextLink: scheme and host are never taken from the link.
    [`http://api.partner.microsoft.com${COLLECTION}?$filter=x`, `${COLLECTION}?$filter=x`],
    [`https://evil.example${COLLECTION}?$filter=x`, `${COLLECTION}?$filter=x`],
    [`//evil.example${COLLECTION}?$filter=x`, `${COLLECTION}?$filter=x`],
    ['https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=abc', '/v1.0/referrals?$skiptoken=abc'],
  ])('%s → %s', (link, ref) => {
    expect(api.pageRefOf(link)).toBe(ref);
  });

  test.each([
    `https://api.partner.microsoft.com/v1.0/engagments/referrals?$filter=engagementId eq '${E1}'`,
    'https://api.partner.microsoft.com/v1.0/admin?x=1',
    `https://api.partner.microsoft.com${COLLECTION}/${E1}`,
    'not a link',
    'http://[bad',
  ])('%s is no page of the collection', (link) => {
    expect(api.pageRefOf(link)).toBeNull();
  });
});

describe('reading an engagement’s referrals', () => {
  const LINK = `https://api.partner.microsoft.com${COLLECTION}?$filter=engagementId%20eq%20${E1}`;
  const LINK_REF = `${COLLECTION}?$filter=engagementId%20eq%20${E1}`;

  test('follows the referral’s own link, and asks for nothing else', async () => {
    const { api, asked } = fakeApi({ [LINK_REF]: { items: [item('a', E1), item('b', E1)] } });
    const read = await readEngagementReferrals(api, { engagementId: E1, link: LINK }, call);
    expect(read).toEqual({
      items: [item('a', E1), item('b', E1)],
      source: 'link',
      unusableLink: false,
      truncated: false,
    });
    expect(asked).toEqual([LINK_REF]);
  });

  test('without a link, lists by an escaped engagementId filter, a full page at a time', async () => {
    const id = "x' or status eq 'New";
    const filter = "engagementId eq 'x'' or status eq ''New'";
    const { api, asked } = fakeApi({ [`filter:${filter}`]: { items: [item('a', id)] } });
    for (const link of [undefined, null, '']) {
      asked.length = 0;
      const read = await readEngagementReferrals(api, { engagementId: id, link }, call);
      expect(read).toMatchObject({ items: [item('a', id)], source: 'filter', unusableLink: false });
      expect(asked).toEqual([`filter:${filter} top:100`]);
    }
  });

  test('a link that is no page of the collection is replaced by the filter, and says so', async () => {
    const { api, asked } = fakeApi({ [`filter:engagementId eq '${E1}'`]: { items: [item('a', E1)] } });
    const read = await readEngagementReferrals(
      api,
      { engagementId: E1, link: `https://api.partner.microsoft.com/v1.0/engagments/referrals?$filter=x` },
      call,
    );
    expect(read).toMatchObject({ source: 'filter', unusableLink: true, truncated: false });
    expect(asked).toEqual([`filter:engagementId eq '${E1}' top:100`]);
  });

  test(`follows @odata.nextLink for at most ${MAX_RELATED_PAGES} pages, then says the list was cut`, async () => {
    const pages: Record<string, { items: WireReferral[]; next?: string }> = {};
    for (let i = 0; i < 8; i += 1) {
      pages[i === 0 ? LINK_REF : `${COLLECTION}?$skiptoken=${i}`] = {
        items: [item(`r${i}`, E1)],
        next: `${COLLECTION}?$skiptoken=${i + 1}`,
      };
    }
    const { api, asked } = fakeApi(pages);
    const read = await readEngagementReferrals(api, { engagementId: E1, link: LINK }, call);
    expect(asked).toHaveLength(MAX_RELATED_PAGES);
    expect(read.items.map((r) => r.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(read.truncated).toBe(true);
  });

  test('reads to the end of a list within the cap', async () => {
    const { api, asked } = fakeApi({
      [LINK_REF]: { items: [item('a', E1)], next: `${COLLECTION}?$skiptoken=2` },
      [`${COLLECTION}?$skiptoken=2`]: { items: [item('b', E1)] },
    });
    const read = await readEngagementReferrals(api, { engagementId: E1, link: LINK }, call);
    expect(read.items.map((r) => r.id)).toEqual(['a', 'b']);
    expect(read.truncated).toBe(false);
    expect(asked).toHaveLength(2);
  });

  test('an item naming another engagement is not related; one naming none, or another casing, is', async () => {
    const { api } = fakeApi({
      [LINK_REF]: {
        items: [item('same', E1), item('other', E2), item('partial'), item('upper', E1.toUpperCase())],
      },
    });
    const read = await readEngagementReferrals(api, { engagementId: E1, link: LINK }, call);
    expect(read.items.map((r) => r.id)).toEqual(['same', 'partial', 'upper']);
    // A referral's related ones: the engagement's, itself left out.
    expect(relatedTo(read, { id: 'same' }).map((r) => r.id)).toEqual(['partial', 'upper']);
  });
});

describe('the per-request engagement loader', () => {
  test('one read per engagement, however many referrals and spellings ask', async () => {
    const { api, asked } = fakeApi({
      [`filter:engagementId eq '${E1}'`]: { items: [item('a', E1)] },
      [`filter:engagementId eq '${E2}'`]: { items: [item('b', E2)] },
    });
    const loaders = createLoaders(api, call);
    const reads = await Promise.all(
      [E1, E2, E1.toUpperCase(), ` ${E1} `, E2, E1].map((engagementId) =>
        loaders.engagementReferrals.load({ engagementId, link: undefined }),
      ),
    );
    expect(asked).toHaveLength(2);
    expect(reads.map((read) => read.items[0]?.id)).toEqual(['a', 'b', 'a', 'a', 'b', 'a']);
  });

  test('a failed read fails only its own engagement', async () => {
    const { api } = fakeApi({ [`filter:engagementId eq '${E1}'`]: { items: [item('a', E1)] } });
    const loaders = createLoaders(api, call);
    const [ok, failed] = await Promise.allSettled([
      loaders.engagementReferrals.load({ engagementId: E1, link: undefined }),
      loaders.engagementReferrals.load({ engagementId: E2, link: undefined }),
    ]);
    expect(ok.status).toBe('fulfilled');
    expect(failed.status).toBe('rejected');
    expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(UpstreamError);
  });

  test('engagement keys: GUIDs in any casing are one engagement, other ids stay as given', () => {
    expect(engagementKey(E1.toUpperCase())).toBe(E1);
    expect(engagementKey(` ${E1}\n`)).toBe(E1);
    expect(engagementKey('Engagement-7')).toBe('Engagement-7');
  });
});
