/**
 * What an operation will certainly ask of the Partner API, read from its document with the
 * request's variables known (so `first: $n`, `representations: $r` and `@skip(if: $x)` count as
 * they will run), before any resolver runs. Used to refuse a request that is certain to break a
 * budget (requestGuards.ts) instead of finding out call by call.
 *
 * Only certainties are counted: each distinct referral id of `referral(id:)` and `_entities`
 * costs at least one GET (the per-request loader shares one GET per id), each `referrals` field
 * at least one list call. Mutations may be refused on their input before any call, so they add
 * no certain call; they do need credentials. `Referral.relatedReferrals` adds none either: its
 * list call depends on the referrals found (none without an engagement, one per engagement
 * however many referrals share it), so it is priced by cost instead (queryCost.ts) and counted by
 * the call budget as it runs. Creates are the exception among mutations: each reserves the calls
 * that settle it (`reservedCalls`), since a POST is sent only with them at hand.
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getDirectiveValues,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';
import { CALLS_PER_CREATE, CALLS_PER_SHARE } from '../domain/referral/createCalls.ts';
import { normalizeId } from '../graphql/referralId.ts';

/** Root fields that never reach the Partner API (introspection, the subgraph's SDL). */
const LOCAL_ROOT_FIELDS: ReadonlySet<string> = new Set(['__typename', '__schema', '__type', '_service']);

export interface OperationDemand {
  /** Some root field needs the Partner API (so it needs the caller's credentials). */
  readonly needsUpstream: boolean;
  /** `referrals` fields: one list call each, at least. */
  readonly listCalls: number;
  /** The ids `referral(id:)` and `_entities` ask for, as sent (see `certainUpstreamCalls`). */
  readonly referralIds: readonly unknown[];
  /** `_entities` representations across every `_entities` field (aliases included). */
  readonly representations: readonly unknown[];
  /**
   * Calls the creates reserve: a create sends its POST only with room left to settle it
   * (domain/referral/createCalls.ts), so a request whose creates cannot all have that room is refused
   * before any of them runs, rather than after one POST.
   */
  readonly reservedCalls: number;
}

/** Mutations that POST, and the calls each reserves. */
const RESERVING_MUTATIONS: ReadonlyMap<string, number> = new Map([
  ['createReferral', CALLS_PER_CREATE],
  ['shareReferralWithMicrosoft', CALLS_PER_SHARE],
]);

/**
 * Partner API calls the operation is certain to make, at least: one per distinct referral id,
 * one per list. Separate from `operationDemand` because it normalizes every id: a request
 * already refused for its number of representations should not pay for that.
 */
export function certainUpstreamCalls(demand: OperationDemand): number {
  const ids = new Set<string>();
  for (const raw of demand.referralIds) {
    const id = normalizeId(raw);
    if (id !== undefined) ids.add(id);
  }
  return ids.size + demand.listCalls + demand.reservedCalls;
}

type Variables = Readonly<Record<string, unknown>>;

/** Is this selection included, given `@skip`/`@include` and the variables? */
function included(node: FieldNode | { directives?: FieldNode['directives'] }, variables: Variables): boolean {
  if (!node.directives || node.directives.length === 0) return true;
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

/** Root fields of an operation, through inline fragments and fragment spreads (each once). */
function* rootFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Variables,
  seen: Set<string>,
): Generator<FieldNode> {
  for (const selection of selectionSet.selections) {
    if (!included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      yield* rootFields(selection.selectionSet, fragments, variables, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) yield* rootFields(fragment.selectionSet, fragments, variables, seen);
    }
  }
}

function argument(field: FieldNode, name: string, variables: Variables): unknown {
  const node = field.arguments?.find((a) => a.name.value === name);
  return node === undefined ? undefined : valueFromASTUntyped(node.value, variables);
}

/**
 * The variables as execution will see them: a variable the request leaves out takes its
 * definition's default (`query($first: Int = 5)`), which the raw request does not carry.
 */
export function effectiveVariables(
  operation: OperationDefinitionNode,
  variables: Variables,
): Readonly<Record<string, unknown>> {
  const defaults = (operation.variableDefinitions ?? []).filter(
    (definition) =>
      definition.defaultValue !== undefined && variables[definition.variable.name.value] === undefined,
  );
  if (defaults.length === 0) return variables;
  const effective: Record<string, unknown> = { ...variables };
  for (const definition of defaults) {
    effective[definition.variable.name.value] = valueFromASTUntyped(
      definition.defaultValue as NonNullable<typeof definition.defaultValue>,
    );
  }
  return effective;
}

export function operationDemand(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Variables,
): OperationDemand {
  let needsUpstream = false;
  let listCalls = 0;
  const referralIds: unknown[] = [];
  const representations: unknown[] = [];
  let reservedCalls = 0;
  for (const field of rootFields(operation.selectionSet, fragments, variables, new Set())) {
    const name = field.name.value;
    if (LOCAL_ROOT_FIELDS.has(name)) continue;
    needsUpstream = true;
    if (operation.operation === 'mutation') reservedCalls += RESERVING_MUTATIONS.get(name) ?? 0;
    if (operation.operation !== 'query') continue;
    if (name === 'referrals') listCalls += 1;
    else if (name === 'referral') referralIds.push(argument(field, 'id', variables));
    else if (name === '_entities') {
      const value = argument(field, 'representations', variables);
      // A single value coerces to a one-item list; null and missing are coercion's to refuse.
      const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
      for (const item of items) {
        representations.push(item);
        if ((item as { __typename?: unknown } | null)?.__typename === 'Referral')
          referralIds.push((item as { id?: unknown }).id);
      }
    }
  }
  return { needsUpstream, listCalls, referralIds, representations, reservedCalls };
}
