/**
 * Every leaf path of the Referral in Microsoft's certified connector spec (docs/partner-api.md §1,
 * S6) must be a field path of the served schema's `Referral` (built as the server builds it). The
 * spec is read at test time from the repository's copy in test/fixtures (docs/partner-api.md §1,
 * S6: the connector's swagger at commit f5a58e00, MIT licensed), `$ref`s resolved, array items
 * walked (`registrations[].contract.value`).
 *
 * Two spec properties are not GraphQL fields, each for its stated reason (README "What the schema
 * promises"):
 * `eTag` is served as `etag`, and `@odata.context` is response metadata, not a field of the
 * resource (§0.2).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import {
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isObjectType,
} from 'graphql';
import { buildSchema } from '../../src/server/buildSchema.ts';
import { report } from '../helpers/report.ts';

const SPEC_URL = new URL('../fixtures/partner-center-referrals.swagger.json', import.meta.url);
const REFERRAL_DEFINITION = 'Microsoft.Partner.Service.PartnerReferrals.Contracts.V3.Referral';

/** Spec names served under another name, or not served, and why. */
const RENAMED: Readonly<Record<string, string>> = { eTag: 'etag' };
const NOT_FIELDS: Readonly<Record<string, string>> = {
  '@odata.context': 'response metadata, not a field of the resource (docs/partner-api.md §0.2)',
};

interface SwaggerSchema {
  readonly $ref?: string;
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SwaggerSchema>>;
  readonly items?: SwaggerSchema;
}

interface Swagger {
  readonly definitions: Readonly<Record<string, SwaggerSchema>>;
}

function resolve(spec: Swagger, schema: SwaggerSchema): SwaggerSchema {
  let current = schema;
  for (let hops = 0; current.$ref !== undefined; hops += 1) {
    if (hops > 20) throw new Error(`$ref cycle at ${current.$ref}`);
    const name = decodeURIComponent(current.$ref.replace(/^#\/definitions\//, ''));
    const target = spec.definitions[name];
    if (target === undefined) throw new Error(`unresolved $ref ${current.$ref}`);
    current = target;
  }
  return current;
}

/**
 * Leaf paths of a Swagger schema: an object with properties is walked, an array's items are
 * walked with `[]`, everything else (a scalar, or an object or item the spec leaves open) is a leaf.
 */
function specLeafPaths(spec: Swagger, root: SwaggerSchema): string[] {
  const out: string[] = [];
  const walk = (raw: SwaggerSchema, path: string, depth: number): void => {
    if (depth > 20) throw new Error(`spec nests deeper than 20 levels at ${path}`);
    const schema = resolve(spec, raw);
    if (schema.type === 'array' && schema.items !== undefined) {
      walk(schema.items, `${path}[]`, depth + 1);
      return;
    }
    const isObject = schema.type === undefined || schema.type === 'object';
    if (isObject && schema.properties !== undefined && Object.keys(schema.properties).length > 0) {
      for (const [key, child] of Object.entries(schema.properties)) {
        walk(child, path === '' ? key : `${path}.${key}`, depth + 1);
      }
      return;
    }
    out.push(path);
  };
  walk(root, '', 0);
  return out;
}

/** Leaf paths of a GraphQL object type; a type already on the path (`relatedReferrals`) is not re-entered. */
function schemaLeafPaths(type: GraphQLObjectType): string[] {
  const out: string[] = [];
  const walk = (current: GraphQLObjectType, prefix: string, onPath: ReadonlySet<GraphQLNamedType>): void => {
    for (const field of Object.values(current.getFields())) {
      const named = getNamedType(field.type);
      const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
      if (!isObjectType(named)) out.push(path);
      else if (!onPath.has(named)) walk(named, path, new Set([...onPath, named]));
    }
  };
  walk(type, '', new Set([type]));
  return out;
}

/** Whether `path` (spec form, `[]` for items) names a field path of `type`; the last step may be an object. */
function servedAt(type: GraphQLObjectType, path: string): boolean {
  let current: GraphQLNamedType = type;
  for (const segment of path.replaceAll('[]', '').split('.')) {
    if (!isObjectType(current)) return false;
    const field: GraphQLField<unknown, unknown> | undefined =
      current.getFields()[RENAMED[segment] ?? segment];
    if (field === undefined) return false;
    current = getNamedType(field.type);
  }
  return true;
}

describe('the schema against the connector spec’s Referral', () => {
  const spec = JSON.parse(readFileSync(SPEC_URL, 'utf8')) as Swagger;
  const definition = spec.definitions[REFERRAL_DEFINITION];
  if (definition === undefined) throw new Error(`The spec has no ${REFERRAL_DEFINITION}`);
  const specPaths = specLeafPaths(spec, definition);
  const referral = buildSchema().getType('Referral');
  if (!isObjectType(referral)) throw new Error('the schema has no Referral type');
  const ourPaths = schemaLeafPaths(referral);

  test('serves every leaf path the spec lists (missing ones are listed)', () => {
    const missing = specPaths.filter((path) => !Object.hasOwn(NOT_FIELDS, path) && !servedAt(referral, path));
    expect(missing).toEqual([]);
  });

  test('has at least as many leaf paths as the spec', () => {
    report(
      'connector coverage',
      `spec Referral ${specPaths.length} leaf paths, schema Referral ${ourPaths.length}`,
    );
    expect(ourPaths.length).toBeGreaterThanOrEqual(specPaths.length);
  });

  test('the walk itself finds nested items, open items and resolved $refs', () => {
    const toy: Swagger = {
      definitions: {
        Money: { type: 'object', properties: { value: { type: 'number' } } },
      },
    };
    const root: SwaggerSchema = {
      properties: {
        list: { type: 'array', items: { properties: { price: { $ref: '#/definitions/Money' } } } },
        open: { type: 'array', items: {} },
        bag: { type: 'object' },
      },
    };
    expect(specLeafPaths(toy, root)).toEqual(['list[].price.value', 'open[]', 'bag']);
    expect(
      servedAt(
        referral,
        'registrations[].solutionDetails[].marketplaceTransactionDetails.isMarketplaceTransacted',
      ),
    ).toBe(true);
    expect(servedAt(referral, 'registrations[].contract.nonsense')).toBe(false);
  });
});
