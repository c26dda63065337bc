/**
 * Contestant (c): what most teams would write. Apollo Server 5 (standalone, defaults) + a
 * RESTDataSource (@apollo/datasource-rest, default fetcher) + buildSubgraphSchema over the same
 * SDL, with naive resolvers. $PORT, $PARTNER_API_URL (…/v1.0).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { RESTDataSource } from '@apollo/datasource-rest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { parse } from 'graphql';

type Wire = Record<string, unknown> & { id: string; eTag: string };

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

const pascal = (values: string[]): Record<string, string> =>
  Object.fromEntries(
    values.map((v) => [v, v.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase())]),
  );

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
        const referral = await ctx.api.putReferral(args.id, { ...current, ...args.input }, args.etag);
        return { __typename: 'UpdateReferralSuccess', referral };
      } catch (error) {
        if (
          (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status === 412
        )
          return stale();
        throw error;
      }
    },
  },
  Referral: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.api.getReferral(ref.id),
    etag: (r: Wire) => r.eTag,
  },
  ReferralStatus: pascal(['NONE', 'NEW', 'ACTIVE', 'CLOSED']),
  ReferralSubstatus: pascal([
    'NONE',
    'PENDING',
    'RECEIVED',
    'ACCEPTED',
    'WON',
    'LOST',
    'DECLINED',
    'EXPIRED',
  ]),
  ReferralType: pascal(['SHARED', 'INDEPENDENT']),
  ReferralQualification: pascal(['NONE', 'DIRECT', 'MARKETING_QUALIFIED', 'SALES_QUALIFIED']),
  CustomerProfileIdType: pascal(['DUNS', 'EXTERNAL']),
  SolutionType: pascal(['NONE', 'CATEGORY', 'NAME']),
  TargetType: pascal(['NONE', 'BUSINESS_PROFILE_LOCATION', 'SOLUTION_PROFILE']),
  AssistanceRequestCode: pascal([
    'UNKNOWN',
    'GENERAL_OR_OTHER',
    'CUSTOMER_TECHNICAL_ARCHITECTURE',
    'PROOF_OF_CONCEPT_OR_DEMO',
    'QUOTES_OR_LICENSING',
    'POST_SALES_CUSTOMER_SUCCESS',
    'WORKLOAD_SPECIFIC_VALUE_PROPOSITION',
  ]),
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
