/**
 * `referrals(orderBy:)` against the emulator: the order goes upstream as `$orderby` on the first
 * page (and rides along in every nextLink), paging visits every referral once in that order,
 * the default order is left to the Partner API, and a cursor only continues the order it was
 * issued for.
 */
import { describe, expect, test } from '@jest/globals';
import { useStack } from '../helpers/stack.ts';

interface Node {
  id: string;
  createdDateTime: string;
  updatedDateTime: string;
}

interface Page {
  edges: { node: Node }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

type Field = 'CREATED_DATE_TIME' | 'UPDATED_DATE_TIME';
type Direction = 'ASC' | 'DESC';

const PAGE_QUERY = `query($first: Int, $after: String, $filter: ReferralFilter, $orderBy: ReferralOrder) {
  referrals(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { node { id createdDateTime updatedDateTime } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const WIRE_FIELD = { CREATED_DATE_TIME: 'createdDateTime', UPDATED_DATE_TIME: 'updatedDateTime' } as const;

const stack = useStack();

async function page(variables: Record<string, unknown>): Promise<Page> {
  const res = await stack.gql<{ referrals: Page }>(PAGE_QUERY, variables);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as { referrals: Page }).referrals;
}

/** Every referral, page by page with `first: 7`, in the order given. */
async function walk(orderBy: { field: Field; direction: Direction } | undefined): Promise<Node[]> {
  const seen: Node[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const result: Page = await page({ first: 7, after, orderBy });
    seen.push(...result.edges.map((edge) => edge.node));
    if (!result.pageInfo.hasNextPage) return seen;
    after = result.pageInfo.endCursor;
  }
  throw new Error('more than 100 pages');
}

function isSorted(keys: readonly string[], direction: Direction): boolean {
  return keys.every((key, i) => {
    const before = keys[i - 1];
    return before === undefined || (direction === 'ASC' ? before <= key : before >= key);
  });
}

describe('referrals(orderBy:)', () => {
  test.each([
    ['CREATED_DATE_TIME', 'ASC'],
    ['CREATED_DATE_TIME', 'DESC'],
    ['UPDATED_DATE_TIME', 'ASC'],
    ['UPDATED_DATE_TIME', 'DESC'],
  ] as const)(
    '%s %s: paging with first: 7 visits every referral once, in order',
    async (field, direction) => {
      const seen = await walk({ field, direction });

      const seeded = stack.emulator.listReferrals().map((r) => String(r.id));
      expect(seen).toHaveLength(seeded.length);
      expect(new Set(seen.map((n) => n.id))).toEqual(new Set(seeded));
      const keys = seen.map((n) => n[WIRE_FIELD[field]]);
      expect(isSorted(keys, direction)).toBe(true);
      // The seed's date-times differ, so the order is not ascending and descending at once.
      expect(isSorted(keys, direction === 'ASC' ? 'DESC' : 'ASC')).toBe(false);

      // The first request asks for the order; every later one is a nextLink that repeats it.
      const expected = `${WIRE_FIELD[field]} ${direction.toLowerCase()}`;
      const requests = stack.emulator.requests;
      expect(requests.length).toBe(Math.ceil(seeded.length / 7));
      expect(requests[0]?.query).toEqual({ $orderby: expected, $top: '7' });
      expect(requests[0]?.url).toBe(
        `/v1.0/engagements/referrals?$orderby=${encodeURIComponent(expected)}&$top=7`,
      );
      for (const request of requests) expect(request.query.$orderby).toBe(expected);
    },
  );

  test('without orderBy no $orderby is sent and the Partner API’s own order (newest first) stays', async () => {
    const seen = await walk(undefined);
    for (const request of stack.emulator.requests) expect(request.query).not.toHaveProperty('$orderby');
    expect(
      isSorted(
        seen.map((n) => n.createdDateTime),
        'DESC',
      ),
    ).toBe(true);
  });

  test('the order combines with a filter', async () => {
    const result = await page({
      first: 5,
      filter: { status: 'CLOSED' },
      orderBy: { field: 'UPDATED_DATE_TIME', direction: 'ASC' },
    });
    expect(stack.emulator.requests[0]?.query).toEqual({
      $filter: "status eq 'Closed'",
      $orderby: 'updatedDateTime asc',
      $top: '5',
    });
    expect(
      isSorted(
        result.edges.map((e) => e.node.updatedDateTime),
        'ASC',
      ),
    ).toBe(true);
  });

  test('a cursor continues the order it was issued for', async () => {
    const orderBy = { field: 'UPDATED_DATE_TIME', direction: 'ASC' } as const;
    const all = await page({ first: 10, orderBy });
    const first = await page({ first: 5, orderBy });
    const next = await page({ first: 5, orderBy, after: first.pageInfo.endCursor });
    expect([...first.edges, ...next.edges].map((e) => e.node.id)).toEqual(all.edges.map((e) => e.node.id));
  });

  test.each([
    [
      'another direction',
      { field: 'CREATED_DATE_TIME', direction: 'ASC' },
      { field: 'CREATED_DATE_TIME', direction: 'DESC' },
    ],
    [
      'another field',
      { field: 'CREATED_DATE_TIME', direction: 'ASC' },
      { field: 'UPDATED_DATE_TIME', direction: 'ASC' },
    ],
    ['no order', { field: 'UPDATED_DATE_TIME', direction: 'DESC' }, undefined],
    ['an order, from an unordered list', undefined, { field: 'CREATED_DATE_TIME', direction: 'DESC' }],
  ])('refuses a cursor issued for %s, without calling upstream', async (_name, issuedFor, askedWith) => {
    const first = await page({ first: 3, orderBy: issuedFor });
    stack.emulator.clearRequests();
    const res = await stack.gql(PAGE_QUERY, {
      first: 3,
      orderBy: askedWith,
      after: first.pageInfo.endCursor,
    });
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/different `filter` or `orderBy`/);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('an unknown order field is refused by the schema, without calling upstream', async () => {
    const res = await stack.gql(PAGE_QUERY, { orderBy: { field: 'NAME', direction: 'ASC' } });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.requests).toHaveLength(0);
  });
});
