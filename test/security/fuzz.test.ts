/**
 * Fuzzes the running gateway with mutations of the benign corpus: token deletions, duplications,
 * swaps and replacements (schema names, punctuation, huge numbers, unicode, NUL), variables of
 * the wrong type or absurd size or depth, and malformed request bodies. Whatever arrives, the
 * gateway must answer a well-formed GraphQL response, never a 5xx and never
 * INTERNAL_SERVER_ERROR (which would mean an input reached code that did not expect it).
 *
 * The seed is fixed, so a failure reproduces; the failing cases are printed in full.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { Lexer, Source, TokenKind } from 'graphql';
import { report } from '../helpers/report.ts';
import { type Stack, startStack, TEST_TOKEN } from '../helpers/stack.ts';
import { fillVariables, loadCorpus } from './corpus.ts';

const SEED = 20_250_611;
const RUNS = 1200;
const CONCURRENCY = 8;

const benign = loadCorpus('benign');

/** The raw text of each token of a (valid) document. */
function tokenize(query: string): string[] {
  const lexer = new Lexer(new Source(query));
  const tokens: string[] = [];
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    tokens.push(query.slice(token.start, token.end));
  }
  return tokens;
}

const SCHEMA_WORDS = [
  'referral',
  'referrals',
  'updateReferral',
  '_entities',
  '_service',
  '__schema',
  '__type',
  '__typename',
  'Referral',
  'ReferralFilter',
  'UpdateReferralInput',
  'first',
  'after',
  'filter',
  'id',
  'etag',
  'input',
  'edges',
  'node',
  'fragment',
  'query',
  'mutation',
  'subscription',
  'on',
  'true',
  'null',
  'ACTIVE',
  '@include',
  '@skip',
  '@defer',
  '$id',
  '$first',
];
const PUNCTUATION = ['{', '}', '(', ')', '[', ']', ':', '...', '$', '@', '!', '=', '|', '&', ','];
const ODD_VALUES = [
  '2147483648',
  '-2147483649',
  '1e308',
  '-0',
  '0.0000001',
  '99999999999999999999999999999',
  '"\\u0000"',
  '"\u0000"',
  '"\\uD800"',
  '"😀🔥"',
  '"ü\u202Eevil"',
  '"""block"""',
  `"${'x'.repeat(5000)}"`,
  '"\\"\\\\"',
  '\u0000',
  '\uFEFF',
  '#comment\n',
];

const token = fc.oneof(
  fc.constantFrom(...SCHEMA_WORDS),
  fc.constantFrom(...PUNCTUATION),
  fc.constantFrom(...ODD_VALUES),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.integer().map(String),
  fc.double().map(String),
);

type Edit =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number; times: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'replace'; at: number; token: string }
  | { kind: 'insert'; at: number; token: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    times: fc.integer({ min: 1, max: 50 }),
  }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), token }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token }),
);

function applyEdits(tokens: readonly string[], edits: readonly Edit[]): string {
  const out = [...tokens];
  for (const e of edits) {
    if (out.length === 0) break;
    const at = e.at % out.length;
    const here = out[at] as string;
    if (e.kind === 'delete') out.splice(at, 1);
    else if (e.kind === 'duplicate') out.splice(at, 0, ...Array.from({ length: e.times }, () => here));
    else if (e.kind === 'swap') {
      const other = e.with % out.length;
      out[at] = out[other] as string;
      out[other] = here;
    } else if (e.kind === 'replace') out[at] = e.token;
    else out.splice(at, 0, e.token);
  }
  return out.join(' ');
}

/** Deep JSON as text: deeper than JSON.stringify could build without overflowing the stack. */
function deepJsonText(levels: number, wrap: 'object' | 'array'): string {
  return wrap === 'object'
    ? `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`
    : `${'['.repeat(levels)}1${']'.repeat(levels)}`;
}

/** A variable value as JSON text: of the wrong type, absurd, or deep. */
const variableValue: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.constantFrom(
    '1e308',
    '-1e308',
    '9007199254740993',
    '-0',
    '2147483648',
    '"\\u0000"',
    '"\\ud800"',
    '"😀"',
    '""',
    `"${'y'.repeat(100_000)}"`,
    '{"__typename":"Referral"}',
    '{"__typename":"Nope","id":"x"}',
    '[{"__typename":"Referral","id":null}]',
    '[{"__typename":"Referral"}]',
    '[{"__typename":"Referral","id":{"a":1}}]',
    '{"status":"ACTIV"}',
    '{"teamMemberEmail":"\' or 1 eq 1 or \'"}',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s)),
  fc
    .tuple(fc.integer({ min: 50, max: 3000 }), fc.constantFrom('object' as const, 'array' as const))
    .map(([levels, wrap]) => deepJsonText(levels, wrap)),
);

interface Case {
  readonly label: string;
  readonly body: string;
}

function variableNames(query: string): string[] {
  return [...new Set([...query.matchAll(/\$([_A-Za-z][_0-9A-Za-z]*)/g)].map((m) => m[1] as string))];
}

function buildCases(stack: Stack): Case[] {
  const corpus = benign.map((entry) => {
    const variables =
      entry.variables === undefined
        ? {}
        : (fillVariables(JSON.parse(entry.variables), stack.emulator) as Record<string, unknown>);
    return { entry, tokens: tokenize(entry.query), variables };
  });
  const pick = fc.integer({ min: 0, max: corpus.length - 1 });

  const documentCase = fc
    .tuple(pick, fc.array(edit, { minLength: 1, maxLength: 6 }))
    .map(([i, edits]): Case => {
      const { entry, tokens, variables } = corpus[i] as (typeof corpus)[number];
      return {
        label: `document ${entry.name} ${JSON.stringify(edits).slice(0, 200)}`,
        body: JSON.stringify({ query: applyEdits(tokens, edits), variables }),
      };
    });

  const variablesCase = fc
    .tuple(pick, fc.array(variableValue, { minLength: 1, maxLength: 4 }))
    .map(([i, values]): Case => {
      const { entry, variables } = corpus[i] as (typeof corpus)[number];
      const names = variableNames(entry.query);
      const fields = Object.entries(variables).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
      values.forEach((value, n) => {
        const name = names[n % Math.max(names.length, 1)] ?? `v${n}`;
        fields.push(`${JSON.stringify(name)}:${value}`);
      });
      // Later keys win in JSON.parse: the fuzzed values replace the good ones.
      return {
        label: `variables ${entry.name} ${values.map((v) => v.slice(0, 40)).join(' ')}`,
        body: `{"query":${JSON.stringify(entry.query)},"variables":{${fields.join(',')}}}`,
      };
    });

  const bodyCase = fc
    .tuple(
      pick,
      fc.constantFrom<readonly [string, (query: string) => string]>(
        ['query not a string', () => JSON.stringify({ query: 42 })],
        ['query in a list', (q) => JSON.stringify({ query: [q] })],
        ['variables a list', (q) => JSON.stringify({ query: q, variables: [] })],
        ['variables a string', (q) => JSON.stringify({ query: q, variables: 'x' })],
        ['operationName a number', (q) => JSON.stringify({ query: q, operationName: 7 })],
        ['unknown operationName', (q) => JSON.stringify({ query: q, operationName: 'Nope' })],
        [
          'persisted query v2',
          (q) => JSON.stringify({ query: q, extensions: { persistedQuery: { version: 2 } } }),
        ],
        ['extensions a string', (q) => JSON.stringify({ query: q, extensions: 'x' })],
        ['query null', () => JSON.stringify({ query: null })],
        ['body a string', (q) => JSON.stringify(q)],
        ['body an empty list', () => JSON.stringify([])],
        ['__proto__ variables', (q) => `{"query":${JSON.stringify(q)},"variables":{"__proto__":{"x":1}}}`],
        ['query twice', (q) => `{"query":${JSON.stringify(q)},"query":"{ __typename }"}`],
        ['truncated JSON', (q) => `{"query":${JSON.stringify(q)}`],
        ['byte order mark', (q) => `\uFEFF{"query":${JSON.stringify(q)}}`],
        ['5,000-deep list body', () => deepJsonText(5000, 'array')],
      ),
    )
    .map(([i, [what, make]]): Case => {
      const { entry } = corpus[i] as (typeof corpus)[number];
      return { label: `body ${entry.name} ${what}`, body: make(entry.query) };
    });

  return fc.sample(
    fc.oneof(
      { arbitrary: documentCase, weight: 6 },
      { arbitrary: variablesCase, weight: 3 },
      { arbitrary: bodyCase, weight: 1 },
    ),
    { seed: SEED, numRuns: RUNS },
  );
}

interface Outcome {
  readonly label: string;
  readonly status: number;
  readonly problem: string | undefined;
  readonly internal: boolean;
}

/** Why this answer is not a well-formed GraphQL response, or undefined when it is. */
function malformed(contentType: string | null, text: string): string | undefined {
  if (!/^application\/(graphql-response\+)?json/.test(contentType ?? ''))
    return `content-type ${contentType}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'not an object';
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (!('data' in body) && errors === undefined) return 'neither data nor errors';
  if (data !== undefined && data !== null && typeof data !== 'object') return 'data is not an object';
  if (errors !== undefined) {
    if (!Array.isArray(errors) || errors.length === 0) return 'errors is not a non-empty list';
    for (const error of errors as { message?: unknown }[]) {
      if (typeof error?.message !== 'string') return 'an error without a message';
    }
  }
  return undefined;
}

describe('fuzzing the gateway with mutations of the benign corpus', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  test(`${RUNS} fuzzed requests: 0 5xx, every answer GraphQL JSON, 0 INTERNAL_SERVER_ERROR`, async () => {
    const cases = buildCases(stack);
    const outcomes: Outcome[] = [];
    const startedAt = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const { label, body } = cases[next++] as Case;
        const res = await fetch(stack.gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
          body,
        });
        const text = await res.text();
        outcomes.push({
          label,
          status: res.status,
          problem: malformed(res.headers.get('content-type'), text),
          internal: text.includes('INTERNAL_SERVER_ERROR'),
        });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const serverErrors = outcomes.filter((o) => o.status >= 500);
    const internal = outcomes.filter((o) => o.internal);
    const bad = outcomes.filter((o) => o.problem !== undefined);
    const accepted = outcomes.filter((o) => o.status === 200).length;
    report(
      'fuzz',
      `${outcomes.length} documents (seed ${SEED}, ${accepted} answered 200), ${serverErrors.length} 5xx, ` +
        `${internal.length} INTERNAL_SERVER_ERROR, ${bad.length} malformed, ${Math.round(performance.now() - startedAt)} ms`,
    );
    const failures = [...serverErrors, ...internal, ...bad].slice(0, 10);
    expect(failures.map((o) => `${o.status} ${o.problem ?? ''} ${o.label}`)).toEqual([]);
    expect(outcomes).toHaveLength(RUNS);
  });
});
