/**
 * Checks of a request that validation cannot make (it does not see variables), run after the
 * operation is resolved and before execution, so malformed or over-budget input is refused with
 * a stable code instead of failing, or costing Partner API calls, inside a resolver.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLSchema,
  isObjectType,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import { noCredentials, refusedInput, upstreamBudgetExceeded } from '../errors/create.ts';
import { isBearerAuthorization } from '../upstream/bearer.ts';
import { certainUpstreamCalls, effectiveVariables, operationDemand } from './operationDemand.ts';
import { type VariableBounds, variableShapeProblem } from './variableBounds.ts';

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
  return refusedInput(
    'Each `_entities` representation must be an object with the `__typename` of an entity type and its key fields.',
  );
}

export interface RequestGuardOptions {
  /** The raw variables' shape, checked before anything else reads them. */
  readonly variableBounds: VariableBounds;
  /** `_entities` representations per request, across every `_entities` field. */
  readonly maxRepresentations: number;
  /** Partner API calls per request (requestBudgets.ts). */
  readonly maxUpstreamCalls: number;
  /** Prices an operation with its variables; `undefined` when it is within the cost limit. */
  readonly priceWithVariables: (request: PricingRequest) => GraphQLError | undefined;
}

export interface PricingRequest {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly variables: Readonly<Record<string, unknown>>;
}

/**
 * Refuses, before execution, a request that cannot run within its budgets once its variables
 * are known (validation never sees variables, and routers turn literals into variables):
 *
 * - variables whose shape is past any real input (variableBounds.ts), before coercion reads them;
 * - `_entities(representations:)` is typed `[_Any!]!`: any JSON passes coercion, and
 *   @apollo/subgraph fails inside execution on a representation that is not an object, names no
 *   entity type, or lacks its key; and their number is capped across every `_entities` field, so
 *   aliases do not multiply it;
 * - a request certain to need more Partner API calls than its budget (operationDemand.ts);
 * - a request that needs the Partner API but carries no bearer token: 401, no call (bearer.ts);
 * - a request over the cost limit once `first: $n` is priced at `n` (queryCost.ts).
 */
export function requestGuard(options: RequestGuardOptions): ApolloServerPlugin {
  let keysFor: { schema: GraphQLSchema; keys: ReadonlyMap<string, readonly string[]> } | undefined;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          // No operation (e.g. an unknown operationName): execution refuses it without resolvers.
          if (!operation) return;
          if (keysFor?.schema !== schema) keysFor = { schema, keys: entityKeys(schema) };
          const shapeProblem = variableShapeProblem(request.variables, options.variableBounds);
          if (shapeProblem) {
            throw refusedInput(shapeProblem);
          }
          const variables = effectiveVariables(operation, request.variables ?? {});
          const demand = operationDemand(operation, fragmentsOf(document), variables);

          if (demand.representations.length > options.maxRepresentations) {
            throw refusedInput(
              `At most ${options.maxRepresentations} \`_entities\` representations are accepted per request.`,
            );
          }
          for (const item of demand.representations) checkRepresentation(item, schema, keysFor.keys);

          if (demand.needsUpstream && !isBearerAuthorization(request.http?.headers.get('authorization'))) {
            // httpHandler.ts adds the `WWW-Authenticate` header every 401 needs.
            throw noCredentials();
          }

          const certainCalls = certainUpstreamCalls(demand);
          if (certainCalls > options.maxUpstreamCalls) {
            throw upstreamBudgetExceeded(certainCalls, options.maxUpstreamCalls);
          }

          const overCost = options.priceWithVariables({ schema, document, operation, variables });
          if (overCost) throw overCost;
        },
      };
    },
  };
}

/** A document's fragments by name, once per document: Apollo hands the same parsed document to every request of one query. */
const fragmentsByDocument = new WeakMap<DocumentNode, ReadonlyMap<string, FragmentDefinitionNode>>();

function fragmentsOf(document: DocumentNode): ReadonlyMap<string, FragmentDefinitionNode> {
  let fragments = fragmentsByDocument.get(document);
  if (fragments === undefined) {
    const byName = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) byName.set(definition.name.value, definition);
    }
    fragments = byName;
    fragmentsByDocument.set(document, fragments);
  }
  return fragments;
}

function checkRepresentation(
  item: unknown,
  schema: GraphQLSchema,
  keys: ReadonlyMap<string, readonly string[]>,
): void {
  if (item === null || item === undefined) return;
  if (typeof item !== 'object' || Array.isArray(item)) throw badRepresentation();
  const representation = item as Record<string, unknown>;
  const typename = representation.__typename;
  const key = typeof typename === 'string' ? keys.get(typename) : undefined;
  if (!key || !isObjectType(schema.getType(typename as string))) throw badRepresentation();
  for (const name of key) {
    const part = representation[name];
    if (typeof part !== 'string' && typeof part !== 'number') throw badRepresentation();
  }
}
