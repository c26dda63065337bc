/**
 * Every request is bounded before the work is done. Each finding of the attacker's review is a
 * test here, asserting the answer and what reached the Partner API (the emulator's record).
 */
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_REQUEST_BUDGETS } from '../../src/server/requestBudgets.ts';
import {
  ALL_REFERRAL_FIELDS,
  MEMBER_FRAGMENT,
  type Stack,
  startStack,
  TEST_TOKEN,
  useStack,
} from '../helpers/stack.ts';
import { UPDATE_REFERRAL, type UpdateResult } from '../helpers/updateMutation.ts';
import { ensureReferrals } from './corpus.ts';

const ENTITIES_FIELD = (alias: string, variable: string, selection = 'id') =>
  `${alias}_entities(representations: $${variable}) { ... on Referral { ${selection} } }`;

/** `count` aliased `_entities` fields plus one unaliased, each with its own variable. */
function entitiesFlood(count: number, selection = 'id'): string {
  const variables = Array.from({ length: count + 1 }, (_, i) => `$r${i}: [_Any!]!`).join(', ');
  const fields = Array.from({ length: count + 1 }, (_, i) =>
    ENTITIES_FIELD(i === 0 ? '' : `a${i}: `, `r${i}`, selection),
  );
  return `query (${variables}) { ${fields.join(' ')} }`;
}

const representations = (ids: readonly string[]) => ids.map((id) => ({ __typename: 'Referral', id }));

function seededIds(stack: Stack): string[] {
  return stack.emulator.listReferrals().map((r) => String(r.id));
}

describe('(1) upstream fan-out is budgeted per request, not per field', () => {
  const stack = useStack();

  test('15 aliased _entities × 500 ids plus one unaliased is refused before any call (representations are counted per request)', async () => {
    const ids = seededIds(stack);
    const variables = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [
        `r${i}`,
        representations(Array.from({ length: 500 }, (_, k) => ids[(i * 500 + k) % ids.length] as string)),
      ]),
    );
    const res = await stack.gql(entitiesFlood(15), variables);
    expect(res.status).toBe(400);
    expect(res.body).not.toHaveProperty('data');
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: 'At most 500 `_entities` representations are accepted per request.',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('aliases cannot add up distinct ids past the call budget: refused before any call, naming both figures', async () => {
    const ids = ensureReferrals(stack.emulator, 160).map((r) => String(r.id));
    const res = await stack.gql(entitiesFlood(1), {
      r0: representations(ids.slice(0, 80)),
      r1: representations(ids.slice(80, 160)),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BUDGET_EXCEEDED');
    expect(res.body.errors?.[0]?.message).toContain(
      `at least 160 Partner API calls; one request may make at most ${DEFAULT_REQUEST_BUDGETS.maxUpstreamCalls}`,
    );
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('the largest real pattern, 100 distinct ids in one _entities call, passes with one GET each', async () => {
    const ids = ensureReferrals(stack.emulator, 100)
      .map((r) => String(r.id))
      .slice(0, 100);
    const res = await stack.gql(entitiesFlood(0), { r0: representations(ids) });
    expect(res.body.errors).toBeUndefined();
    expect((res.body.data as { _entities: { id: string }[] })._entities.map((e) => e.id)).toEqual(ids);
    expect(stack.emulator.requests).toHaveLength(100);
  });

  test('repeated and aliased ids cost one GET each, however often they are asked for', async () => {
    const ids = seededIds(stack).slice(0, 5);
    const many = representations(Array.from({ length: 250 }, (_, k) => ids[k % 5] as string));
    const res = await stack.gql(entitiesFlood(1), { r0: many, r1: many });
    expect(res.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(5);
  });
});

describe('(1) past the budget while running, no further call is made and the refused fields say why', () => {
  const stack = useStack({ MAX_UPSTREAM_CALLS: '4' });

  test('three aliased updates in a budget of four: two land, the third is refused without a call', async () => {
    const [a, b, c] = stack.emulator.listReferrals().filter((r) => r.status === 'Active');
    const update = (alias: string, n: number) =>
      `${alias}: updateReferral(id: $id${n}, etag: $etag${n}, input: { name: "budgeted ${n}" }) { __typename ... on UpdateReferralSuccess { referral { id name } } }`;
    const res = await stack.gql(
      `mutation ($id0: ID!, $etag0: String!, $id1: ID!, $etag1: String!, $id2: ID!, $etag2: String!) { ${update('u0', 0)} ${update('u1', 1)} ${update('u2', 2)} }`,
      {
        id0: a?.id,
        etag0: a?.eTag,
        id1: b?.id,
        etag1: b?.eTag,
        id2: c?.id,
        etag2: c?.eTag,
      },
    );
    // GET + PUT, GET + PUT: the budget is spent; the third update's read is never sent.
    expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET', 'PUT', 'GET', 'PUT']);
    expect(stack.emulator.getReferral(String(a?.id))?.name).toBe('budgeted 0');
    expect(stack.emulator.getReferral(String(b?.id))?.name).toBe('budgeted 1');
    expect(stack.emulator.getReferral(String(c?.id))?.name).not.toBe('budgeted 2');
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['u2'], extensions: { code: 'UPSTREAM_BUDGET_EXCEEDED' } }),
    ]);
  });
});

describe('(2) no credentials, no Partner API call', () => {
  const stack = useStack();

  test.each([
    ['no Authorization header', undefined],
    ['an empty bearer', 'Bearer '],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a bearer with spaces in the token', 'Bearer two words'],
    ['a bearer with a control character', 'Bearer abc\u0001def'],
  ])('%s: 401 UNAUTHENTICATED for 7,500 representations, and 0 calls', async (_name, authorization) => {
    const ids = seededIds(stack);
    const res = await stack
      .gql(
        entitiesFlood(0),
        { r0: representations(Array.from({ length: 500 }, (_, k) => ids[k % ids.length] as string)) },
        { authorization },
      )
      .catch((error: unknown) => {
        // fetch itself refuses a header value with a control character: nothing was sent at all.
        if (authorization?.includes('\u0001')) return undefined;
        throw error;
      });
    if (res !== undefined) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body).not.toHaveProperty('data');
      expect(res.body.errors).toEqual([
        {
          message: 'This needs the Partner API: send an "Authorization: Bearer <token>" header.',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ]);
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('queries, lists and mutations alike are refused without a token', async () => {
    for (const query of [
      '{ referrals(first: 1) { edges { node { id } } } }',
      '{ __typename referral(id: "x") { id } }',
      'mutation { updateReferral(id: "x", etag: "e", input: { name: "n" }) { __typename } }',
    ]) {
      const res = await stack.gql(query, undefined, { authorization: undefined });
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('what needs no Partner API keeps working without a token: a router’s _service { sdl }, a health check’s __typename', async () => {
    for (const query of [
      '{ _service { sdl } }',
      'query Ping { __typename }',
      '{ __type(name: "Referral") { name } }',
    ]) {
      const res = await stack.gql(query, undefined, { authorization: undefined });
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('a @skip-ped Partner API field needs no token', async () => {
    const res = await stack.gql(
      'query ($skip: Boolean!) { __typename referral(id: "x") @skip(if: $skip) { id } }',
      { skip: true },
      { authorization: undefined },
    );
    expect(res.body).toEqual({ data: { __typename: 'Query' } });
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

describe('(3) the answer is bounded while it is built', () => {
  const stack = useStack();

  function giantNotes(): string {
    const referral = stack.emulator.listReferrals()[0] as Record<string, unknown>;
    const stored = stack.emulator.putReferral({
      ...referral,
      details: { ...(referral.details as object), notes: 'n'.repeat(500_000) },
    });
    return String(stored.id);
  }

  test('500 copies of a referral with 500,000-character notes: one GET, one RESPONSE_TOO_LARGE, a small answer', async () => {
    const id = giantNotes();
    const res = await stack.gql(entitiesFlood(0, 'id details { notes }'), {
      r0: representations(Array.from({ length: 500 }, () => id)),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: null,
      errors: [
        {
          message: `The answer would be larger than ${DEFAULT_REQUEST_BUDGETS.maxResponseBytes} bytes. Ask for fewer items or fewer fields.`,
          extensions: { code: 'RESPONSE_TOO_LARGE' },
        },
      ],
    });
    expect(res.text.length).toBeLessThan(1024);
    expect(stack.emulator.requests).toHaveLength(1);
  });

  test('the same request asking only for ids passes: what is bounded is the answer, and one referral is large but not too large', async () => {
    const id = giantNotes();
    const res = await stack.gql('query ($id: ID!) { referral(id: $id) { id details { notes } } }', { id });
    expect(res.body.errors).toBeUndefined();
    expect(res.text.length).toBeGreaterThan(500_000);
  });

  test('/health answers while a giant-notes request is being resolved', async () => {
    const id = giantNotes();
    stack.emulator.injectFault({ method: 'GET', idEquals: id, times: 1, fault: { kind: 'delay', ms: 1000 } });
    const hostile = stack.gql(entitiesFlood(0, 'id details { notes }'), {
      r0: representations(Array.from({ length: 500 }, () => id)),
    });
    let hostileDone = false;
    void hostile.then(() => {
      hostileDone = true;
    });
    const health = await fetch(stack.gateway.url.replace('/graphql', '/health'));
    expect(health.status).toBe(200);
    expect(hostileDone).toBe(false);
    expect((await hostile).body.errors?.[0]?.extensions?.code).toBe('RESPONSE_TOO_LARGE');
  });
});

describe('(3) a lower answer limit is enforced exactly', () => {
  const stack = useStack({ MAX_RESPONSE_BYTES: '40000' });
  const page = (first: number) =>
    `{ referrals(first: ${first}) { edges { node { ${ALL_REFERRAL_FIELDS} } } } } ${MEMBER_FRAGMENT}`;

  test('a page that fits is sent; a page that does not is one RESPONSE_TOO_LARGE, for the same one upstream call', async () => {
    const small = await stack.gql(page(5));
    expect(small.body.errors).toBeUndefined();
    expect(Buffer.byteLength(small.text)).toBeLessThanOrEqual(40_000);
    const large = await stack.gql(page(60));
    expect(large.body).toEqual({
      data: null,
      errors: [expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE' } })],
    });
    expect(stack.emulator.requests).toHaveLength(2);
  });

  test('a mutation whose answer is too large says its change may have been written', async () => {
    const referral = stack.emulator.listReferrals().find((r) => r.status === 'Active') as Record<
      string,
      unknown
    >;
    stack.emulator.putReferral({
      ...referral,
      details: { ...(referral.details as object), notes: 'n'.repeat(50_000) },
    });
    const etag = String(stack.emulator.getReferral(String(referral.id))?.eTag);
    const res = await stack.gql<{ updateReferral: UpdateResult }>(UPDATE_REFERRAL, {
      id: referral.id,
      etag,
      input: { name: 'written, answer too large' },
    });
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('RESPONSE_TOO_LARGE');
    expect(res.body.errors?.[0]?.message).toMatch(/may have been written/);
    expect(stack.emulator.getReferral(String(referral.id))?.name).toBe('written, answer too large');
  });
});

describe('(4) cursors cannot be forged', () => {
  const stack = useStack();
  const NEXT =
    'query ($after: String) { referrals(first: 2, after: $after) { edges { node { id } } pageInfo { endCursor } } }';

  test.each([
    [
      'the old unsigned form with $top=1000',
      `r1:${Buffer.from(JSON.stringify({ p: '/v1.0/engagements/referrals?$top=1000', s: 0, f: 'x' })).toString('base64url')}`,
    ],
    [
      'an unsigned r2 cursor with a raw or filter',
      `r2:${Buffer.from(JSON.stringify({ p: "/v1.0/engagements/referrals?$filter=status eq 'New' or 1 eq 1&$expand=team&$select=id", s: 0, f: 'x' })).toString('base64url')}`,
    ],
    [
      'a signed cursor with a forged signature',
      `r2:${Buffer.from(JSON.stringify({ p: '/v1.0/engagements/referrals?$top=1000', s: 0, f: 'x' })).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`,
    ],
  ])('%s: BAD_USER_INPUT, 0 calls', async (_name, after) => {
    const res = await stack.gql(NEXT, { after });
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: '`after` is not a referrals cursor.',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('a cursor altered in its page request is refused; the genuine one continues', async () => {
    const first = await stack.gql<{ referrals: { pageInfo: { endCursor: string } } }>(NEXT);
    const cursor = first.body.data?.referrals.pageInfo.endCursor as string;
    const [payload, signature] = cursor.split('.') as [string, string];
    const position = JSON.parse(Buffer.from(payload.slice(3), 'base64url').toString());
    const altered = `r2:${Buffer.from(JSON.stringify({ ...position, p: position.p.replace('$top=2', '$top=1000') })).toString('base64url')}.${signature}`;
    stack.emulator.clearRequests();
    expect((await stack.gql(NEXT, { after: altered })).body.errors?.[0]?.extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
    expect(stack.emulator.requests).toHaveLength(0);
    const next = await stack.gql(NEXT, { after: cursor });
    expect(next.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(1);
  });

  test('a cursor from a replica with another key is refused; with a shared CURSOR_SECRET it continues', async () => {
    const secret = 'one key for every replica, 32 chars or more';
    const [a, b, c] = await Promise.all([
      startStack({ CURSOR_SECRET: secret }),
      startStack({ CURSOR_SECRET: secret }),
      startStack(),
    ]);
    try {
      const first = await a.gql<{ referrals: { pageInfo: { endCursor: string } } }>(NEXT);
      const after = first.body.data?.referrals.pageInfo.endCursor as string;
      expect((await b.gql(NEXT, { after })).body.errors).toBeUndefined();
      const foreign = await c.gql(NEXT, { after });
      expect(foreign.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(c.emulator.requests).toHaveLength(0);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});

describe('(5) page sizes from variables and defaults are priced before execution', () => {
  const stack = useStack();
  const pages = (count: number) =>
    `query ($n: Int) { ${Array.from({ length: count }, (_, i) => `p${i}: referrals(first: $n) { edges { node { ${ALL_REFERRAL_FIELDS} } } }`).join(' ')} } ${MEMBER_FRAGMENT}`;

  test('15 aliased referrals(first: $n) with n = 100, every field: refused like the literal, 0 calls', async () => {
    const res = await stack.gql(pages(15), { n: 100 });
    expect(res.status).toBe(400);
    expect(res.body).not.toHaveProperty('data');
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors?.[0]?.message).toMatch(/^Query Cost limit of 140000 exceeded, found \d+/);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('two full pages through a variable are refused as two literal ones are', async () => {
    const literal = await stack.gql(pages(2).replaceAll('$n', '100').replace('query ($n: Int)', 'query'));
    const variable = await stack.gql(pages(2), { n: 100 });
    expect(literal.status).toBe(400);
    expect(variable.status).toBe(400);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('a variable’s default and the resolver’s default page size count as well', async () => {
    const defaulted = `query ($n: Int = 100) { ${Array.from({ length: 2 }, (_, i) => `p${i}: referrals(first: $n) { edges { node { ${ALL_REFERRAL_FIELDS} } } }`).join(' ')} } ${MEMBER_FRAGMENT}`;
    expect((await stack.gql(defaulted)).status).toBe(400);
    const noFirst = `{ ${Array.from({ length: 8 }, (_, i) => `p${i}: referrals { edges { node { ${ALL_REFERRAL_FIELDS} } } }`).join(' ')} } ${MEMBER_FRAGMENT}`;
    expect((await stack.gql(noFirst)).status).toBe(400);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('small pages through a variable pass', async () => {
    const res = await stack.gql(pages(3), { n: 5 });
    expect(res.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(3);
  });
});

describe('(6) error lists are bounded', () => {
  const stack = useStack();

  async function update(input: Record<string, unknown>) {
    const referral = stack.emulator.listReferrals().find((r) => r.status === 'Active') as Record<
      string,
      unknown
    >;
    const res = await stack.gql<{ updateReferral: UpdateResult & { omittedFieldErrors: number } }>(
      UPDATE_REFERRAL.replace(
        'fieldErrors { path message code }',
        'fieldErrors { path message code } omittedFieldErrors',
      ),
      { id: referral.id, etag: referral.eTag, input },
    );
    return res;
  }

  test('70,000 invalid team e-mails: refused before variables are even coerced, no Partner API call', async () => {
    const res = await update({ team: Array.from({ length: 70_000 }, () => ({ email: 'x' })) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: [
        {
          message: 'A list in the variables may have at most 500 items.',
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('400 invalid team e-mails: one TOO_MANY_ITEMS field error, no Partner API call', async () => {
    const res = await update({ team: Array.from({ length: 400 }, () => ({ email: 'x' })) });
    expect(res.body.data?.updateReferral).toMatchObject({
      __typename: 'ReferralValidationFailed',
      fieldErrors: [{ path: ['team'], code: 'TOO_MANY_ITEMS', message: 'must have at most 100 items' }],
      omittedFieldErrors: 0,
    });
    expect(res.text.length).toBeLessThan(2048);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('an input object with 50,000 unknown fields is refused before coercion names each one', async () => {
    const input = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`field${i}`, 1]));
    const res = await update(input);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: 'An object in the variables may have at most 100 fields.',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ]);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('100 invalid e-mails: the first 50 are listed and the other 50 counted', async () => {
    const res = await update({ team: Array.from({ length: 100 }, () => ({ email: 'x' })) });
    const result = res.body.data?.updateReferral;
    expect(result?.fieldErrors).toHaveLength(50);
    expect(result?.fieldErrors?.[49]).toEqual({
      path: ['team', '49', 'email'],
      code: 'INVALID_EMAIL',
      message: 'must be an e-mail address',
    });
    expect(result?.omittedFieldErrors).toBe(50);
    expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET']);
  });

  test('at most 100 top-level errors, the rest counted in one last entry', async () => {
    stack.emulator.injectFault({ method: 'GET', fault: { kind: 'status', status: 500 } });
    const ids = ensureReferrals(stack.emulator, 140)
      .map((r) => String(r.id))
      .slice(0, 140);
    const res = await stack.gql(entitiesFlood(0), { r0: representations(ids) });
    expect(res.body.errors).toHaveLength(DEFAULT_REQUEST_BUDGETS.maxErrors + 1);
    expect(res.body.errors?.at(-1)).toEqual({
      message: '40 more errors were left out of this answer.',
      extensions: { code: 'TOO_MANY_ERRORS', omitted: 40 },
    });
  });
});

describe('(8) loose ends', () => {
  const stack = useStack();

  function active(): Record<string, unknown> {
    return stack.emulator.listReferrals().find((r) => r.status === 'Active') as Record<string, unknown>;
  }

  test.each([
    [409, 'ReferralPreconditionFailed', ['GET', 'PUT', 'GET']],
    [413, 'ReferralValidationFailed', ['GET', 'PUT']],
    [422, 'ReferralValidationFailed', ['GET', 'PUT']],
  ])(
    'an upstream %i on the write is a %s, with no guessing re-read of the outcome',
    async (status, typename, calls) => {
      const referral = active();
      stack.emulator.injectFault({
        method: 'PUT',
        times: 1,
        fault: {
          kind: 'status',
          status,
          body: { error: { code: 'refused', message: `The Partner API says ${status}.` } },
        },
      });
      const res = await stack.gql<{ updateReferral: UpdateResult }>(UPDATE_REFERRAL, {
        id: referral.id,
        etag: referral.eTag,
        input: { name: 'refused' },
      });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data?.updateReferral.__typename).toBe(typename);
      if (status !== 409)
        expect(res.body.data?.updateReferral.message).toBe(`The Partner API says ${status}.`);
      expect(stack.emulator.requests.map((r) => r.method)).toEqual(calls);
    },
  );

  test('1,048,000 characters of notes (under the 1 MiB body limit) are TOO_LONG before any call', async () => {
    const referral = active();
    const res = await stack.gql<{ updateReferral: UpdateResult }>(
      'mutation ($id: ID!, $etag: String!, $input: UpdateReferralInput!) { updateReferral(id: $id, etag: $etag, input: $input) { ... on ReferralValidationFailed { fieldErrors { path message code } } } }',
      { id: referral.id, etag: referral.eTag, input: { details: { notes: 'n'.repeat(1_048_000) } } },
    );
    expect(res.status).toBe(200);
    expect(res.body.data?.updateReferral).toEqual({
      fieldErrors: [
        { path: ['details', 'notes'], code: 'TOO_LONG', message: 'must be at most 10000 characters' },
      ],
    });
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('_entities ids 12345 and "12345" are one referral and one GET', async () => {
    stack.emulator.putReferral({ ...active(), id: '12345' });
    const res = await stack.gql(entitiesFlood(0), {
      r0: [
        { __typename: 'Referral', id: 12345 },
        { __typename: 'Referral', id: '12345' },
      ],
    });
    expect(res.body.data).toEqual({ _entities: [{ id: '12345' }, { id: '12345' }] });
    expect(stack.emulator.requests).toHaveLength(1);
  });

  test.each(['1e400', '-1e400'])('dealValue: %s is INVALID_AMOUNT', async (literal) => {
    const referral = active();
    const res = await stack.gql<{ updateReferral: UpdateResult }>(
      UPDATE_REFERRAL.replace('input: $input', `input: { details: { dealValue: ${literal} } }`).replace(
        ', $input: UpdateReferralInput!',
        '',
      ),
      { id: referral.id, etag: referral.eTag },
    );
    expect(res.body.data?.updateReferral.fieldErrors).toEqual([
      {
        path: ['details', 'dealValue'],
        code: 'INVALID_AMOUNT',
        message: 'must be a finite number, zero or more',
      },
    ]);
  });

  test('the bearer check is about shape, so the emulator’s persona tokens still reach it', async () => {
    const referral = active();
    const email = (referral.team as { email: string }[])[0]?.email;
    const res = await stack.gql(
      'query ($id: ID!) { referral(id: $id) { id } }',
      { id: referral.id },
      {
        authorization: `Bearer user:${email}`,
      },
    );
    expect(res.body.errors).toBeUndefined();
    expect(stack.emulator.requests[0]?.headers.authorization).toBe(`Bearer user:${email}`);
    expect(TEST_TOKEN).toMatch(/^Bearer /);
  });
});
