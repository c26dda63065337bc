/**
 * Operation limits: what a single GraphQL document may ask for, checked after parsing and during
 * validation, so a hostile document costs the gateway a parse and a walk of its AST and never a
 * resolver call or an upstream request. The limits are graphql-armor's (`ApolloArmor`); this
 * module only chooses their values and how their rejections reach clients.
 *
 * Clients see a rejection as a top-level error with `extensions.code` GRAPHQL_VALIDATION_FAILED
 * (depth, aliases, directives, cost: Apollo wraps every validation error in that code) or
 * GRAPHQL_PARSE_FAILED (token count, enforced by graphql-js's parser through `parseOptions`), HTTP 400, and a message that
 * names the limit that was hit: limits are not secret, and a client needs to know what to change.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import { REFERRAL_INPUT_LIMITS } from '../domain/referral/inputLimits.ts';
import { DEFAULT_PAGE_SIZE } from '../graphql/referralResolvers.ts';
import { createCostPricer } from './queryCost.ts';
import { requestGuard } from './requestGuards.ts';

export interface OperationLimits {
  /** Deepest nesting of an operation; each fragment level counts; `__schema` is exempt. */
  readonly maxDepth: number;
  /** Aliased fields per operation (`__typename` aliases are free). */
  readonly maxAliases: number;
  /** Lexical tokens per document (names, punctuation, values); bounds parse and validate work. */
  readonly maxTokens: number;
  /** Directive uses per operation, fragments expanded. */
  readonly maxDirectives: number;
  /**
   * graphql-armor cost points per operation: a leaf costs 1, an object 2 plus 1.5 × its
   * children, and a field's subtree is multiplied by a literal `first:` argument (a variable
   * `first` counts as 1; the resolver caps it at 100; before execution it is priced again with
   * the variables known, and `relatedReferrals` as a page of 20: queryCost.ts). One
   * `referrals(first: 100)` page selecting every field costs 79,000–94,000, depending on
   * fragments and `pageInfo`.
   */
  readonly maxCost: number;
  /**
   * `_entities` representations per request, counted across every `_entities` field (aliases do
   * not multiply it). Each distinct id costs one upstream GET and each representation one copy
   * in the answer.
   */
  readonly maxEntityRepresentations: number;
}

/**
 * Defaults, sized so every operation our clients are known to send passes (the benign corpus in
 * test/security/benign, among them a 100-item page with every field and ten aliased
 * `referral(id:)` lookups) with room to spare, and anything much bigger does not.
 */
export const DEFAULT_OPERATION_LIMITS: OperationLimits = Object.freeze({
  // The deepest real operation (a page → edge → node → customerProfile → team → member →
  // contactPreference → locale) is 9 levels.
  maxDepth: 12,
  // Ten aliased `referral(id:)` lookups are a real client pattern (a list view's detail fetch).
  maxAliases: 15,
  // Priced as a router sends it, not as a browser does: Hive Gateway gives each root field its
  // own renamed copy of every fragment, so ten aliased lookups of every field (deal
  // registrations included) are 411 tokens from the client and 2,436 at this subgraph, and
  // fifteen (the alias limit) 3,651. 5,000 leaves room; validating 8,000 tokens of duplicated
  // fields measured under 50 ms.
  maxTokens: 5000,
  // Real operations use a handful of @include/@skip; 20 leaves room for generated clients.
  maxDirectives: 20,
  // One full 100-item page of every field fits (about 131,300 with deal registrations and the
  // other V3 fields, 93,922 with the documented ones); two pages of the documented fields
  // (about 158,000–188,000) do not.
  maxCost: 140_000,
  // A router resolving one 100-item page of entities sends 100; 500 leaves room for routers that
  // batch several entity fetches into one request.
  maxEntityRepresentations: 500,
});

/**
 * How deep an introspection query may nest. `maxDepth` exempts `__schema` (the standard
 * introspection query Sandbox and codegen send is 21 levels deep, through its `ofType` chain),
 * so this second, looser depth check covers introspection. graphql-js's own
 * MaxIntrospectionDepthRule already refuses `fields { type { fields …` fan-out cycles; this
 * refuses the remaining linear `ofType { ofType { …` chains past what any real tool sends.
 */
export const MAX_INTROSPECTION_DEPTH = 24;

export interface SecurityRulesOptions {
  readonly limits: OperationLimits;
  /** Partner API calls one request may make (requestBudgets.ts). */
  readonly maxUpstreamCalls: number;
  /** Production hides schema details (field suggestions) from error messages. */
  readonly production: boolean;
}

/** What to spread into the ApolloServer config. */
export interface SecurityRules {
  readonly plugins: ApolloServerPlugin[];
  readonly validationRules: ValidationRule[];
  readonly parseOptions: { readonly maxTokens: number };
  readonly hideSchemaDetailsFromClientErrors: boolean;
}

/**
 * A rejection reported as a validation error of the document (Apollo answers it 400 with
 * GRAPHQL_VALIDATION_FAILED) instead of thrown out of `validate()`, which Apollo would treat as
 * an internal failure.
 */
function reportAsValidationError(context: ValidationContext | null, error: GraphQLError): void {
  context?.reportError(error);
}

/**
 * Refuses an operation whose root type the schema lacks (we have no Subscription). graphql-js 16
 * validates such a document and only fails it in `execute()` ("Schema is not configured to
 * execute subscription operation."), i.e. after the request was accepted, as a masked internal
 * error with `data: null`; graphql-js 17 makes this a validation rule.
 */
const KnownRootOperationType: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(
        new GraphQLError(`This server does not support ${node.operation} operations.`, { nodes: node }),
      );
    }
  },
});

/**
 * Armor's cost weights (objectCost 2, scalarCost 1, depthCostFactor 1.5) as they are; only the
 * budget is ours. Introspection is bounded by depth, not cost. Fragments are flattened for cost:
 * a spread adds nothing to the work or the response, and Apollo Client's colocated fragments
 * (or a router's renamed copy of every fragment per field) would otherwise multiply a
 * selection's price by 1.5 per fragment level. (Depth does count fragment levels: nesting them
 * is the cheap way to write a deep document.)
 */
const COST_WEIGHTS = { flattenFragments: true, ignoreIntrospection: true, exposeLimits: true } as const;

export function securityRules(options: SecurityRulesOptions): SecurityRules {
  const { limits, production } = options;
  const armor = new ApolloArmor({
    // Outside production suggestions help developers; in production they would leak the schema.
    // src/errors/format.ts removes them from every message (armor's rule would leave "[Suggestion
    // hidden]?" in validation messages only).
    blockFieldSuggestion: { enabled: false },
    // Counted by graphql-js's parser instead (`parseOptions.maxTokens`): armor's Apollo plugin
    // throws from a `parsingDidStart` hook, which Apollo answers as an internal error (500).
    maxTokens: { enabled: false },
    // Armor's Apollo integration reports these rejections to the validation context (armor sets
    // code BAD_USER_INPUT; Apollo's ValidationError replaces it with GRAPHQL_VALIDATION_FAILED).
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, exposeLimits: true },
    maxAliases: { n: limits.maxAliases, exposeLimits: true },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: true },
    // Literal page sizes are priced here, once per document; sizes from variables and defaults
    // before execution (queryCost.ts).
    costLimit: { maxCost: limits.maxCost, ...COST_WEIGHTS },
  });
  const protection = armor.protect();
  // Armor's typings name @apollo/server's CommonJS declarations, ours its ESM ones: the same
  // plugin shape, two declarations of it (plain objects at run time, nothing imported).
  const armorPlugins = protection.plugins as unknown as ApolloServerPlugin[];
  return {
    // Suggestions in messages are removed when errors are formatted (src/errors/format.ts).
    plugins: [
      ...armorPlugins,
      requestGuard({
        variableBounds: {
          // A router's `_entities` call is the longest list a real request sends.
          maxListItems: Math.max(limits.maxEntityRepresentations, REFERRAL_INPUT_LIMITS.listItems),
          maxObjectKeys: 100,
          maxDepth: 32,
        },
        maxRepresentations: limits.maxEntityRepresentations,
        maxUpstreamCalls: options.maxUpstreamCalls,
        priceWithVariables: createCostPricer({
          maxCost: limits.maxCost,
          defaultPageSize: DEFAULT_PAGE_SIZE,
          // `relatedReferrals` has no `first`: a list call per engagement, priced as a default page.
          pagedFields: new Set(['Query.referrals', 'Referral.relatedReferrals']),
          rule: COST_WEIGHTS,
        }),
      }),
    ],
    validationRules: [
      KnownRootOperationType,
      ...protection.validationRules,
      maxDepthRule({
        n: MAX_INTROSPECTION_DEPTH,
        ignoreIntrospection: false,
        exposeLimits: true,
        propagateOnRejection: false,
        onReject: [reportAsValidationError],
      }),
    ],
    parseOptions: { maxTokens: limits.maxTokens },
    hideSchemaDetailsFromClientErrors: production,
  };
}
