/**
 * The security corpus against the real gateway and emulator: every hostile operation is refused
 * before execution, every benign one passes untouched.
 *
 * "Before execution" is checked two ways, each of which a resolver run would break: the emulator
 * records no request at all, and the response has no `data` key (GraphQL over HTTP: a request
 * error, raised before execution, has no `data`; once execution starts Apollo always sends `data`,
 * `null` included).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { DEFAULT_OPERATION_LIMITS } from '../../src/server/securityRules.ts';
import { report } from '../helpers/report.ts';
import { type Stack, startStack, TEST_TOKEN, useStack } from '../helpers/stack.ts';
import { type CorpusEntry, loadCorpus, requestBody } from './corpus.ts';

/** Codes a refused operation may carry: all in the public set of src/errors/codes.ts. */
const REJECTION_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
  // A request certain to need more Partner API calls than one request may make.
  'UPSTREAM_BUDGET_EXCEEDED',
  // The last entry of a refusal whose error list was cut.
  'TOO_MANY_ERRORS',
]);

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  elapsedMs: number;
}

async function send(stack: Stack, entry: CorpusEntry): Promise<Answer> {
  const startedAt = performance.now();
  const res = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
    body: requestBody(entry, stack.emulator),
  });
  const body = (await res.json()) as Answer['body'];
  return { status: res.status, body, elapsedMs: performance.now() - startedAt };
}

const hostile = loadCorpus('hostile');
const benign = loadCorpus('benign');

function expectRefusedBeforeExecution(stack: Stack, answer: Answer): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.body).not.toHaveProperty('data');
  expect(answer.body.errors?.length).toBeGreaterThan(0);
  for (const error of answer.body.errors ?? []) {
    expect(REJECTION_CODES).toContain(error.extensions?.code);
  }
  expect(stack.emulator.requests).toHaveLength(0);
}

describe('security corpus (development: introspection and suggestions on)', () => {
  const stack = useStack();
  const rejected: string[] = [];
  const passed: string[] = [];
  let upstreamCallsByHostile = 0;
  let slowestHostileMs = 0;
  afterAll(() => {
    report(
      'security corpus',
      `${rejected.length} hostile rejected (${upstreamCallsByHostile} upstream calls, slowest ${Math.round(slowestHostileMs)} ms), ${passed.length} benign passed`,
    );
  });

  test('the corpus keeps at least 30 hostile and 10 benign operations', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(30);
    expect(benign.length).toBeGreaterThanOrEqual(10);
  });

  test.each(hostile.map((entry) => [entry.name, entry] as const))(
    'hostile %s is refused before execution',
    async (_name, entry) => {
      stack.emulator.clearRequests();
      const answer = await send(stack, entry);
      upstreamCallsByHostile += stack.emulator.requests.length;
      slowestHostileMs = Math.max(slowestHostileMs, answer.elapsedMs);
      expectRefusedBeforeExecution(stack, answer);
      rejected.push(entry.name);
    },
  );

  test.each(benign.map((entry) => [entry.name, entry] as const))(
    'benign %s passes untouched',
    async (_name, entry) => {
      const answer = await send(stack, entry);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.status).toBe(200);
      expect(answer.body.data).toEqual(expect.any(Object));
      passed.push(entry.name);
    },
  );

  test('a refusal names the limit, with a stable code', async () => {
    const entry = hostile.find((e) => e.name.includes('alias-flood-referral'));
    const answer = await send(stack, entry as CorpusEntry);
    expect(answer.body.errors).toEqual([
      {
        message: `Syntax Error: Aliases limit of ${DEFAULT_OPERATION_LIMITS.maxAliases} exceeded, found 40.`,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
  });

  test('outside production, suggestions help developers', async () => {
    const res = await stack.gql('{ referal(id: "x") { id } }');
    expect(res.body.errors?.[0]?.message).toMatch(/Did you mean "referral/);
  });
});

describe('security corpus in production (introspection off, suggestions hidden)', () => {
  const stack = useStack({ NODE_ENV: 'production' });

  test('a coded error from a resolver keeps its code (graphql-jit’s error messages are read-only)', async () => {
    const forged = `r1:${Buffer.from(JSON.stringify({ p: '/v1.0/engagements/referrals?$top=1000', s: 0, f: 'x' })).toString('base64url')}`;
    for (const res of [
      await stack.gql('{ referrals(first: 500) { edges { cursor } } }'),
      await stack.gql('query ($a: String) { referrals(after: $a) { edges { cursor } } }', { a: forged }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test.each(hostile.map((entry) => [entry.name, entry] as const))(
    'hostile %s is refused before execution, suggesting no name',
    async (_name, entry) => {
      stack.emulator.clearRequests();
      const answer = await send(stack, entry);
      expectRefusedBeforeExecution(stack, answer);
      for (const error of answer.body.errors ?? []) expect(error.message).not.toMatch(/did you mean/i);
    },
  );

  test('no suggestions in validation errors, enum literals or variable coercion errors', async () => {
    const probes = await Promise.all([
      stack.gql('{ referal(id: "x") { id } }'),
      stack.gql('{ referral(id: "x") { nmae } }'),
      stack.gql('{ referrals(filter: { stauts: ACTIVE }) { edges { node { id } } } }'),
      stack.gql('{ referrals(filter: { status: ACTIV }) { edges { node { id } } } }'),
      stack.gql('query($f: ReferralFilter) { referrals(filter: $f) { edges { node { id } } } }', {
        f: { stauts: 'ACTIVE' },
      }),
      stack.gql('query($f: ReferralFilter) { referrals(filter: $f) { edges { node { id } } } }', {
        f: { status: 'ACTIV' },
      }),
      stack.gql('query($f: ReferralFiltr) { referrals(filter: $f) { edges { node { id } } } }'),
    ]);
    for (const res of probes) {
      expect(res.status).toBe(400);
      expect(res.body.errors?.length).toBeGreaterThan(0);
      for (const error of res.body.errors ?? []) {
        // The names the typos are near: what a suggestion would give away.
        expect(error.message).not.toMatch(/did you mean/i);
        expect(error.message).not.toMatch(/"referral"|"name"|"status"|enum value|Suggestion hidden/);
      }
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

describe('operation limits are configuration', () => {
  test('defaults, and each limit from its environment variable', () => {
    expect(loadConfig({}).operationLimits).toEqual(DEFAULT_OPERATION_LIMITS);
    expect(
      loadConfig({
        MAX_QUERY_DEPTH: '5',
        MAX_ALIASES: '2',
        MAX_TOKENS: '300',
        MAX_DIRECTIVES: '1',
        MAX_QUERY_COST: '1000',
        MAX_ENTITY_REPRESENTATIONS: '3',
      }).operationLimits,
    ).toEqual({
      maxDepth: 5,
      maxAliases: 2,
      maxTokens: 300,
      maxDirectives: 1,
      maxCost: 1000,
      maxEntityRepresentations: 3,
    });
    expect(() => loadConfig({ MAX_ALIASES: 'many' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAX_QUERY_DEPTH: '0' })).toThrow(ConfigError);
  });

  test('a lowered limit is enforced', async () => {
    const stack = await startStack({ MAX_ALIASES: '2', MAX_QUERY_DEPTH: '4', MAX_TOKENS: '80' });
    try {
      const aliases = await stack.gql(
        '{ a: referrals(first: 1) { edges { node { id } } } b: __typename c: referral(id: "x") { id } d: referral(id: "y") { id } }',
      );
      expect(aliases.body.errors?.[0]?.message).toMatch(/Aliases limit of 2 exceeded/);
      const depth = await stack.gql(
        '{ referrals(first: 1) { edges { node { customerProfile { name } } } } }',
      );
      expect(depth.body.errors?.[0]?.message).toMatch(/depth limit of 4 exceeded/);
      const tokens = await stack.gql(`{ ${'__typename '.repeat(81)}}`);
      expect(tokens.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(stack.emulator.requests).toHaveLength(0);
    } finally {
      await stack.close();
    }
  });
});
