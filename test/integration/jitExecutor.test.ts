/**
 * graphql-jit (the default executor) must answer exactly as graphql-js, the reference
 * implementation: same HTTP status, same JSON text (key order included). Two gateways, one per
 * executor, run in front of one emulator and get the same requests: the benign corpus, data the
 * schema does not expect, upstream failures, bad variables and every updateReferral outcome.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { type Emulator, type FaultRule, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { createLogger } from '../../src/log/logger.ts';
import { type Gateway, startGateway } from '../../src/server/startGateway.ts';
import { ALL_REFERRAL_FIELDS, MEMBER_FRAGMENT, TEST_TOKEN } from '../helpers/stack.ts';
import { loadCorpus, requestBody } from '../security/corpus.ts';

let emulator: Emulator;
let jit: Gateway;
let reference: Gateway;

async function gateway(executor: string): Promise<Gateway> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PARTNER_API_URL: emulator.url,
    GRAPHQL_EXECUTOR: executor,
    METRICS_PORT: '0',
    UPSTREAM_HEADERS_TIMEOUT_MS: '300',
    // Both sign cursors with one key, as replicas do, so their answers can be compared byte for byte.
    CURSOR_SECRET: 'the jit and graphql-js gateways share this key',
  });
  return startGateway({ config, partnerApiUrl: emulator.url, logger: createLogger('silent') });
}

beforeAll(async () => {
  emulator = await startEmulator();
  [jit, reference] = await Promise.all([gateway('jit'), gateway('graphql-js')]);
});
afterAll(async () => {
  await Promise.all([jit.stop(), reference.stop()]);
  await emulator.close();
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.clearRequests();
});

interface Answer {
  readonly status: number;
  readonly text: string;
}

async function post(target: Gateway, body: string): Promise<Answer> {
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** Sends `body` to both gateways, one after the other, and expects the same answer. */
async function expectSameAnswer(body: string, fault?: FaultRule): Promise<Answer> {
  const answers: Answer[] = [];
  for (const target of [reference, jit]) {
    if (fault) emulator.injectFault({ ...fault });
    answers.push(await post(target, body));
    emulator.clearFaults();
  }
  const [expected, actual] = answers as [Answer, Answer];
  expect(actual).toEqual(expected);
  return actual;
}

const request = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  JSON.stringify({ query, variables, operationName });

const FULL_REFERRAL = `query($id: ID!) { referral(id: $id) { ${ALL_REFERRAL_FIELDS} } } ${MEMBER_FRAGMENT}`;

function firstId(): string {
  return String(emulator.listReferrals()[0]?.id);
}

describe('graphql-jit answers exactly as graphql-js', () => {
  test.each(
    loadCorpus('benign')
      .filter((entry) => !/^\s*mutation\b/m.test(entry.query))
      .map((entry) => [entry.name, entry] as const),
  )('benign corpus: %s', async (_name, entry) => {
    const answer = await expectSameAnswer(requestBody(entry, emulator));
    expect(answer.status).toBe(200);
  });

  test('a list of 100 referrals with every field', async () => {
    const query = `{ referrals(first: 100) { edges { cursor node { ${ALL_REFERRAL_FIELDS} } } pageInfo { hasNextPage endCursor } } } ${MEMBER_FRAGMENT}`;
    const answer = await expectSameAnswer(request(query));
    // 65 seeded, more once the benign corpus's 100 distinct entities were added.
    expect(JSON.parse(answer.text).data.referrals.edges).toHaveLength(
      Math.min(100, emulator.listReferrals().length),
    );
  });

  test('unknown enum values, missing objects and string decimals', async () => {
    const base = emulator.listReferrals()[0] as Record<string, unknown>;
    const { customerProfile: _dropped, ...rest } = base;
    const odd = emulator.putReferral({
      ...rest,
      id: 'jit-odd-values',
      status: 'Archived',
      substatus: 'won',
      target: [{ id: 'x', type: 'Galaxy' }],
      details: { ...(base.details as object), dealValue: '12.50' },
      team: null,
    });
    const answer = await expectSameAnswer(request(FULL_REFERRAL, { id: odd.id }));
    expect(JSON.parse(answer.text).data.referral).toMatchObject({ status: null, substatus: 'WON' });
  });

  test.each([
    ['401', { kind: 'status', status: 401, body: { error: { code: 'unauthenticated' } } }],
    ['500', { kind: 'status', status: 500, body: { error: { code: 'generalException' } } }],
    ['429', { kind: 'status', status: 429, headers: { 'retry-after': '30' }, body: {} }],
    ['invalid JSON', { kind: 'raw', status: 200, contentType: 'application/json', body: '{"id":' }],
    ['a stall', { kind: 'stall' }],
  ] as const)('upstream %s on a read', async (_name, fault) => {
    const nullable = await expectSameAnswer(request(`{ referral(id: "${firstId()}") { id } }`), { fault });
    expect(JSON.parse(nullable.text)).toMatchObject({
      data: { referral: null },
      errors: [{ path: ['referral'] }],
    });
    const nonNull = await expectSameAnswer(request('{ referrals(first: 2) { edges { node { id } } } }'), {
      fault,
    });
    expect(JSON.parse(nonNull.text)).toMatchObject({ data: null, errors: [{ path: ['referrals'] }] });
  });

  test('when a non-null root field fails, jit also reports the other failed fields (a superset)', async () => {
    // graphql-js answers as soon as `data` is null, with the errors collected by then (which
    // depends on timing); graphql-jit waits for every field. Both null `data` the same way.
    const body = request(
      `{ a: referral(id: "${firstId()}") { id } b: referrals(first: 2) { edges { node { id } } } }`,
    );
    const answers: { data: unknown; errors: { path: string[] }[] }[] = [];
    for (const target of [reference, jit]) {
      emulator.injectFault({ fault: { kind: 'status', status: 500, body: {} } });
      answers.push(JSON.parse((await post(target, body)).text));
      emulator.clearFaults();
    }
    const [expected, actual] = answers as [(typeof answers)[0], (typeof answers)[0]];
    expect(actual.data).toBeNull();
    expect(expected.data).toBeNull();
    const paths = (answer: typeof actual) => answer.errors.map((error) => error.path.join('.'));
    expect(paths(actual)).toEqual(expect.arrayContaining(paths(expected)));
    expect(paths(actual).sort()).toEqual(['a', 'b']);
  });

  test.each([
    ['a missing required variable', request('query($id: ID!) { referral(id: $id) { id } }', {})],
    [
      'a variable of the wrong type',
      request('query($n: Int) { referrals(first: $n) { pageInfo { hasNextPage } } }', { n: 'x' }),
    ],
    ['an out-of-range argument', request('{ referrals(first: 1000) { pageInfo { hasNextPage } } }')],
    ['a forged cursor', request('{ referrals(after: "nope") { pageInfo { hasNextPage } } }')],
    ['an unknown operation name', request('query A { __typename } query B { __typename }', undefined, 'C')],
    [
      '@skip and @include by variables',
      request(
        `query($s: Boolean!, $i: Boolean!, $id: ID!) { referral(id: $id) { id name @skip(if: $s) status @include(if: $i) ... on Referral @include(if: $s) { etag } } }`,
        { s: true, i: false, id: 'x' },
      ),
    ],
  ])('%s', async (_name, body) => {
    await expectSameAnswer(body.replace('"id":"x"', `"id":"${firstId()}"`));
  });

  const CREATE = `mutation($input: CreateReferralInput!) { createReferral(input: $input) { __typename } }`;
  const UPDATE = `mutation($id: ID!, $input: UpdateReferralInput!, $etag: String!) {
    updateReferral(id: $id, input: $input, etag: $etag) { __typename }
  }`;
  const GOOD_CREATE = {
    name: 'Variables',
    type: 'INDEPENDENT',
    customerProfile: { name: 'Contoso Ltd', address: { city: 'Seattle', country: 'US' } },
    consent: { consentToContact: true },
    details: { dealValue: 1, currency: 'USD' },
  };
  // Variables graphql-jit refuses are coerced again by graphql-js for its exact error: nothing runs.
  test.each([
    ['an unknown input field', CREATE, { input: { ...GOOD_CREATE, colour: 'blue' } }],
    ['a nested unknown input field', CREATE, { input: { ...GOOD_CREATE, consent: { maybe: true } } }],
    ['a required input field left out', CREATE, { input: { ...GOOD_CREATE, type: undefined } }],
    ['an unknown enum value', CREATE, { input: { ...GOOD_CREATE, type: 'Independent' } }],
    ['an enum value as a number', CREATE, { input: { ...GOOD_CREATE, status: 1 } }],
    ['null in a list of non-null items', CREATE, { input: { ...GOOD_CREATE, team: [null] } }],
    [
      'a DateTime given a number (the scalar throws)',
      CREATE,
      { input: { ...GOOD_CREATE, details: { closingDateTime: 20260630 } } },
    ],
    ['a Float given a string', CREATE, { input: { ...GOOD_CREATE, details: { dealValue: '12.5' } } }],
    ['a String given an object', CREATE, { input: { ...GOOD_CREATE, name: { first: 'x' } } }],
    ['an input given a list', CREATE, { input: [GOOD_CREATE] }],
    ['an update without its etag', UPDATE, { id: 'x', input: { name: 'n' } }],
    ['an ID given a float', UPDATE, { id: 1.5, input: { name: 'n' }, etag: '"e"' }],
    ['a Boolean given a string', 'query($s: Boolean!) { __typename @skip(if: $s) }', { s: 'true' }],
  ])('bad variables: %s', async (_name, query, variables) => {
    const answer = await expectSameAnswer(request(query, variables));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(emulator.requests).toEqual([]);
  });

  test('variables both coerce alike: a single value for a list, an integer for an ID', async () => {
    const one = emulator.listReferrals()[0] as { id: string };
    const answer = await expectSameAnswer(
      request(
        'query($r: [_Any!]!, $id: ID!) { _entities(representations: $r) { ... on Referral { id } } referral(id: $id) { id } }',
        { r: { __typename: 'Referral', id: one.id }, id: 12345 },
      ),
    );
    expect(JSON.parse(answer.text).data).toEqual({ _entities: [{ id: one.id }], referral: null });
  });

  test('_entities with repeats and an unknown id', async () => {
    const ids = emulator
      .listReferrals()
      .slice(0, 5)
      .map((r) => r.id);
    const representations = [...ids, ids[0], 'no-such-referral'].map((id) => ({
      __typename: 'Referral',
      id,
    }));
    const answer = await expectSameAnswer(
      request(
        'query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Referral { id name } } }',
        {
          r: representations,
        },
      ),
    );
    expect(JSON.parse(answer.text).data._entities.at(-1)).toBeNull();
  });
});

describe('graphql-jit answers updateReferral exactly as graphql-js', () => {
  const MUTATION = `mutation($id: ID!, $input: UpdateReferralInput!, $etag: String!) {
    updateReferral(id: $id, input: $input, etag: $etag) {
      __typename
      ... on UpdateReferralSuccess { referral { id name status substatus } }
      ... on ReferralPreconditionFailed { currentEtag currentReferral { id name } }
      ... on ReferralValidationFailed { message fieldErrors { path message } }
      ... on ReferralTransitionNotAllowed { message fromStatus toStatus toSubstatus }
      ... on ReferralNotFound { message id }
    }
  }`;

  test.each([
    ['a stale etag', (id: string) => ({ id, input: { name: 'x' }, etag: '"stale"' })],
    [
      'an invalid input',
      (id: string, etag: string) => ({ id, input: { details: { currency: 'dollars' } }, etag }),
    ],
    ['a transition not allowed', (id: string, etag: string) => ({ id, input: { status: 'NONE' }, etag })],
    [
      'an unknown referral',
      (_id: string, etag: string) => ({ id: 'no-such-referral', input: { name: 'x' }, etag }),
    ],
  ])('%s', async (_name, variables) => {
    const id = firstId();
    const etag = String(emulator.getReferral(id)?.eTag);
    const answer = await expectSameAnswer(request(MUTATION, variables(id, etag)));
    expect(JSON.parse(answer.text).data.updateReferral.__typename).not.toBe('UpdateReferralSuccess');
    expect(emulator.getReferral(id)?.eTag).toBe(etag);
  });

  test('a success (each executor writes once, with the etag current at its turn)', async () => {
    const id = firstId();
    const answers: Answer[] = [];
    for (const target of [reference, jit]) {
      const etag = String(emulator.getReferral(id)?.eTag);
      answers.push(await post(target, request(MUTATION, { id, input: { name: 'Same either way' }, etag })));
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(JSON.parse(answers[1]?.text ?? '{}').data.updateReferral.__typename).toBe('UpdateReferralSuccess');
    expect(emulator.requests.filter((r) => r.method === 'PUT')).toHaveLength(2);
  });
});
