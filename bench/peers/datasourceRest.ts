/**
 * Contestant (c): what most teams would write. Apollo Server 5 (standalone, defaults) + a
 * RESTDataSource (@apollo/datasource-rest, default fetcher) + buildSubgraphSchema over the same
 * SDL, with naive resolvers (naiveResolvers.ts). $PORT, $PARTNER_API_URL (…/v1.0),
 * $PARTNER_API_WRITE_MODE (`put`, or `patch`: updateReferral sends a JSON Patch of the input's
 * fields, as the gateway's patch mode does).
 */
import { RESTDataSource } from '@apollo/datasource-rest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { parse } from 'graphql';
import {
  engagementFilter,
  gatewayTypeDefs,
  type NaiveContext,
  naiveResolvers,
  type ReferralsClient,
  replaceOps,
  type Wire,
} from './naiveResolvers.ts';

const statusOf = (error: unknown) =>
  (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;

class PartnerApi extends RESTDataSource implements ReferralsClient {
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
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }
  listReferrals(top: number): Promise<{ value: Wire[]; '@odata.nextLink'?: string }> {
    return this.get('engagements/referrals', { params: { $top: String(top) } });
  }
  // RESTDataSource deduplicates the identical GETs in flight, so one list per engagement goes out.
  listEngagement(engagementId: string): Promise<{ value: Wire[] }> {
    return this.get('engagements/referrals', { params: { $filter: engagementFilter(engagementId) } });
  }
  createReferral(body: Record<string, unknown>): Promise<Wire> {
    return this.post('engagements/referrals', { body });
  }
  patchReferral(id: string, input: Record<string, unknown>, etag: string): Promise<Wire> {
    return this.patch(`engagements/referrals/${encodeURIComponent(id)}`, {
      body: replaceOps(input),
      headers: { 'if-match': etag, prefer: 'return=representation' },
    });
  }
  putReferral(id: string, body: Wire, etag: string): Promise<Wire> {
    return this.put(`engagements/referrals/${encodeURIComponent(id)}`, {
      body,
      headers: { 'if-match': etag },
    });
  }
  isPreconditionFailed(error: unknown): boolean {
    return statusOf(error) === 412;
  }
}

const resolvers = naiveResolvers({ patchMode: process.env.PARTNER_API_WRITE_MODE === 'patch' });
const server = new ApolloServer<NaiveContext>({
  schema: buildSubgraphSchema([
    { typeDefs: parse(gatewayTypeDefs()), resolvers: resolvers as GraphQLResolverMap<NaiveContext> },
  ]),
});
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' },
  context: async ({ req }) => ({ api: new PartnerApi(req.headers.authorization ?? '') }),
});
process.stdout.write(`${JSON.stringify({ msg: 'datasource-rest ready', url })}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
