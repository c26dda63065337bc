/**
 * `Referral.relatedReferrals` against the emulator: the Partner API's own link is followed (quoted
 * as the docs show it, unquoted as live links were seen), our escaped filter stands in only when
 * a referral has no usable link, each engagement costs one list call per request, the referral
 * itself is left out, and a long list is read up to the cap.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import type { RecordedRequest } from '../../src/emulator/emulatorServer.ts';
import { MAX_RELATED_PAGES } from '../../src/services/relatedReferrals.ts';
import { report } from '../helpers/report.ts';
import { type Stack, startStack, useStack } from '../helpers/stack.ts';

interface Node {
  id: string;
  engagementId: string | null;
  links: { relatedReferrals: { uri: string } | null } | null;
  relatedReferrals: { id: string; engagementId: string | null }[];
}

const PAGE_WITH_RELATED = `query($first: Int) {
  referrals(first: $first) {
    edges { node { id engagementId links { relatedReferrals { uri } } relatedReferrals { id engagementId } } }
  }
}`;

const ONE_WITH_RELATED = `query($id: ID!) {
  referral(id: $id) { id relatedReferrals { id engagementId } }
}`;

/** The ids the emulator holds for `engagementId`, but for `except`. */
function storedRelated(stack: Stack, engagementId: string | null, except: string): string[] {
  if (engagementId === null) return [];
  return stack.emulator
    .listReferrals()
    .filter((r) => r.engagementId === engagementId && r.id !== except)
    .map((r) => String(r.id))
    .sort();
}

async function pageWithRelated(stack: Stack, first = 20): Promise<Node[]> {
  const res = await stack.gql<{ referrals: { edges: { node: Node }[] } }>(PAGE_WITH_RELATED, { first });
  expect(res.body.errors).toBeUndefined();
  return res.body.data?.referrals.edges.map((edge) => edge.node) ?? [];
}

/** The list calls made for related referrals: every list call but the page's own first one. */
function relatedCalls(stack: Stack): RecordedRequest[] {
  return stack.emulator.requests.filter(
    (r) => r.method === 'GET' && r.query.$filter?.startsWith('engagementId'),
  );
}

/** A small referral for the emulator's store (it assigns the eTag). */
function referral(
  id: string,
  engagementId: string | undefined,
  createdDateTime: string,
): Record<string, unknown> {
  return {
    id,
    ...(engagementId === undefined ? {} : { engagementId }),
    name: `Referral ${id}`,
    status: 'New',
    substatus: 'Pending',
    type: 'Independent',
    createdDateTime,
    updatedDateTime: createdDateTime,
  };
}

describe('related referrals, following the documented links (engagement GUID quoted)', () => {
  const stack = useStack();
  /** A seeded engagement given three more referrals, newest of all, so one page holds three of it. */
  let crowded: string;

  beforeAll(() => {
    const seeded = stack.emulator.listReferrals();
    crowded = String(seeded.find((r) => typeof r.engagementId === 'string')?.engagementId);
    for (let i = 1; i <= 3; i += 1) {
      stack.emulator.putReferral(
        referral(`aaaaaaaa-0000-4000-8000-00000000000${i}`, crowded, `2031-01-0${i}T00:00:00.0000000Z`),
      );
    }
  });

  test('a page of 20 costs one list call plus one per distinct engagement on it', async () => {
    const nodes = await pageWithRelated(stack);
    expect(nodes).toHaveLength(20);
    const engagements = new Set(nodes.map((n) => n.engagementId));
    expect(nodes.filter((n) => n.engagementId === crowded).length).toBeGreaterThanOrEqual(3);
    expect(engagements.size).toBeLessThan(20);

    expect(stack.emulator.requests).toHaveLength(1 + engagements.size);
    report(
      'relatedReferrals',
      `a page of ${nodes.length} referrals in ${engagements.size} engagements: ${stack.emulator.requests.length} upstream calls`,
    );
    const related = relatedCalls(stack);
    expect(related).toHaveLength(engagements.size);
    expect(new Set(related.map((r) => r.query.$filter))).toEqual(
      new Set([...engagements].map((id) => `engagementId eq '${id}'`)),
    );
  });

  test('each related call is the referral’s own link, path and query as given', async () => {
    const nodes = await pageWithRelated(stack);
    const links = new Set(
      nodes.map((n) => {
        const url = new URL(String(n.links?.relatedReferrals?.uri));
        return `${url.pathname}${url.search}`;
      }),
    );
    expect(new Set(relatedCalls(stack).map((r) => r.url))).toEqual(links);
  });

  test('every referral gets the other referrals of its engagement, itself left out', async () => {
    const nodes = await pageWithRelated(stack);
    for (const node of nodes) {
      const ids = node.relatedReferrals.map((r) => r.id).sort();
      expect(ids).toEqual(storedRelated(stack, node.engagementId, node.id));
      expect(ids).not.toContain(node.id);
      for (const other of node.relatedReferrals) expect(other.engagementId).toBe(node.engagementId);
    }
    const crowdedNode = nodes.find((n) => n.engagementId === crowded);
    expect(crowdedNode?.relatedReferrals.length).toBeGreaterThanOrEqual(3);
  });

  test('aliased and nested relatedReferrals of one engagement cost no further call', async () => {
    const id = 'aaaaaaaa-0000-4000-8000-000000000001';
    const res = await stack.gql<{
      referral: { a: { id: string; relatedReferrals: { id: string }[] }[]; b: { id: string }[] };
    }>(
      `query($id: ID!) { referral(id: $id) {
        a: relatedReferrals { id relatedReferrals { id } }
        b: relatedReferrals { id }
      } }`,
      { id },
    );
    expect(res.body.errors).toBeUndefined();
    const { a, b } = res.body.data?.referral ?? { a: [], b: [] };
    expect(a.map((r) => r.id)).toEqual(b.map((r) => r.id));
    expect(a.map((r) => r.id)).not.toContain(id);
    // A related referral's own related ones include the first referral, and not itself.
    for (const other of a) {
      expect(other.relatedReferrals.map((r) => r.id)).toContain(id);
      expect(other.relatedReferrals.map((r) => r.id)).not.toContain(other.id);
    }
    expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(relatedCalls(stack)).toHaveLength(1);
  });

  test('related items come from a list and are not taken for whole referrals by referral(id)', async () => {
    const id = 'aaaaaaaa-0000-4000-8000-000000000001';
    const res = await stack.gql(
      `query($id: ID!, $other: ID!) { one: referral(id: $id) { relatedReferrals { id } } other: referral(id: $other) { id name } }`,
      { id, other: 'aaaaaaaa-0000-4000-8000-000000000002' },
    );
    expect(res.body.errors).toBeUndefined();
    // Two GETs by id and one list: the list's copy of `other` does not stand in for its GET.
    expect(stack.emulator.requests.filter((r) => r.path.endsWith('/referrals'))).toHaveLength(1);
    expect(stack.emulator.requests).toHaveLength(3);
  });

  test('a referral without an engagementId has no related referrals, and costs no list call', async () => {
    stack.emulator.putReferral(
      referral('bbbbbbbb-0000-4000-8000-000000000001', undefined, '2020-01-01T00:00:00Z'),
    );
    stack.emulator.clearRequests();
    const res = await stack.gql<{ referral: { relatedReferrals: unknown[] } }>(ONE_WITH_RELATED, {
      id: 'bbbbbbbb-0000-4000-8000-000000000001',
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.referral.relatedReferrals).toEqual([]);
    expect(stack.emulator.requests).toHaveLength(1);
  });
});

describe('related referrals, following live links (engagement GUID unquoted)', () => {
  const stack = useStack({}, { emulator: { relatedReferralsLinks: 'unquoted' } });

  test('the unquoted link is followed as given and answers the same referrals', async () => {
    const nodes = await pageWithRelated(stack);
    const engagements = new Set(nodes.map((n) => n.engagementId));
    const related = relatedCalls(stack);
    expect(related).toHaveLength(engagements.size);
    expect(new Set(related.map((r) => r.query.$filter))).toEqual(
      new Set([...engagements].map((id) => `engagementId eq ${id}`)),
    );
    for (const node of nodes) {
      expect(node.relatedReferrals.map((r) => r.id).sort()).toEqual(
        storedRelated(stack, node.engagementId, node.id),
      );
    }
    expect(nodes.some((n) => n.relatedReferrals.length > 0)).toBe(true);
  });
});

describe('related referrals of referrals without the link', () => {
  const stack = useStack({}, { emulator: { relatedReferralsLinks: 'none' } });

  test('fall back to an escaped engagementId filter, one call per engagement', async () => {
    const nodes = await pageWithRelated(stack);
    expect(nodes.every((n) => n.links?.relatedReferrals === null)).toBe(true);
    const engagements = new Set(nodes.map((n) => n.engagementId));
    const related = relatedCalls(stack);
    expect(related).toHaveLength(engagements.size);
    for (const call of related) {
      expect(call.path).toBe('/v1.0/engagements/referrals');
      expect(call.query.$top).toBe('100');
    }
    expect(new Set(related.map((r) => r.query.$filter))).toEqual(
      new Set([...engagements].map((id) => `engagementId eq '${id}'`)),
    );
    for (const node of nodes) {
      expect(node.relatedReferrals.map((r) => r.id).sort()).toEqual(
        storedRelated(stack, node.engagementId, node.id),
      );
    }
  });

  test('an engagement id with a quote is escaped, never spliced', async () => {
    stack.emulator.putReferral(
      referral('cccccccc-0000-4000-8000-000000000001', "x' or status eq 'New", '2020-01-01T00:00:00Z'),
    );
    stack.emulator.putReferral(
      referral('cccccccc-0000-4000-8000-000000000002', "x' or status eq 'New", '2020-01-02T00:00:00Z'),
    );
    stack.emulator.clearRequests();
    const res = await stack.gql<{ referral: { relatedReferrals: { id: string }[] } }>(ONE_WITH_RELATED, {
      id: 'cccccccc-0000-4000-8000-000000000001',
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.referral.relatedReferrals.map((r) => r.id)).toEqual([
      'cccccccc-0000-4000-8000-000000000002',
    ]);
    expect(relatedCalls(stack)[0]?.query.$filter).toBe("engagementId eq 'x'' or status eq ''New'");
  });
});

describe('related referrals with a link that is no page of the collection (the docs’ “engagments”)', () => {
  const stack = useStack({}, { emulator: { relatedReferralsLinks: 'misspelt' }, captureLogs: true });

  test('fall back to the filter on the real collection, and the log says so once per engagement', async () => {
    const nodes = await pageWithRelated(stack, 5);
    const engagements = new Set(nodes.map((n) => n.engagementId));
    for (const call of relatedCalls(stack)) expect(call.path).toBe('/v1.0/engagements/referrals');
    for (const node of nodes) {
      expect(node.relatedReferrals.map((r) => r.id).sort()).toEqual(
        storedRelated(stack, node.engagementId, node.id),
      );
    }
    const warnings = stack.logLines.filter((line) =>
      String(line.msg).startsWith('relatedReferrals: the referral’s link'),
    );
    expect(warnings.map((line) => line.engagementId).sort()).toEqual([...engagements].sort());
  });
});

describe('a long list of related referrals', () => {
  const stack = useStack({}, { captureLogs: true });
  const LONG = 'dddddddd-0000-4000-8000-000000000000';
  const SHORT = 'eeeeeeee-0000-4000-8000-000000000000';
  const id = (prefix: string, i: number) => `${prefix}-0000-4000-8000-${String(i).padStart(12, '0')}`;

  beforeAll(() => {
    // 600 referrals: six pages of 100, one more than are read. 250: three pages, all read.
    for (let i = 0; i < 600; i += 1) {
      stack.emulator.putReferral(
        referral(id('dddddddd', i), LONG, `2030-01-01T00:00:00.${String(i).padStart(7, '0')}Z`),
      );
    }
    for (let i = 0; i < 250; i += 1) {
      stack.emulator.putReferral(
        referral(id('eeeeeeee', i), SHORT, `2030-01-01T00:00:00.${String(i).padStart(7, '0')}Z`),
      );
    }
  });

  test('follows @odata.nextLink to the end of a list within the cap', async () => {
    const res = await stack.gql<{ referral: { relatedReferrals: { id: string }[] } }>(ONE_WITH_RELATED, {
      id: id('eeeeeeee', 0),
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.referral.relatedReferrals).toHaveLength(249);
    expect(new Set(res.body.data?.referral.relatedReferrals.map((r) => r.id)).size).toBe(249);
    const lists = relatedCalls(stack);
    expect(lists).toHaveLength(3);
    expect(lists.slice(1).every((r) => r.query.$skiptoken !== undefined)).toBe(true);
  });

  test(`stops after ${MAX_RELATED_PAGES} pages: the list is cut short and the log says so`, async () => {
    // The newest of the 600, so it is on the first page and the cut list holds 499 others.
    const newest = id('dddddddd', 599);
    const res = await stack.gql<{ referral: { relatedReferrals: { id: string }[] } }>(ONE_WITH_RELATED, {
      id: newest,
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.referral.relatedReferrals).toHaveLength(MAX_RELATED_PAGES * 100 - 1);
    expect(relatedCalls(stack)).toHaveLength(MAX_RELATED_PAGES);
    expect(stack.logLines).toContainEqual(
      expect.objectContaining({
        level: 40,
        engagementId: LONG,
        pagesRead: MAX_RELATED_PAGES,
        msg: expect.stringMatching(/^relatedReferrals truncated/),
      }),
    );
  });
});

describe('related referrals within the request budgets', () => {
  test('every related referral handed out is charged to the answer size', async () => {
    const stack = await startStack({ MAX_RESPONSE_BYTES: '20000' });
    try {
      const engagement = 'ffffffff-0000-4000-8000-000000000000';
      for (let i = 0; i < 100; i += 1) {
        stack.emulator.putReferral(
          referral(
            `ffffffff-0000-4000-8000-${String(i).padStart(12, '0')}`,
            engagement,
            '2030-01-01T00:00:00Z',
          ),
        );
      }
      const lone = await stack.gql(ONE_WITH_RELATED.replace('relatedReferrals { id engagementId }', 'name'), {
        id: 'ffffffff-0000-4000-8000-000000000000',
      });
      expect(lone.body.errors).toBeUndefined();
      // 99 related referrals of some 400 wire bytes each are past the 20,000-byte answer budget.
      const withRelated = await stack.gql(ONE_WITH_RELATED, { id: 'ffffffff-0000-4000-8000-000000000000' });
      expect(withRelated.body.errors?.map((e) => e.extensions?.code)).toEqual(['RESPONSE_TOO_LARGE']);
    } finally {
      await stack.close();
    }
  });

  test('a page fanning out to more engagements than the call budget stops at the budget', async () => {
    const stack = await startStack({ MAX_UPSTREAM_CALLS: '5' });
    try {
      const res = await stack.gql(PAGE_WITH_RELATED, { first: 20 });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BUDGET_EXCEEDED');
      expect(stack.emulator.requests).toHaveLength(5);
    } finally {
      await stack.close();
    }
  });
});
