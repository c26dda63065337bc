/**
 * Checks of a request's inputs that validation cannot make (it does not see variables), run after
 * the operation is resolved and before execution, so malformed input is a 400 with a stable code
 * instead of a failure inside a resolver (INTERNAL_SERVER_ERROR).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  isObjectType,
  isUnionType,
  Kind,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';

/** Root fields of an operation, through inline fragments and fragment spreads (each once). */
function* rootFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen: Set<string>,
): Generator<FieldNode> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      yield* rootFields(selection.selectionSet, fragments, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) yield* rootFields(fragment.selectionSet, fragments, seen);
    }
  }
}

/** Entity type name → its `@key` fields (simple field lists, as schema/ declares them). */
function entityKeys(schema: GraphQLSchema): ReadonlyMap<string, readonly string[]> {
  const keys = new Map<string, readonly string[]>();
  const union = schema.getType('_Entity');
  if (!isUnionType(union)) return keys;
  for (const type of union.getTypes()) {
    const key = type.astNode?.directives?.find((d) => d.name.value === 'key');
    const fields = key?.arguments?.find((a) => a.name.value === 'fields')?.value;
    keys.set(type.name, fields?.kind === Kind.STRING ? fields.value.split(/\s+/).filter(Boolean) : ['id']);
  }
  return keys;
}

function badRepresentation(): GraphQLError {
  return new GraphQLError(
    'Each `_entities` representation must be an object with the `__typename` of an entity type and its key fields.',
    { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
  );
}

/**
 * `_entities(representations:)` is typed `[_Any!]!`: any JSON passes coercion, and
 * @apollo/subgraph fails inside execution on a representation that is not an object, names no
 * entity type, or lacks its key. This refuses such a request before execution.
 */
export function entityRepresentationsGuard(maxRepresentations: number): ApolloServerPlugin {
  let keysFor: { schema: GraphQLSchema; keys: ReadonlyMap<string, readonly string[]> } | undefined;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          // No operation (e.g. an unknown operationName): execution refuses it without resolvers.
          if (!operation) return;
          if (keysFor?.schema !== schema) keysFor = { schema, keys: entityKeys(schema) };
          const { keys } = keysFor;
          const fragments = new Map(
            document.definitions
              .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
              .map((d) => [d.name.value, d]),
          );
          for (const field of rootFields(operation.selectionSet, fragments, new Set())) {
            if (field.name.value !== '_entities') continue;
            const argument = field.arguments?.find((a) => a.name.value === 'representations');
            if (!argument) continue;
            const value: unknown = valueFromASTUntyped(argument.value, request.variables ?? {});
            // A single value coerces to a one-item list; null and missing are coercion's to refuse.
            const items = Array.isArray(value) ? value : [value];
            if (items.length > maxRepresentations) {
              throw new GraphQLError(
                `At most ${maxRepresentations} \`_entities\` representations are accepted per request.`,
                {
                  extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
                },
              );
            }
            for (const item of items) {
              if (item === null || item === undefined) continue;
              if (typeof item !== 'object' || Array.isArray(item)) throw badRepresentation();
              const { __typename: typename, ...rest } = item as Record<string, unknown>;
              const key = typeof typename === 'string' ? keys.get(typename) : undefined;
              if (!key || !isObjectType(schema.getType(typename as string))) throw badRepresentation();
              for (const name of key) {
                const part = rest[name];
                if (typeof part !== 'string' && typeof part !== 'number') throw badRepresentation();
              }
            }
          }
        },
      };
    },
  };
}

/**
 * Apollo answers some malformed requests (e.g. an unsupported persisted-query version) with a
 * 4xx and an error that carries no code; it would then be coded INTERNAL_SERVER_ERROR, which
 * tells the client the fault is ours. Such errors get BAD_REQUEST, which is what they are.
 */
export function requestErrorCodePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const extensions = error.extensions as Record<string, unknown>;
            const status = (extensions.http as { status?: number } | undefined)?.status;
            if (extensions.code === undefined && status !== undefined && status >= 400 && status < 500) {
              extensions.code = 'BAD_REQUEST';
            }
          }
        },
      };
    },
  };
}
