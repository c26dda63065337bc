import { describe, expect, test } from '@jest/globals';
import { expectProjection } from '../helpers/expectProjection.ts';
import { ALL_REFERRAL_FIELDS, MEMBER_FRAGMENT, TEST_TOKEN, useStack } from '../helpers/stack.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const stack = useStack();

function firstId(): string {
  const id = stack.emulator.listReferrals()[0]?.id;
  if (typeof id !== 'string') throw new Error('the emulator has no seed');
  return id;
}

describe('referral(id)', () => {
  test('answers every nested field exactly as the Partner API stored it', async () => {
    for (const wire of stack.emulator.listReferrals().slice(0, 12)) {
      const res = await stack.gql(
        `query($id: ID!) { referral(id: $id) { ${ALL_REFERRAL_FIELDS} } } ${MEMBER_FRAGMENT}`,
        {
          id: wire.id,
        },
      );
      expect(res.body.errors).toBeUndefined();
      const stored = stack.emulator.getReferral(String(wire.id));
      // links are made per response; everything else is compared field by field.
      const { links, ...answer } = (res.body.data as { referral: Record<string, unknown> }).referral;
      expectProjection(answer, stored);
      expect(links).toMatchObject({ self: { method: 'GET' }, relatedReferrals: { method: 'GET' } });
    }
  });

  test('passes 7-digit timestamps and the quoted eTag through verbatim', async () => {
    const id = firstId();
    const res = await stack.gql(
      'query($id: ID!) { referral(id: $id) { createdDateTime updatedDateTime etag } }',
      { id },
    );
    const stored = stack.emulator.getReferral(id) as Record<string, string>;
    const referral = (res.body.data as { referral: Record<string, string> }).referral;
    expect(referral.createdDateTime).toBe(stored.createdDateTime);
    expect(referral.createdDateTime).toMatch(/\.\d{7}Z$/);
    expect(referral.etag).toBe(stored.eTag);
    expect(referral.etag).toMatch(/^".+"$/);
  });

  test('forwards the caller’s Authorization unchanged, with fresh client-request-id and one correlation id', async () => {
    const id = firstId();
    const other = stack.emulator.listReferrals()[1]?.id as string;
    await stack.gql(
      'query($a: ID!, $b: ID!) { a: referral(id: $a) { id } b: referral(id: $b) { id } }',
      { a: id, b: other },
      {
        authorization: 'Bearer caller-token-123',
        'ms-correlationid': 'trace-abc-1',
      },
    );
    const calls = stack.emulator.requests;
    expect(calls.map((c) => `${c.method} ${c.path}`).sort()).toEqual(
      [`GET /v1.0/engagements/referrals/${id}`, `GET /v1.0/engagements/referrals/${other}`].sort(),
    );
    for (const call of calls) {
      expect(call.headers.authorization).toBe('Bearer caller-token-123');
      expect(call.headers['ms-correlationid']).toBe('trace-abc-1');
      expect(call.headers['client-request-id']).toMatch(GUID);
    }
    expect(new Set(calls.map((c) => c.headers['client-request-id'])).size).toBe(2);
  });

  test('generates one correlation id per GraphQL request when the caller sends none', async () => {
    const ids = stack.emulator
      .listReferrals()
      .slice(0, 3)
      .map((r) => String(r.id));
    await stack.gql(`{ ${ids.map((id, i) => `r${i}: referral(id: "${id}") { id }`).join(' ')} }`);
    const correlation = new Set(stack.emulator.requests.map((c) => c.headers['ms-correlationid']));
    expect(correlation.size).toBe(1);
    expect([...correlation][0]).toMatch(GUID);
  });

  test('ten aliases of one referral cost exactly one upstream GET', async () => {
    const id = firstId();
    const aliases = Array.from(
      { length: 10 },
      (_, i) => `r${i}: referral(id: $id) { id name status details { dealValue } }`,
    );
    const res = await stack.gql(`query($id: ID!) { ${aliases.join('\n')} }`, { id });
    expect(res.body.errors).toBeUndefined();
    expect(Object.values(res.body.data ?? {}).every((r) => (r as { id: string }).id === id)).toBe(true);
    expect(stack.emulator.requests.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /v1.0/engagements/referrals/${id}`,
    ]);
  });

  test('answers null, without an error, for an id the Partner API does not know (404)', async () => {
    const res = await stack.gql('{ referral(id: "00000000-0000-0000-0000-000000000000") { id } }');
    expect(res.body).toEqual({ data: { referral: null } });
    expect(stack.emulator.requests).toHaveLength(1);
  });

  test('refuses an id that is not a referral id before calling upstream', async () => {
    const res = await stack.gql('{ referral(id: "../referrals?$top=1") { id } }');
    expect(res.body.data).toEqual({ referral: null });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

describe('a list and referral(id) in one request', () => {
  test('referral(id) answers every field although the list’s copy of it was partial', async () => {
    const id = firstId();
    const stored = stack.emulator.getReferral(id) as Record<string, unknown>;
    // List items may be partial (docs/partner-api.md §3.1): this page carries three fields.
    stack.emulator.injectFault({
      method: 'GET',
      pathIncludes: '$top=',
      times: 1,
      fault: {
        kind: 'raw',
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ value: [{ id, eTag: stored.eTag, name: stored.name }] }),
      },
    });
    const res = await stack.gql(
      `query($id: ID!) { referrals(first: 1) { edges { node { id name } } } referral(id: $id) { ${ALL_REFERRAL_FIELDS} } } ${MEMBER_FRAGMENT}`,
      { id },
    );
    expect(res.body.errors).toBeUndefined();
    const { links: _links, ...answer } = (res.body.data as { referral: Record<string, unknown> }).referral;
    expectProjection(answer, stored);
    expect((answer.details as { notes?: unknown }).notes).toBe((stored.details as { notes?: unknown }).notes);
    expect(stack.emulator.requests.map((r) => r.path).sort()).toEqual(
      ['/v1.0/engagements/referrals', `/v1.0/engagements/referrals/${id}`].sort(),
    );
  });
});

describe('referrals(filter, first, after)', () => {
  test('25 referrals with every nested field cost exactly one upstream request', async () => {
    const res = await stack.gql(
      `{ referrals(first: 25) { edges { cursor node { ${ALL_REFERRAL_FIELDS} } } pageInfo { hasNextPage endCursor } } } ${MEMBER_FRAGMENT}`,
    );
    expect(res.body.errors).toBeUndefined();
    const edges = (res.body.data as { referrals: { edges: { node: Record<string, unknown> }[] } }).referrals
      .edges;
    expect(edges).toHaveLength(25);
    for (const { node } of edges) {
      const { links: _links, ...answer } = node;
      expectProjection(answer, stack.emulator.getReferral(String(node.id)));
    }
    expect(stack.emulator.requests).toHaveLength(1);
    expect(stack.emulator.requests[0]).toMatchObject({ method: 'GET', path: '/v1.0/engagements/referrals' });
    expect(stack.emulator.requests[0]?.query.$top).toBe('25');
  });

  test('filters on status and substatus with the wire values', async () => {
    const res = await stack.gql(
      '{ referrals(first: 100, filter: { status: CLOSED, substatus: WON }) { edges { node { id status substatus } } } }',
    );
    const nodes = (
      res.body.data as { referrals: { edges: { node: { status: string; substatus: string } }[] } }
    ).referrals.edges.map((e) => e.node);
    const expected = stack.emulator
      .listReferrals()
      .filter((r) => r.status === 'Closed' && r.substatus === 'Won');
    expect(nodes.length).toBe(expected.length);
    expect(nodes.every((n) => n.status === 'CLOSED' && n.substatus === 'WON')).toBe(true);
    expect(stack.emulator.requests[0]?.query.$filter).toBe("status eq 'Closed' and substatus eq 'Won'");
  });

  test('escapes filter values so they cannot change the OData expression', async () => {
    const hostile = "x' or status eq 'New";
    const res = await stack.gql(
      'query($f: ReferralFilter) { referrals(filter: $f) { edges { node { id } } } }',
      {
        f: { engagementId: hostile, teamMemberEmail: "o'brien@example.com" },
      },
    );
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { referrals: { edges: unknown[] } }).referrals.edges).toEqual([]);
    expect(stack.emulator.requests[0]?.query.$filter).toBe(
      "engagementId eq 'x'' or status eq ''New' and team/any(t:t/email eq 'o''brien@example.com')",
    );
  });

  test('finds referrals by a team member’s e-mail', async () => {
    const withTeam = stack.emulator
      .listReferrals()
      .find(
        (r) =>
          Array.isArray(r.team) && (r.team as { email?: string }[]).some((m) => typeof m.email === 'string'),
      );
    const email = ((withTeam?.team ?? []) as { email: string }[]).find((m) => m.email)?.email as string;
    const res = await stack.gql(
      'query($e: String) { referrals(first: 100, filter: { teamMemberEmail: $e }) { edges { node { id team { email } } } } }',
      {
        e: email,
      },
    );
    const nodes = (
      res.body.data as { referrals: { edges: { node: { id: string; team: { email: string }[] } }[] } }
    ).referrals.edges;
    expect(nodes.map((e) => e.node.id)).toContain(withTeam?.id);
    expect(nodes.every((e) => e.node.team.some((m) => m.email === email))).toBe(true);
  });

  test.each([0, -1, 101])('refuses first: %i with BAD_USER_INPUT and no upstream call', async (first) => {
    const res = await stack.gql(`{ referrals(first: ${first}) { edges { cursor } } }`);
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('uses the token it is given and no other', async () => {
    await stack.gql('{ referrals(first: 1) { edges { cursor } } }');
    expect(stack.emulator.requests[0]?.headers.authorization).toBe(TEST_TOKEN);
  });
});
