/**
 * The naive resolvers of the GraphQL peers (datasourceRest.ts, graphqlFloor.ts): what most teams
 * would write over the Referrals API, on whatever HTTP client the peer brings. updateReferral is a
 * GET, a shallow merge and a PUT with If-Match (patch mode: a JSON Patch of the input's fields);
 * createReferral one POST of the input; relatedReferrals one `$filter` list per referral, which
 * both peers' clients send once per engagement and request; `_entities` one GET per
 * representation. No validation, limits or masking: the peers measure what GraphQL and its
 * server cost, not what the gateway's safety costs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ENUM_WIRE_VALUES } from '../../src/graphql/enumValues.ts';

export type Wire = Record<string, unknown> & { id: string; eTag: string; engagementId?: string };

/** The Referrals API as a peer's HTTP client offers it. */
export interface ReferralsClient {
  /** `null` for a 404. */
  getReferral(id: string): Promise<Wire | null>;
  listReferrals(top: number): Promise<{ value: Wire[]; '@odata.nextLink'?: string }>;
  listEngagement(engagementId: string): Promise<{ value: Wire[] }>;
  createReferral(body: Record<string, unknown>): Promise<Wire>;
  patchReferral(id: string, input: Record<string, unknown>, etag: string): Promise<Wire>;
  putReferral(id: string, body: Wire, etag: string): Promise<Wire>;
  /** Whether a write failed on its If-Match (HTTP 412). */
  isPreconditionFailed(error: unknown): boolean;
}

export interface NaiveContext {
  readonly api: ReferralsClient;
}

const SALES_STAGES = new Set<unknown>(Object.values(ENUM_WIRE_VALUES.ReferralSalesStage));

/** The JSON Patch a naive patch-mode update sends: one `replace` per input field. */
export function replaceOps(
  input: Record<string, unknown>,
): { op: 'replace'; path: string; value: unknown }[] {
  return Object.entries(input).map(([key, value]) => ({ op: 'replace', path: `/${key}`, value }));
}

/** The engagement filter of `relatedReferrals`, its quotes doubled (OData string literal). */
export function engagementFilter(engagementId: string): string {
  return `engagementId eq '${engagementId.replaceAll("'", "''")}'`;
}

export function naiveResolvers(options: { readonly patchMode: boolean }) {
  return {
    Query: {
      referral: (_: unknown, args: { id: string }, ctx: NaiveContext) => ctx.api.getReferral(args.id),
      referrals: async (_: unknown, args: { first?: number }, ctx: NaiveContext) => {
        const page = await ctx.api.listReferrals(args.first ?? 20);
        const edges = page.value.map((node, i) => ({ cursor: String(i), node }));
        return {
          edges,
          pageInfo: {
            hasNextPage: Boolean(page['@odata.nextLink']),
            hasPreviousPage: false,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    Mutation: {
      updateReferral: async (
        _: unknown,
        args: { id: string; input: Record<string, unknown>; etag: string },
        ctx: NaiveContext,
      ) => {
        const current = await ctx.api.getReferral(args.id);
        if (!current) return { __typename: 'ReferralNotFound', message: 'Not found', id: args.id };
        const stale = () => ({
          __typename: 'ReferralPreconditionFailed',
          message: 'The referral was changed by someone else',
          currentEtag: current.eTag,
          currentReferral: current,
        });
        if (current.eTag !== args.etag) return stale();
        try {
          const referral = options.patchMode
            ? await ctx.api.patchReferral(args.id, args.input, args.etag)
            : await ctx.api.putReferral(args.id, { ...current, ...args.input }, args.etag);
          return { __typename: 'UpdateReferralSuccess', referral };
        } catch (error) {
          if (ctx.api.isPreconditionFailed(error)) return stale();
          throw error;
        }
      },
      createReferral: async (_: unknown, args: { input: Record<string, unknown> }, ctx: NaiveContext) => ({
        __typename: 'CreateReferralSuccess',
        referral: await ctx.api.createReferral(args.input),
      }),
    },
    Referral: {
      __resolveReference: (ref: { id: string }, ctx: NaiveContext) => ctx.api.getReferral(ref.id),
      relatedReferrals: async (r: Wire, _: unknown, ctx: NaiveContext) =>
        r.engagementId
          ? (await ctx.api.listEngagement(r.engagementId)).value.filter((x) => x.id !== r.id)
          : [],
      etag: (r: Wire) => r.eTag,
      // The schema answers `null` for a value it does not know (live payloads carry `"100"`).
      salesStage: (r: Wire) => (SALES_STAGES.has(r.salesStage) ? r.salesStage : null),
    },
    // The enum mapping the gateway uses (wire PascalCase ↔ GraphQL names): any team would write one.
    ...ENUM_WIRE_VALUES,
  };
}

/** The gateway's SDL (schema/*.graphql), every file joined. */
export function gatewayTypeDefs(): string {
  const schemaDir = new URL('../../schema/', import.meta.url);
  return readdirSync(schemaDir)
    .filter((name) => name.endsWith('.graphql'))
    .map((name) => readFileSync(new URL(name, schemaDir), 'utf8'))
    .join('\n');
}
