/**
 * Resolvers of the Referral read side. Thin by design: arguments in, one loader or API call,
 * data out. Object types resolve from the Partner API's JSON (see codegen.yml mappers), referrals
 * as presented by wirePresentation.ts (tolerant fields answered, copy on write); only fields
 * computed from others have resolvers here.
 */

import { badUserInput } from '../errors/create.ts';
import {
  buildFilter,
  buildOrderBy,
  type ReferralListCondition,
  type ReferralListOrder,
} from '../upstream/odataQuery.ts';
import { MAX_PAGE_SIZE, type ReferralPage } from '../upstream/referralsApi.ts';
import type {
  InputMaybe,
  OrderDirection,
  ReferralFilter,
  ReferralOrder,
  ReferralOrderField,
  Resolvers,
} from './__generated__/resolvers-types.ts';
import { filterKey, toConnection } from './connection.ts';
import type { GatewayContext } from './context.ts';
import { checkId } from './referralId.ts';
import { resolveRelatedReferrals } from './relatedReferrals.ts';
import { resolveUpdateReferral } from './updateReferralResult.ts';

export const DEFAULT_PAGE_SIZE = 20;

/** Longer filter values match nothing real (ids are GUIDs, e-mail addresses ≤ 254) and would only go upstream. */
const MAX_FILTER_VALUE_LENGTH = 256;

function conditions(filter: InputMaybe<ReferralFilter> | undefined): ReferralListCondition[] {
  if (!filter) return [];
  for (const [name, value] of Object.entries(filter)) {
    if (typeof value === 'string' && value.length > MAX_FILTER_VALUE_LENGTH) {
      throw badUserInput(`\`filter.${name}\` is longer than ${MAX_FILTER_VALUE_LENGTH} characters.`);
    }
  }
  const out: ReferralListCondition[] = [];
  const equals = (path: string, value: InputMaybe<string> | undefined) => {
    if (value !== null && value !== undefined) out.push({ kind: 'equals', path, value });
  };
  equals('status', filter.status);
  equals('substatus', filter.substatus);
  equals('engagementId', filter.engagementId);
  equals('type', filter.type);
  equals('qualification', filter.qualification);
  if (filter.teamMemberEmail != null) out.push({ kind: 'teamMemberEmail', value: filter.teamMemberEmail });
  return out;
}

const ORDER_FIELDS = {
  CREATED_DATE_TIME: 'createdDateTime',
  UPDATED_DATE_TIME: 'updatedDateTime',
} as const satisfies Record<ReferralOrderField, ReferralListOrder['field']>;
const ORDER_DIRECTIONS = { ASC: 'asc', DESC: 'desc' } as const satisfies Record<
  OrderDirection,
  ReferralListOrder['direction']
>;

/** `$orderby` for `orderBy` (docs/partner-api.md §3.1); none without it, so the default order stays the Partner API's. */
function orderBy(order: InputMaybe<ReferralOrder> | undefined): string | undefined {
  if (!order) return undefined;
  return buildOrderBy({ field: ORDER_FIELDS[order.field], direction: ORDER_DIRECTIONS[order.direction] });
}

async function readPage(
  ctx: GatewayContext,
  after: string | null | undefined,
  query: { filter: string | undefined; orderBy: string | undefined },
  top: number,
): Promise<{ page: ReferralPage; skip: number }> {
  if (after === null || after === undefined) {
    return { page: await ctx.api.listReferrals({ ...query, top }, ctx.call), skip: 0 };
  }
  const position = ctx.cursors.decode(after);
  if (position === null || !ctx.api.isPageRef(position.p))
    throw badUserInput('`after` is not a referrals cursor.');
  if (position.f !== filterKey(query.filter, query.orderBy))
    throw badUserInput('`after` was issued for a different `filter` or `orderBy`.');
  let page = await ctx.api.getReferralPage(position.p, ctx.call);
  let skip = position.s;
  // A position past the end of a page that has a successor continues there.
  while (skip >= page.items.length && page.nextPageRef !== null) {
    page = await ctx.api.getReferralPage(page.nextPageRef, ctx.call);
    skip = 0;
  }
  return { page, skip };
}

export const referralResolvers: Resolvers = {
  Query: {
    referral: async (_parent, { id }, ctx) =>
      ctx.response.referral(await ctx.loaders.referral.load(checkId(id))),

    async referrals(_parent, args, ctx) {
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
        throw badUserInput(`\`first\` must be between 1 and ${MAX_PAGE_SIZE}.`);
      }
      const query = { filter: buildFilter(conditions(args.filter)), orderBy: orderBy(args.orderBy) };
      const { page, skip } = await readPage(ctx, args.after, query, first);
      const connection = toConnection(page, skip, first, filterKey(query.filter, query.orderBy));
      return {
        ...connection,
        edges: connection.edges.map((edge) => ({ ...edge, node: ctx.response.referral(edge.node) })),
      };
    },
  },

  Mutation: {
    updateReferral: (_parent, { id, input, etag }, ctx) =>
      resolveUpdateReferral(ctx, checkId(id), input, etag),
  },

  UpdateReferralResult: {
    __resolveType: (result) => result.__typename,
  },

  ReferralError: {
    __resolveType: (error) => error.__typename,
  },

  Referral: {
    // Entities from the supergraph resolve through the same per-request loader, with the same
    // forwarded Authorization, as referral(id): N representations of one id cost one GET.
    __resolveReference: async (reference, ctx) =>
      ctx.response.referral(await ctx.loaders.referral.load(checkId(reference.id))),
    etag: (referral) => referral.eTag,
    relatedReferrals: (referral, _args, ctx) => resolveRelatedReferrals(referral, ctx),
  },

  // Cursors are signed only when selected: an HMAC per edge is work most list views never use.
  ReferralEdge: {
    cursor: (edge, _args, ctx) => ctx.cursors.encode(edge.position),
  },

  PageInfo: {
    startCursor: (info, _args, ctx) => (info.startPosition ? ctx.cursors.encode(info.startPosition) : null),
    endCursor: (info, _args, ctx) => (info.endPosition ? ctx.cursors.encode(info.endPosition) : null),
  },
};
