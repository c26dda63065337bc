import { describe, expect, test } from '@jest/globals';
import { TEST_TOKEN, useStack } from '../helpers/stack.ts';

interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

const PAGE_QUERY = `query($first: Int, $after: String, $filter: ReferralFilter) {
  referrals(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const stack = useStack();

async function page(variables: Record<string, unknown>): Promise<Page> {
  const res = await stack.gql<{ referrals: Page }>(PAGE_QUERY, variables);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as { referrals: Page }).referrals;
}

/** The upstream's own chain of nextLinks for `$top`, read straight from the emulator. */
async function upstreamNextLinks(top: number): Promise<string[]> {
  const links: string[] = [];
  let url: string | undefined = `${stack.emulator.url}/engagements/referrals?$top=${top}`;
  while (url) {
    const res = await fetch(url, { headers: { authorization: TEST_TOKEN } });
    const body = (await res.json()) as { '@odata.nextLink'?: string };
    url = body['@odata.nextLink'];
    if (url) links.push(url);
  }
  return links;
}

describe('paging with first/after', () => {
  test('yields every seeded referral exactly once, following @odata.nextLink as given', async () => {
    const seeded = stack.emulator.listReferrals().map((r) => String(r.id));
    expect(seeded.length).toBeGreaterThanOrEqual(50);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: Page = await page({ first: 7, after });
      pages += 1;
      seen.push(...result.edges.map((e) => e.node.id));
      expect(result.pageInfo.hasPreviousPage).toBe(false);
      expect(result.pageInfo.endCursor).toBe(result.edges.at(-1)?.cursor ?? null);
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
      expect(pages).toBeLessThan(100);
    }
    expect(seen).toHaveLength(seeded.length);
    expect(new Set(seen)).toEqual(new Set(seeded));

    // One upstream request per page; every request after the first is the previous nextLink.
    const requested = stack.emulator.requests.map((r) => r.url);
    expect(requested).toHaveLength(pages);
    const links = (await upstreamNextLinks(7)).map((link) => {
      const u = new URL(link);
      return `${u.pathname}${u.search}`;
    });
    expect(requested.slice(1)).toEqual(links);
  });

  test('resumes from any edge’s cursor, also in the middle of an upstream page', async () => {
    const all = (await page({ first: 30 })).edges;
    const resumed = await page({ first: 5, after: all[11]?.cursor });
    expect(resumed.edges.map((e) => e.node.id)).toEqual(all.slice(12, 17).map((e) => e.node.id));
    const next = await page({ first: 20, after: resumed.pageInfo.endCursor });
    expect(next.edges.map((e) => e.node.id).slice(0, 13)).toEqual(all.slice(17, 30).map((e) => e.node.id));
  });

  test('keeps the filter across pages', async () => {
    const first = await page({ first: 3, filter: { status: 'CLOSED' } });
    const second = await page({ first: 3, filter: { status: 'CLOSED' }, after: first.pageInfo.endCursor });
    const closed = new Set(
      stack.emulator
        .listReferrals()
        .filter((r) => r.status === 'Closed')
        .map((r) => r.id),
    );
    for (const edge of [...first.edges, ...second.edges]) expect(closed.has(edge.node.id)).toBe(true);
    expect(new Set([...first.edges, ...second.edges].map((e) => e.node.id)).size).toBe(6);
  });

  test('refuses a cursor issued for another filter, without calling upstream', async () => {
    const first = await page({ first: 3, filter: { status: 'CLOSED' } });
    stack.emulator.clearRequests();
    const res = await stack.gql(PAGE_QUERY, {
      first: 3,
      filter: { status: 'NEW' },
      after: first.pageInfo.endCursor,
    });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test.each([
    ['garbage', 'not-a-cursor'],
    [
      'a forged page off the collection',
      `r1:${Buffer.from(JSON.stringify({ p: '/v1.0/admin?x=1', s: 0, f: 'x' })).toString('base64url')}`,
    ],
    [
      'a forged page on another host',
      `r1:${Buffer.from(JSON.stringify({ p: '//evil.example/v1.0/engagements/referrals', s: 0, f: 'x' })).toString('base64url')}`,
    ],
  ])('refuses %s as a cursor, without calling upstream', async (_name, after) => {
    const res = await stack.gql(PAGE_QUERY, { first: 3, after });
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.requests).toHaveLength(0);
  });
});
