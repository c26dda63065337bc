/**
 * Contestant (c): what most teams would write. Apollo Server 5 (standalone, defaults) + a
 * RESTDataSource (@apollo/datasource-rest, default fetcher) + buildSubgraphSchema over the same
 * SDL, with naive resolvers. $PORT, $PARTNER_API_URL (…/v1.0), $PARTNER_API_WRITE_MODE (`put`, or
 * `patch`: updateReferral sends a JSON Patch of the input's fields, as the gateway's patch mode does).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { RESTDataSource } from '@apollo/datasource-rest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { parse } from 'graphql';
import { ENUM_WIRE_VALUES } from '../../src/graphql/enumValues.ts';

type Wire = Record<string, unknown> & { id: string; eTag: string; engagementId?: string };
const SALES_STAGES = new Set<unknown>(Object.values(ENUM_WIRE_VALUES.ReferralSalesStage));
const PATCH_MODE = process.env.PARTNER_API_WRITE_MODE === 'patch';

class PartnerApi extends RESTDataSource {
  override baseURL = `${process.env.PARTNER_API_URL ?? 'http://127.0.0.1:4010/v1.0'}/`;
  token: string;
  constructor(token: string) {
    super();
    this.token = token;
  }
  protected override willSendRequest(_path: string, request: { headers: Record<string, string> }): void {
    request.headers.authorization = this.token;
  }
  async getReferral(id: string): Promise<Wire | null> {
    try {
      return await this.get<Wire>(`engagements/referrals/${encodeURIComponent(id)}`);
    } catch (error) {
      if ((error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status === 404)
        return null;
      throw error;
    }
  }
  listReferrals(top: number): Promise<{ value: Wire[]; '@odata.nextLink'?: string }> {
    return this.get('engagements/referrals', { params: { $top: String(top) } });
  }
  listEngagement(engagementId: string): Promise<{ value: Wire[] }> {
    return this.get('engagements/referrals', {
      params: { $filter: `engagementId eq '${engagementId.replaceAll("'", "''")}'` },
    });
  }
  createReferral(body: Record<string, unknown>): Promise<Wire> {
    return this.post('engagements/referrals', { body });
  }
  patchReferral(id: string, input: Record<string, unknown>, etag: string): Promise<Wire> {
    const ops = Object.entries(input).map(([key, value]) => ({ op: 'replace', path: `/${key}`, value }));
    return this.patch(`engagements/referrals/${encodeURIComponent(id)}`, {
      body: ops,
      headers: { 'if-match': etag, prefer: 'return=representation' },
    });
  }
  putReferral(id: string, body: Wire, etag: string): Promise<Wire> {
    return this.put(`engagements/referrals/${encodeURIComponent(id)}`, {
      body,
      headers: { 'if-match': etag },
    });
  }
}

interface Context {
  api: PartnerApi;
}

const resolvers = {
  Query: {
    referral: (_: unknown, args: { id: string }, ctx: Context) => ctx.api.getReferral(args.id),
    referrals: async (_: unknown, args: { first?: number }, ctx: Context) => {
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
      ctx: Context,
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
        const referral = PATCH_MODE
          ? await ctx.api.patchReferral(args.id, args.input, args.etag)
          : await ctx.api.putReferral(args.id, { ...current, ...args.input }, args.etag);
        return { __typename: 'UpdateReferralSuccess', referral };
      } catch (error) {
        if (
          (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status === 412
        )
          return stale();
        throw error;
      }
    },
    createReferral: async (_: unknown, args: { input: Record<string, unknown> }, ctx: Context) => ({
      __typename: 'CreateReferralSuccess',
      referral: await ctx.api.createReferral(args.input),
    }),
  },
  Referral: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.api.getReferral(ref.id),
    relatedReferrals: async (r: Wire, _: unknown, ctx: Context) =>
      r.engagementId ? (await ctx.api.listEngagement(r.engagementId)).value.filter((x) => x.id !== r.id) : [],
    etag: (r: Wire) => r.eTag,
    // The schema answers `null` for a value it does not know (live payloads carry `"100"`).
    salesStage: (r: Wire) => (SALES_STAGES.has(r.salesStage) ? r.salesStage : null),
  },
  // The enum mapping the gateway uses (wire PascalCase ↔ GraphQL names): any team would write one.
  ...ENUM_WIRE_VALUES,
};

const schemaDir = new URL('../../schema/', import.meta.url);
const typeDefs = readdirSync(schemaDir)
  .filter((name) => name.endsWith('.graphql'))
  .map((name) => readFileSync(new URL(name, schemaDir), 'utf8'))
  .join('\n');

const server = new ApolloServer<Context>({
  schema: buildSubgraphSchema([
    { typeDefs: parse(typeDefs), resolvers: resolvers as GraphQLResolverMap<Context> },
  ]),
});
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' },
  context: async ({ req }) => ({ api: new PartnerApi(req.headers.authorization ?? '') }),
});
process.stdout.write(`${JSON.stringify({ msg: 'datasource-rest ready', url })}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
