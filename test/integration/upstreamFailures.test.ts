import { beforeAll, describe, expect, test } from '@jest/globals';
import { useStack } from '../helpers/stack.ts';

const SECRET_BODY = 'internal-diagnostic-7f3a: database shard eu-west-9 exploded';
// Short upstream timeouts so the stalled-upstream case ends quickly.
const stack = useStack({ UPSTREAM_HEADERS_TIMEOUT_MS: '300', UPSTREAM_BODY_TIMEOUT_MS: '300' });
let id: string;
beforeAll(() => {
  id = String(stack.emulator.listReferrals()[0]?.id);
});

function errorBody(code: string) {
  return { error: { code, message: SECRET_BODY, target: 'referral' } };
}

const QUERIES = {
  referral: (referralId: string) => [`{ referral(id: "${referralId}") { id name } }`, 'referral'] as const,
  referrals: () => ['{ referrals(first: 5) { edges { node { id } } } }', 'referrals'] as const,
};

/** Nothing on the wire may reveal where the upstream is, what it said, or our code's insides. */
function expectNothingLeaked(text: string): void {
  const upstream = new URL(stack.emulator.url);
  expect(text).not.toContain(upstream.host);
  expect(text).not.toContain('127.0.0.1');
  expect(text).not.toContain(SECRET_BODY);
  expect(text).not.toContain('internal-diagnostic');
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(text).not.toContain('stacktrace');
  expect(text).not.toContain('/engagements/');
  expect(text).not.toContain('UND_ERR');
}

describe('upstream failures on queries', () => {
  test.each([
    [401, 'unauthenticated', 'UNAUTHENTICATED'],
    [403, 'accessDenied', 'FORBIDDEN'],
    [500, 'generalException', 'UPSTREAM_UNAVAILABLE'],
    [503, 'serviceNotAvailable', 'UPSTREAM_UNAVAILABLE'],
    [429, 'throttled', 'RATE_LIMITED'],
  ])('upstream %i on referral(id) answers null and %s → %s', async (status, upstreamCode, code) => {
    stack.emulator.injectFault({ fault: { kind: 'status', status, body: errorBody(upstreamCode) } });
    const [query] = QUERIES.referral(id);
    const res = await stack.gql(query);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ referral: null });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]).toMatchObject({ path: ['referral'], extensions: { code } });
    expect(Object.keys(res.body.errors?.[0]?.extensions ?? {})).toEqual(['code']);
    expectNothingLeaked(res.text);
  });

  test.each([
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [404, 'NOT_FOUND'],
    [500, 'UPSTREAM_UNAVAILABLE'],
  ])('upstream %i on referrals answers data null and %s', async (status, code) => {
    stack.emulator.injectFault({ fault: { kind: 'status', status, body: errorBody('x') } });
    const [query] = QUERIES.referrals();
    const res = await stack.gql(query);
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe(code);
    expectNothingLeaked(res.text);
  });

  test('a 404 on referral(id) is not an error: the referral is null', async () => {
    const res = await stack.gql('{ referral(id: "no-such-referral") { id } }');
    expect(res.body).toEqual({ data: { referral: null } });
  });

  test('a 429 with Retry-After tells the client when to come back', async () => {
    stack.emulator.injectFault({
      fault: { kind: 'status', status: 429, body: errorBody('throttled'), headers: { 'retry-after': '7' } },
    });
    const res = await stack.gql(QUERIES.referral(id)[0]);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 7 });
  });

  test.each(['referral', 'referrals'] as const)(
    'a stalled upstream on %s ends in UPSTREAM_TIMEOUT',
    async (which) => {
      stack.emulator.injectFault({ fault: { kind: 'stall' } });
      const [query] = which === 'referral' ? QUERIES.referral(id) : QUERIES.referrals();
      const started = Date.now();
      const res = await stack.gql(query);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.body.data).toEqual(which === 'referral' ? { referral: null } : null);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
      expectNothingLeaked(res.text);
    },
  );

  test('a reset connection answers UPSTREAM_UNAVAILABLE', async () => {
    stack.emulator.injectFault({ fault: { kind: 'reset' } });
    const res = await stack.gql(QUERIES.referral(id)[0]);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expectNothingLeaked(res.text);
  });

  test.each([
    ['invalid JSON', 'application/json', '{"id": "x", "eTag": '],
    ['HTML instead of JSON', 'text/html', `<html>${SECRET_BODY}</html>`],
    ['a referral without eTag', 'application/json', JSON.stringify({ id: 'x', name: SECRET_BODY })],
  ])('%s answers UPSTREAM_BAD_RESPONSE', async (_name, contentType, body) => {
    stack.emulator.injectFault({ fault: { kind: 'raw', status: 200, contentType, body } });
    const res = await stack.gql(QUERIES.referral(id)[0]);
    expect(res.body.data).toEqual({ referral: null });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BAD_RESPONSE');
    expectNothingLeaked(res.text);
  });

  test('a caller without a token gets UNAUTHENTICATED from the Partner API’s 401', async () => {
    const res = await stack.gql(QUERIES.referral(id)[0], undefined, { authorization: undefined });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.emulator.requests[0]?.headers.authorization).toBeUndefined();
  });
});
