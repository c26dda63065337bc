/** The pure rules behind the per-request budgets: what a request may cost, checked in isolation. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { type FragmentDefinitionNode, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { checkInputLimits, REFERRAL_INPUT_LIMITS } from '../../src/domain/referral/inputLimits.ts';
import { capFieldErrors, type FieldError } from '../../src/domain/referral/validation.ts';
import { normalizeId } from '../../src/graphql/referralId.ts';
import {
  certainUpstreamCalls,
  effectiveVariables,
  operationDemand,
} from '../../src/server/operationDemand.ts';
import { boundedStringify, jsonLengthWithin } from '../../src/server/responseLimits.ts';
import { variableShapeProblem } from '../../src/server/variableBounds.ts';
import { isBearerAuthorization } from '../../src/upstream/bearer.ts';
import { UpstreamCallBudget } from '../../src/upstream/callBudget.ts';

describe('the upstream call budget', () => {
  test('gives exactly `limit` calls, then refuses and remembers it refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 400 }), (limit, asks) => {
        const budget = new UpstreamCallBudget(limit);
        const granted = Array.from({ length: asks }, () => budget.tryTake()).filter(Boolean).length;
        expect(granted).toBe(Math.min(limit, asks));
        expect(budget.used).toBe(granted);
        expect(budget.exhausted).toBe(asks > limit);
      }),
    );
  });
});

describe('bearer credentials', () => {
  test.each([
    'Bearer eyJhbGciOi.eyJzdWIiOi.sig-_~+/==',
    'bearer abc',
    'BEARER   abc',
    'Bearer user:sam@example.com',
  ])('%p is worth sending', (value) => expect(isBearerAuthorization(value)).toBe(true));
  test.each([
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'Bearer a b',
    'Bearer a\u0000b',
    `Bearer ${'a'.repeat(9000)}`,
  ])('%p is not', (value) => expect(isBearerAuthorization(value)).toBe(false));
});

describe('ids', () => {
  test('numbers and strings of the same id are one key; anything else is no id', () => {
    expect(normalizeId(12345)).toBe('12345');
    expect(normalizeId('12345')).toBe('12345');
    for (const bad of [1.5, Number.NaN, null, {}, [], '', '../x', 'a/b', 'x'.repeat(129)]) {
      expect(normalizeId(bad)).toBeUndefined();
    }
  });
});

function operation(source: string): {
  operation: OperationDefinitionNode;
  fragments: Map<string, FragmentDefinitionNode>;
} {
  const document = parse(source);
  const fragments = new Map<string, FragmentDefinitionNode>();
  let found: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) found = definition;
  }
  return { operation: found as OperationDefinitionNode, fragments };
}

describe('what an operation certainly asks of the Partner API', () => {
  const demand = (source: string, variables: Record<string, unknown> = {}) => {
    const { operation: op, fragments } = operation(source);
    return operationDemand(op, fragments, effectiveVariables(op, variables));
  };

  test('distinct ids across referral(id:) and every _entities field, aliases and fragments included', () => {
    const result = demand(
      `query ($r: [_Any!]!, $id: ID!) {
        a: referral(id: "1") { id } b: referral(id: $id) { id } ...more
        _entities(representations: $r) { __typename } e: _entities(representations: $r) { __typename }
      }
      fragment more on Query { c: referral(id: 2) { id } referrals { edges { cursor } } }`,
      {
        id: '1',
        r: [
          { __typename: 'Referral', id: 2 },
          { __typename: 'Referral', id: '3' },
        ],
      },
    );
    expect(result.needsUpstream).toBe(true);
    // ids 1, 2, 3 and one list call; four representations across both _entities fields.
    expect(certainUpstreamCalls(result)).toBe(4);
    expect(result.representations).toHaveLength(4);
  });

  test('introspection, _service and skipped fields need nothing', () => {
    const local = demand('{ __typename _service { sdl } __type(name: "Referral") { name } }');
    expect(local.needsUpstream).toBe(false);
    expect(certainUpstreamCalls(local)).toBe(0);
    expect(
      demand('query ($x: Boolean = true) { referral(id: "1") @skip(if: $x) { id } }').needsUpstream,
    ).toBe(false);
    expect(
      demand('query ($x: Boolean) { referral(id: "1") @include(if: $x) { id } }', { x: false }).needsUpstream,
    ).toBe(false);
  });

  test('a mutation needs credentials but is certain of no call (its input may be refused first)', () => {
    const mutation = demand('mutation { updateReferral(id: "1", etag: "e", input: {}) { __typename } }');
    expect(mutation.needsUpstream).toBe(true);
    expect(certainUpstreamCalls(mutation)).toBe(0);
  });

  test('variable defaults count as execution will see them', () => {
    const { operation: op } = operation('query ($n: Int = 5, $m: Int = 7) { __typename }');
    expect(effectiveVariables(op, { m: 1 })).toEqual({ n: 5, m: 1 });
  });
});

describe('input size bounds', () => {
  test('a string is refused exactly past its field’s bound, wherever it sits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('notes', 'email', 'name', 'city', 'somethingElse'),
        fc.integer({ min: -3, max: 3 }),
        (field, delta) => {
          const max = REFERRAL_INPUT_LIMITS.stringByField[field] ?? REFERRAL_INPUT_LIMITS.defaultString;
          const value = 'x'.repeat(max + delta);
          const errors = checkInputLimits({ details: { [field]: value }, team: [{ [field]: value }] });
          expect(errors.length).toBe(delta > 0 ? 2 : 0);
          if (delta > 0) {
            expect(errors.map((e) => e.path)).toEqual([
              ['details', field],
              ['team', '0', field],
            ]);
            expect(errors.every((e) => e.code === 'TOO_LONG')).toBe(true);
          }
        },
      ),
    );
  });

  test('a list past its bound is one error, and its items are not looked at', () => {
    const team = Array.from({ length: 70_000 }, () => ({ email: 'x'.repeat(1000) }));
    expect(checkInputLimits({ team })).toEqual([
      { path: ['team'], code: 'TOO_MANY_ITEMS', message: 'must have at most 100 items' },
    ]);
  });

  test('field errors: the first 50 listed, the rest counted', () => {
    const errors: FieldError[] = Array.from({ length: 120 }, (_, i) => ({
      path: [String(i)],
      message: 'm',
      code: 'INVALID',
    }));
    const { listed, omitted } = capFieldErrors(errors);
    expect(listed).toEqual(errors.slice(0, 50));
    expect(omitted).toBe(70);
    expect(capFieldErrors(errors.slice(0, 3))).toEqual({ listed: errors.slice(0, 3), omitted: 0 });
  });
});

describe('answer size', () => {
  // JSON without strings that need escaping: what the count is exact for (up to one comma per object).
  const plain = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '1') }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.dictionary(fc.string({ unit: fc.constantFrom('k', 'e', 'y'), minLength: 1 }), tie('value'), {
        maxKeys: 5,
      }),
    ),
  })).value;

  test('counts the JSON length, never less than it is', () => {
    fc.assert(
      fc.property(plain, (value) => {
        const json = JSON.stringify(value);
        const counted = jsonLengthWithin(value, Number.POSITIVE_INFINITY);
        expect(counted).toBeGreaterThanOrEqual(json.length);
        expect(counted).toBeLessThanOrEqual(json.length + (json.match(/[[{]/g)?.length ?? 0));
      }),
    );
  });

  test('stops as soon as the limit is passed', () => {
    const huge = Array.from({ length: 1000 }, () => ({ notes: 'n'.repeat(1000) }));
    expect(jsonLengthWithin(huge, 10_000)).toBe(-1);
    // '{"a":"b"}' is 9 characters; counted from above as 10.
    expect(jsonLengthWithin({ a: 'b' }, 10)).toBe(10);
    expect(jsonLengthWithin({ a: 'b' }, 9)).toBe(-1);
  });

  test('the serialized bytes are checked too: escapes and multi-byte characters count', () => {
    const stringify = boundedStringify(1000);
    const refusal = JSON.parse(stringify({ data: { s: '\u0001'.repeat(300) } }));
    expect(refusal.errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');
    expect(JSON.parse(stringify({ data: { s: 'é'.repeat(600) } })).errors[0].extensions.code).toBe(
      'RESPONSE_TOO_LARGE',
    );
    expect(stringify({ data: { s: 'é'.repeat(400) } })).toBe(
      JSON.stringify({ data: { s: 'é'.repeat(400) } }),
    );
  });
});

describe('variable shapes', () => {
  const bounds = { maxListItems: 500, maxObjectKeys: 100, maxDepth: 32 };

  test('real inputs pass: 500 representations, a full update input', () => {
    const representations = Array.from({ length: 500 }, (_, i) => ({
      __typename: 'Referral',
      id: String(i),
    }));
    expect(variableShapeProblem({ r: representations }, bounds)).toBeUndefined();
    expect(
      variableShapeProblem(
        {
          input: {
            details: { requirements: { solutions: [{ id: 'a', name: 'b' }] } },
            team: [{ email: 'a@b.c' }],
          },
        },
        bounds,
      ),
    ).toBeUndefined();
    expect(variableShapeProblem(undefined, bounds)).toBeUndefined();
  });

  test('the first bound broken is named, however deep it sits', () => {
    expect(variableShapeProblem({ a: { b: [Array.from({ length: 501 }, () => 1)] } }, bounds)).toBe(
      'A list in the variables may have at most 500 items.',
    );
    expect(
      variableShapeProblem(
        { a: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) },
        bounds,
      ),
    ).toBe('An object in the variables may have at most 100 fields.');
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i += 1) deep = { a: deep };
    expect(variableShapeProblem(deep, bounds)).toBe('Variables may nest at most 32 levels.');
  });
});
