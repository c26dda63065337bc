/**
 * The cost limit, priced as the operation will run. graphql-armor's cost rule runs at validation,
 * where variables are unknown: it prices `first: $n` as 1 and a `referrals` without `first` as 1,
 * although the page will hold `n` items, or the default 20. Routers make this the common case:
 * Hive Gateway turns every literal argument into a variable (`first: 100` → `first: $_v0_first`).
 *
 * So when an operation's page sizes depend on variables or defaults, it is priced again before
 * execution by the same rule, on a copy of the operation with those sizes written in. The price
 * is kept per document and page sizes, so a repeated request costs a map lookup.
 *
 * The same holds for a list without `first`: `Referral.relatedReferrals` is read from the Partner
 * API (one list call per engagement, up to 500 referrals) under every referral of a page, and
 * armor prices it as one item. It is priced as a default page, as a `referrals` without `first`
 * is. Paged fields are known by type and name (`Referral.relatedReferrals`, not the link
 * `ReferralLinks.relatedReferrals`).
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  type ArgumentNode,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { overLimit } from '../errors/create.ts';
import type { PricingRequest } from './requestGuards.ts';

/** Arguments whose value multiplies the price of the selection below them (armor's rule). */
const SIZE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'last']);

export interface CostOptions {
  readonly maxCost: number;
  /** Size of a `referrals` page when `first` is absent or null (the resolver's default). */
  readonly defaultPageSize: number;
  /**
   * List fields, as schema coordinates (`Query.referrals`), whose absent `first` means
   * `defaultPageSize` items: connections with a default page size, and lists read from the
   * Partner API that have no `first` at all (`Referral.relatedReferrals`).
   */
  readonly pagedFields: ReadonlySet<string>;
  /** armor's options besides the limit (weights, fragment flattening), as securityRules.ts sets them. */
  readonly rule: Omit<Parameters<typeof costLimitRule>[0] & object, 'maxCost'>;
}

interface SizeDependence {
  /** Variables that feed a size argument. */
  readonly variables: readonly string[];
  /** Some paged field has no `first`, so its default size applies. */
  readonly usesDefault: boolean;
}

const NONE: SizeDependence = { variables: [], usesDefault: false };

export function createCostPricer(
  options: CostOptions,
): (request: PricingRequest) => GraphQLError | undefined {
  const dependence = new WeakMap<OperationDefinitionNode, SizeDependence>();
  const prices = new WeakMap<OperationDefinitionNode, Map<string, GraphQLError | null>>();

  function dependenceOf(request: PricingRequest): SizeDependence {
    let found = dependence.get(request.operation);
    if (found === undefined) {
      found = sizeDependence(request.schema, request.document, request.operation, options.pagedFields);
      dependence.set(request.operation, found);
    }
    return found;
  }

  return (request) => {
    const depends = dependenceOf(request);
    if (depends === NONE) return undefined;
    const sizes = depends.variables.map((name) => pageSize(request.variables[name], options.defaultPageSize));
    const key = sizes.join(',');
    let known = prices.get(request.operation);
    if (known === undefined) {
      known = new Map();
      prices.set(request.operation, known);
    }
    let price = known.get(key);
    if (price === undefined) {
      price = priceOf(request, options) ?? null;
      // Bounded: a client cycling page sizes cannot grow it past a few entries per document.
      if (known.size >= 32) known.clear();
      known.set(key, price);
    }
    return price ?? undefined;
  };
}

/** A variable's page size as the resolver will read it: an integer, or the default when unset. */
function pageSize(value: unknown, defaultPageSize: number): string {
  if (value === undefined || value === null) return String(defaultPageSize);
  return typeof value === 'number' && Number.isInteger(value) ? String(value) : 'x';
}

/**
 * Visits `node` with `visitor`, telling each field its schema coordinate (`Type.field`), so a
 * paged field is known by its type and not only its name (`ReferralLinks.relatedReferrals` is
 * a link, not a list).
 */
function visitFields<T extends ASTNode>(
  schema: GraphQLSchema,
  node: T,
  onField: (field: FieldNode, coordinate: string) => FieldNode | undefined,
): T {
  const typeInfo = new TypeInfo(schema);
  const visitor: ASTVisitor = {
    Field(field) {
      return onField(field, `${typeInfo.getParentType()?.name ?? ''}.${field.name.value}`);
    },
  };
  return visit(node, visitWithTypeInfo(typeInfo, visitor));
}

function sizeDependence(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  pagedFields: ReadonlySet<string>,
): SizeDependence {
  const variables = new Set<string>();
  let usesDefault = false;
  const scan = (field: FieldNode, coordinate: string) => {
    const size = field.arguments?.find((argument) => SIZE_ARGUMENTS.has(argument.name.value));
    if (size?.value.kind === Kind.VARIABLE) variables.add(size.value.name.value);
    if (pagedFields.has(coordinate) && !size) usesDefault = true;
    return undefined;
  };
  visitFields(schema, operation, scan);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) visitFields(schema, definition, scan);
  }
  return variables.size === 0 && !usesDefault ? NONE : { variables: [...variables], usesDefault };
}

/** Prices the operation with every page size written in; the rejection, if over the limit. */
function priceOf(request: PricingRequest, options: CostOptions): GraphQLError | undefined {
  const { variables } = request;
  const sized = (size: ArgumentNode | undefined): ArgumentNode | undefined => {
    if (size?.value.kind !== Kind.VARIABLE) return size;
    const value = variables[size.value.name.value];
    const n = value === undefined || value === null ? options.defaultPageSize : value;
    // A non-integer fails variable coercion before execution; price it as armor would (1).
    if (typeof n !== 'number' || !Number.isInteger(n)) return size;
    return { ...size, value: { kind: Kind.INT, value: String(n) } };
  };
  const writeSizes = (field: FieldNode, coordinate: string): FieldNode | undefined => {
    const args = field.arguments ?? [];
    const size = args.find((argument) => SIZE_ARGUMENTS.has(argument.name.value));
    if (size) {
      if (size.value.kind !== Kind.VARIABLE) return undefined;
      return {
        ...field,
        arguments: args.map((argument) => (argument === size ? (sized(argument) ?? argument) : argument)),
      };
    }
    if (!options.pagedFields.has(coordinate)) return undefined;
    // Priced only: this copy is validated by the cost rule alone, which reads `first` on any field.
    const first: ArgumentNode = {
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: 'first' },
      value: { kind: Kind.INT, value: String(options.defaultPageSize) },
    };
    return { ...field, arguments: [...args, first] };
  };
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      visitFields(request.schema, request.operation, writeSizes),
      ...request.document.definitions
        .filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION)
        .map((definition) => visitFields(request.schema, definition, writeSizes)),
    ],
  };
  let rejection: GraphQLError | undefined;
  validate(request.schema, document, [
    costLimitRule({
      ...options.rule,
      maxCost: options.maxCost,
      propagateOnRejection: false,
      onReject: [
        (_context, error) => {
          rejection = error;
        },
      ],
    }),
  ]);
  if (!rejection) return undefined;
  // Said as a validation refusal (what the same document with literals gets), without armor's
  // "Syntax Error: " prefix, which it is not.
  return overLimit(
    `${rejection.message.replace(/^Syntax Error: /, '')} Page sizes from variables and defaults count (\`relatedReferrals\` as a page of ${options.defaultPageSize}).`,
  );
}
