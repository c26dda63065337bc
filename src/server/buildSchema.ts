/**
 * The executable schema: SDL from schema/*.graphql (the source of truth) plus the resolvers,
 * built as an Apollo Federation 2 subgraph (`_service`, `_entities`). Built once at start-up,
 * never per request.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import {
  defaultFieldResolver,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isObjectType,
  parse,
} from 'graphql';
import { createWireEnumReader, isWireEnum, type WireEnumReader } from '../graphql/enumValues.ts';
import { resolvers } from '../graphql/resolvers.ts';
import { isPresentedField, presentedTypes } from '../graphql/wirePresentation.ts';

const SCHEMA_DIR = new URL('../../schema/', import.meta.url);

export function readTypeDefs(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(new URL(name, SCHEMA_DIR), 'utf8'));
}

export interface SchemaOptions {
  /** How enum fields read wire values (and report unknown ones); shared with the presentation. */
  readonly readWireEnum?: WireEnumReader;
}

export function buildSchema(options: SchemaOptions = {}): GraphQLSchema {
  const schema = buildSubgraphSchema([
    { typeDefs: parse(readTypeDefs().join('\n')), resolvers: resolvers as GraphQLResolverMap<unknown> },
  ]);
  tolerateUnknownEnumValues(schema, options.readWireEnum ?? createWireEnumReader());
  return schema;
}

/**
 * graphql-js fails a field whose enum value it cannot serialize, and the error nulls the nearest
 * nullable parent: one new upstream value would hide a whole referral. Every field of a
 * wire-mapped enum type outside referrals and deal registrations (whose values are answered before
 * GraphQL reads them, src/graphql/wirePresentation.ts) instead answers the canonical wire value,
 * or `null` for a value the schema does not know yet (docs/partner-api.md §2: the taxonomy changes; README "What the schema
 * promises": an unknown enum value answers null for that field only).
 */
function tolerateUnknownEnumValues(schema: GraphQLSchema, readWireEnum: WireEnumReader) {
  const covered = presentedTypes(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isEnumType(named) || !isWireEnum(named.name) || named !== field.type) continue;
      // Referrals and deal registrations arrive with these answered (wirePresentation.ts).
      if (isPresentedField(schema, covered, type.name, field.name)) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      const enumName = named.name;
      field.resolve = (source, args, context, info) =>
        readWireEnum(enumName, resolve(source, args, context, info));
    }
  }
}
