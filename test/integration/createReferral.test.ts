/**
 * createReferral against the emulator over loopback: what crosses the wire, what the caller gets,
 * and how an idempotency key makes a repeat harmless (README "Creating referrals").
 */
import { describe, expect, test } from '@jest/globals';
import { EXAMPLE_CREATE_OPERATION } from '../../src/server/exampleOperation.ts';
import { CREATE_REFERRAL, type CreateResult, newKey, newReferralInput } from '../helpers/createMutation.ts';
import { type Stack, startStack, useStack } from '../helpers/stack.ts';

const stack = useStack();

async function create(
  input: Record<string, unknown>,
  key?: string,
  headers: Record<string, string> = {},
  on: Stack = stack,
): Promise<CreateResult> {
  const res = await on.gql<{ createReferral: CreateResult }>(CREATE_REFERRAL, { input, key }, headers);
  expect(res.body.errors).toBeUndefined();
  return (res.body.data as { createReferral: CreateResult }).createReferral;
}

const posts = (on: Stack = stack) => on.emulator.requests.filter((r) => r.method === 'POST');

/** A JWT as Entra ID shapes one (unsigned here: the emulator takes any bearer token). */
function entraToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `Bearer ${part({ typ: 'JWT', alg: 'RS256' })}.${part(claims)}.c2lnbmF0dXJl`;
}

describe('createReferral creates the referral the input describes', () => {
  test('success answers the referral with the fields the Partner API assigned', async () => {
    const input = newReferralInput();
    const before = stack.emulator.listReferrals().length;

    const result = await create(input);

    expect(result.__typename).toBe('CreateReferralSuccess');
    const referral = result.referral as NonNullable<CreateResult['referral']>;
    const stored = stack.emulator.getReferral(referral.id) as Record<string, unknown>;
    expect(referral).toMatchObject({
      id: stored.id,
      engagementId: stored.engagementId,
      etag: stored.eTag,
      organizationId: stored.organizationId,
      organizationName: stored.organizationName,
      createdDateTime: stored.createdDateTime,
      name: input.name,
      status: 'NEW',
      substatus: 'PENDING',
      type: 'INDEPENDENT',
      customerProfile: { name: 'Contoso Ltd', address: { city: 'Seattle', country: 'US' } },
      details: { dealValue: 125000.5, currency: 'USD', closingDateTime: '2026-06-30T00:00:00Z' },
    });
    expect(referral.createdDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    expect(stack.emulator.listReferrals()).toHaveLength(before + 1);
  });

  test('the POST carries the documented create fields in wire form, the initial pair filled in, nothing else', async () => {
    const input = newReferralInput({ statusReason: null, inviteContext: null });
    await create(input, undefined, { authorization: 'Bearer caller-42' });

    expect(stack.emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1.0/engagements/referrals',
    ]);
    const post = posts()[0];
    expect(post?.headers.authorization).toBe('Bearer caller-42');
    expect(post?.headers['content-type']).toMatch(/^application\/json/);
    expect(post?.headers['if-match']).toBeUndefined();
    const body = post?.body as Record<string, unknown>;
    // The docs' field order; enum values in the wire's PascalCase; no nulls, no server-owned fields.
    expect(Object.keys(body)).toEqual([
      'name',
      'externalReferenceId',
      'status',
      'substatus',
      'type',
      'qualification',
      'customerProfile',
      'consent',
      'details',
      'team',
    ]);
    expect(body).toMatchObject({
      status: 'New',
      substatus: 'Pending',
      type: 'Independent',
      qualification: 'SalesQualified',
      details: { requirements: { solutions: [{ id: 'CloudMigration', type: 'Category' }] } },
    });
  });

  test('engagementId joins an existing engagement, and an explicit initial pair is sent as given', async () => {
    const engagementId = '6f0d2d1c-7c55-4f1e-9b7a-3b9f58f0e001';
    const result = await create(
      newReferralInput({
        engagementId,
        status: 'ACTIVE',
        type: 'SHARED',
        target: [{ type: 'SOLUTION_PROFILE', id: 'SOL-1' }],
      }),
    );
    expect(result.referral).toMatchObject({ engagementId, status: 'ACTIVE', substatus: 'ACCEPTED' });
    expect(posts()[0]?.body).toMatchObject({
      engagementId,
      status: 'Active',
      substatus: 'Accepted',
      target: [{ type: 'SolutionProfile', id: 'SOL-1' }],
    });
  });

  test('the Partner API answering 200 instead of 201 is a success too', async () => {
    stack.emulator.injectFault({ method: 'POST', times: 1, fault: { kind: 'answerStatus', status: 200 } });
    const result = await create(newReferralInput());
    expect(result.__typename).toBe('CreateReferralSuccess');
    expect(stack.emulator.pendingFaults()).toEqual([]);
    expect(stack.emulator.getReferral(String(result.referral?.id))).toBeDefined();
  });
});

/** Inputs our rules refuse, each with the field error it must produce. */
const BAD_INPUTS: readonly [string, Record<string, unknown>, { path: string[]; code: string }][] = [
  [
    'a lower-case currency',
    { details: { currency: 'usd' } },
    { path: ['details', 'currency'], code: 'INVALID_CURRENCY' },
  ],
  [
    'a country code ISO 3166 does not assign',
    { customerProfile: { name: 'C', address: { country: 'QQ' } } },
    { path: ['customerProfile', 'address', 'country'], code: 'INVALID_COUNTRY' },
  ],
  [
    'a team e-mail that is no address',
    { team: [{ email: 'priya at partner' }] },
    { path: ['team', '0', 'email'], code: 'INVALID_EMAIL' },
  ],
  [
    'a customer contact e-mail that is no address',
    { customerProfile: { name: 'C', team: [{ email: 'nope' }] } },
    { path: ['customerProfile', 'team', '0', 'email'], code: 'INVALID_EMAIL' },
  ],
  [
    'a negative deal value',
    { details: { dealValue: -1 } },
    { path: ['details', 'dealValue'], code: 'INVALID_AMOUNT' },
  ],
  [
    'a closing date with an offset',
    { details: { closingDateTime: '2026-06-30T00:00:00+02:00' } },
    { path: ['details', 'closingDateTime'], code: 'INVALID_DATE_TIME' },
  ],
  [
    'a date-only closing date',
    { details: { closingDateTime: '2026-06-30' } },
    { path: ['details', 'closingDateTime'], code: 'INVALID_DATE_TIME' },
  ],
  [
    'a locale that is no culture name',
    { team: [{ contactPreference: { locale: 'en_US' } }] },
    { path: ['team', '0', 'contactPreference', 'locale'], code: 'INVALID_LOCALE' },
  ],
  [
    'notes past 10,000 characters',
    { details: { notes: 'x'.repeat(10_001) } },
    { path: ['details', 'notes'], code: 'TOO_LONG' },
  ],
  [
    'more than 100 team members',
    { team: Array.from({ length: 101 }, () => ({ email: 'a@b.example' })) },
    { path: ['team'], code: 'TOO_MANY_ITEMS' },
  ],
  ['status NONE', { status: 'NONE' }, { path: ['status'], code: 'INVALID' }],
  ['CLOSED without a substatus', { status: 'CLOSED' }, { path: ['substatus'], code: 'REQUIRED' }],
  ['NEW with ACCEPTED', { status: 'NEW', substatus: 'ACCEPTED' }, { path: ['substatus'], code: 'INVALID' }],
  [
    'a substatus alone that is not one of NEW',
    { substatus: 'WON' },
    { path: ['substatus'], code: 'INVALID' },
  ],
  [
    'a target with an empty id',
    { target: [{ type: 'SOLUTION_PROFILE', id: ' ' }] },
    { path: ['target', '0', 'id'], code: 'REQUIRED' },
  ],
  [
    'an engagementId with a quote',
    { engagementId: "x' or 1 eq 1" },
    { path: ['engagementId'], code: 'INVALID' },
  ],
];

describe('createReferral refuses a bad input before any call', () => {
  test.each(BAD_INPUTS)(
    '%s → ReferralValidationFailed, and the Partner API is not called',
    async (_name, change, expected) => {
      const input = newReferralInput();
      const merged = { ...input, ...change };
      const result = await create(merged, newKey());
      expect(result.__typename).toBe('ReferralValidationFailed');
      expect(result.message).toEqual(expect.any(String));
      expect(result.fieldErrors).toContainEqual(expect.objectContaining(expected));
      expect(stack.emulator.requests).toEqual([]);
    },
  );

  test('every problem is listed at once, with paths relative to input', async () => {
    const result = await create(
      newReferralInput({
        details: { currency: 'usd', dealValue: -5 },
        customerProfile: { name: 'C', address: { country: 'de' } },
        status: 'NONE',
      }),
    );
    expect(result.fieldErrors?.map((e) => e.path.join('.')).sort()).toEqual([
      'customerProfile.address.country',
      'details.currency',
      'details.dealValue',
      'status',
    ]);
    expect(stack.emulator.requests).toEqual([]);
  });

  test('a missing required field is refused by GraphQL itself, before any call', async () => {
    const { consent: _consent, ...input } = newReferralInput();
    const res = await stack.gql(CREATE_REFERRAL, { input });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.requests).toEqual([]);
  });

  test.each([
    ['empty', ''],
    ['too long', 'k'.repeat(129)],
    ['with a space', 'my key'],
    ['with a newline', 'key\nx'],
  ])('an idempotency key %s is BAD_USER_INPUT, before any call', async (_name, key) => {
    const res = await stack.gql(CREATE_REFERRAL, { input: newReferralInput(), key });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/idempotencyKey/);
    expect(stack.emulator.requests).toEqual([]);
  });
});

describe('createReferral maps what the Partner API refuses', () => {
  test('a 400 is ReferralValidationFailed carrying the Partner API message, and nothing is retried', async () => {
    stack.emulator.injectFault({
      method: 'POST',
      times: 1,
      fault: {
        kind: 'status',
        status: 400,
        body: {
          error: { code: 'invalidRequest', message: 'Target SOL-404 is not a known solution profile.' },
        },
      },
    });
    const result = await create(newReferralInput());
    expect(result).toEqual({
      __typename: 'ReferralValidationFailed',
      message: 'Target SOL-404 is not a known solution profile.',
      fieldErrors: [],
      omittedFieldErrors: 0,
    });
    expect(posts()).toHaveLength(1);
  });

  test('a refused create leaves its key free: the corrected repeat creates', async () => {
    const key = newKey();
    stack.emulator.injectFault({ method: 'POST', times: 1, fault: { kind: 'status', status: 400 } });
    const refused = await create(newReferralInput({ name: 'First try' }), key);
    expect(refused.__typename).toBe('ReferralValidationFailed');

    const created = await create(newReferralInput({ name: 'Corrected' }), key);
    expect(created.__typename).toBe('CreateReferralSuccess');
    expect(posts()).toHaveLength(2);
  });

  test('a Referral User may not create: FORBIDDEN, and the key stays unused', async () => {
    const key = newKey();
    const res = await stack.gql(
      CREATE_REFERRAL,
      { input: newReferralInput(), key },
      { authorization: 'Bearer user:ada@contoso.example' },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const again = await stack.gql(
      CREATE_REFERRAL,
      { input: newReferralInput(), key },
      { authorization: 'Bearer user:ada@contoso.example' },
    );
    expect(again.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(posts()).toHaveLength(2);
  });
});

describe('createReferral with an idempotency key', () => {
  test('the same key twice in sequence makes one POST; the repeat answers the same referral', async () => {
    const input = newReferralInput();
    const key = newKey();
    const first = await create(input, key);
    const second = await create(input, key);

    expect(first.__typename).toBe('CreateReferralSuccess');
    expect(second.__typename).toBe('CreateReferralSuccess');
    expect(second.referral?.id).toBe(first.referral?.id);
    expect(second.referral?.etag).toBe(first.referral?.etag);
    expect(posts()).toHaveLength(1);
    // The repeat reads the referral with the caller's own token, it does not answer from memory.
    expect(stack.emulator.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1.0/engagements/referrals',
      `GET /v1.0/engagements/referrals/${first.referral?.id}`,
    ]);
  });

  test('the same key 20 times at once makes one POST; every answer is the same referral', async () => {
    const input = newReferralInput();
    const key = newKey();
    // The POST takes a while, so all 20 requests arrive while the first is still creating.
    stack.emulator.injectFault({ method: 'POST', fault: { kind: 'delay', ms: 300 } });

    const results = await Promise.all(Array.from({ length: 20 }, () => create(input, key)));

    expect(posts()).toHaveLength(1);
    expect(new Set(results.map((r) => r.__typename))).toEqual(new Set(['CreateReferralSuccess']));
    expect(new Set(results.map((r) => r.referral?.id)).size).toBe(1);
    expect(stack.emulator.listReferrals().filter((r) => r.name === input.name)).toHaveLength(1);
  });

  test('the same key with another input is IDEMPOTENCY_KEY_REUSED, and nothing is sent', async () => {
    const key = newKey();
    await create(newReferralInput({ name: 'Original' }), key);
    stack.emulator.clearRequests();

    const res = await stack.gql(CREATE_REFERRAL, {
      input: newReferralInput({ name: 'Something else' }),
      key,
    });

    // createReferral is non-null, so the error nulls `data` as a whole.
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/already used with another input/),
        extensions: { code: 'IDEMPOTENCY_KEY_REUSED' },
      }),
    ]);
    expect(stack.emulator.requests).toEqual([]);
  });

  test('the same input in another field order, or with the default pair spelt out, is the same create', async () => {
    const input = newReferralInput();
    const key = newKey();
    const first = await create(input, key);
    const reordered = Object.fromEntries(
      Object.entries({ ...input, status: 'NEW', substatus: 'PENDING' }).reverse(),
    );
    const second = await create(reordered, key);
    expect(second.referral?.id).toBe(first.referral?.id);
    expect(posts()).toHaveLength(1);
  });

  test('two callers with the same key make two referrals: keys never cross users', async () => {
    const input = newReferralInput();
    const key = newKey();
    const mine = await create(input, key, { authorization: 'Bearer caller-a' });
    const theirs = await create(input, key, { authorization: 'Bearer caller-b' });
    expect(mine.__typename).toBe('CreateReferralSuccess');
    expect(theirs.__typename).toBe('CreateReferralSuccess');
    expect(theirs.referral?.id).not.toBe(mine.referral?.id);
    expect(posts()).toHaveLength(2);
  });

  test('an Entra ID caller keeps its keys across token refreshes (same tenant and object id)', async () => {
    const input = newReferralInput();
    const key = newKey();
    const who = { tid: '72f988bf-86f1-41af-91ab-2d7cd011db47', oid: '0a1b2c3d-0000-4000-8000-00000000a11c' };
    const first = await create(input, key, { authorization: entraToken({ ...who, exp: 1 }) });
    const refreshed = await create(input, key, { authorization: entraToken({ ...who, exp: 2 }) });
    const someoneElse = await create(input, key, {
      authorization: entraToken({ ...who, oid: '0a1b2c3d-0000-4000-8000-0000000b0b00', exp: 1 }),
    });
    expect(refreshed.referral?.id).toBe(first.referral?.id);
    expect(someoneElse.referral?.id).not.toBe(first.referral?.id);
    expect(posts()).toHaveLength(2);
  });

  test('without a key every create is a new referral', async () => {
    const input = newReferralInput();
    const first = await create(input);
    const second = await create(input);
    expect(second.referral?.id).not.toBe(first.referral?.id);
    expect(posts()).toHaveLength(2);
  });
});

describe("Sandbox's example create", () => {
  test('Sandbox opens with it beside the example query, and it runs as written, once per key', async () => {
    const page = await (await fetch(stack.gateway.url, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('mutation CreateReferral');
    expect(page).toContain('query RecentReferrals');

    const key = newKey();
    const run = () => stack.gql<{ createReferral: CreateResult }>(EXAMPLE_CREATE_OPERATION, { key });
    const first = (await run()).body.data?.createReferral;
    const second = (await run()).body.data?.createReferral;
    expect(first).toMatchObject({ __typename: 'CreateReferralSuccess', referral: { status: 'NEW' } });
    expect(second?.referral?.id).toBe(first?.referral?.id);
    expect(posts()).toHaveLength(1);
  });
});

describe('createReferral within the request budget', () => {
  test('a request whose creates cannot all be settled is refused before any call', async () => {
    const small = await startStack({ MAX_UPSTREAM_CALLS: '5' });
    try {
      const two = `mutation ($a: CreateReferralInput!, $b: CreateReferralInput!) {
        a: createReferral(input: $a) { __typename }
        b: createReferral(input: $b) { __typename }
      }`;
      const refused = await small.gql(two, { a: newReferralInput(), b: newReferralInput() });
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BUDGET_EXCEEDED');
      expect(small.emulator.requests).toEqual([]);

      const one = await create(newReferralInput(), undefined, {}, small);
      expect(one.__typename).toBe('CreateReferralSuccess');
      expect(posts(small)).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  test('the token is required before anything runs', async () => {
    const res = await stack.gql(CREATE_REFERRAL, { input: newReferralInput() }, { authorization: undefined });
    expect(res.status).toBe(401);
    expect(stack.emulator.requests).toEqual([]);
  });
});

describe('an uncertain create, looked for again later', () => {
  test('a repeat of its key finds it behind more newer referrals than one page holds: the look pages back to the POST', async () => {
    const input = newReferralInput({
      customerProfile: {
        ...(newReferralInput().customerProfile as object),
        address: { city: 'Vaduz', country: 'LI' },
      },
    });
    const key = newKey();
    // The POST lands but its answer is lost, and so is the look that would settle it.
    stack.emulator.injectFault({ method: 'POST', times: 1, fault: { kind: 'applyThenDrop' } });
    stack.emulator.injectFault({
      method: 'GET',
      pathIncludes: 'createdDateTime',
      times: 1,
      fault: { kind: 'status', status: 500 },
    });
    expect((await create(input, key)).__typename).toBe('ReferralCreationUncertain');
    const landed = stack.emulator.listReferrals().find((r) => r.name === input.name) as Record<
      string,
      unknown
    >;

    // Later, 60 referrals of the same country are created after it: more than a page of the look.
    const template = stack.emulator.listReferrals()[0] as Record<string, unknown>;
    for (let i = 0; i < 60; i += 1) {
      stack.emulator.putReferral({
        ...template,
        id: `li-later-${i}-${Date.now()}`,
        name: `Later ${i}`,
        createdDateTime: new Date(Date.now() + 60_000 + i).toISOString(),
        customerProfile: { name: 'Other', address: { country: 'LI' } },
      });
    }
    stack.emulator.clearRequests();

    const repeat = await create(input, key);
    expect(repeat).toMatchObject({ __typename: 'CreateReferralSuccess', referral: { id: landed.id } });
    const lists = stack.emulator.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/referrals'));
    expect(lists).toHaveLength(2);
    expect(lists[0]?.query).toMatchObject({
      $orderby: 'createdDateTime desc',
      $filter: "customerProfile/address/country eq 'LI'",
      $top: '50',
    });
    expect(posts()).toHaveLength(0);
  });
});
