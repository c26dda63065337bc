/**
 * Contestants `graphql-floor` and `apollo-floor`: the least a GraphQL layer over the Referrals API
 * costs, to tell which step holds the gateway above proxy+json (issue #14, target 1). Both take
 * the gateway's SDL (buildSubgraphSchema), the naive resolvers (naiveResolvers.ts) on an undici
 * Pool like the proxy's, and execute with graphql-jit; neither validates the upstream's answers,
 * bounds anything, masks errors, logs or counts.
 *
 *   FLOOR=graphql  node:http in; the body parsed; each distinct document parsed, validated and
 *                  compiled once, then run as the compiled function; the answer JSON.stringify'd.
 *                  What GraphQL itself adds to proxy+json.
 *   FLOOR=apollo   the same behind Apollo Server 5's request pipeline (executeHTTPGraphQLRequest,
 *                  its document cache, plugins off as the gateway has them), with the gateway's
 *                  own graphql-jit executor (src/server/jitExecutor.ts). What Apollo adds on top.
 *
 * They make the gateway's upstream calls per operation (the report shows them side by side), not
 * byte for byte its requests: no `accept`, `client-request-id` or `MS-CorrelationId` headers, and
 * relatedReferrals by their own `$filter` where the gateway follows each referral's link.
 *
 * $PORT, $PARTNER_API_URL (…/v1.0), $PARTNER_API_WRITE_MODE (`put` or `patch`), $FLOOR.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { type ExecutionResult, parse, validate } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { Pool } from 'undici';
import { createJitExecutor, staticSchemaGateway } from '../../src/server/jitExecutor.ts';
import { FloorTrace, stopTracing } from './floorTracing.ts';
import {
  engagementFilter,
  gatewayTypeDefs,
  type NaiveContext,
  naiveResolvers,
  type ReferralsClient,
  replaceOps,
  type Wire,
} from './naiveResolvers.ts';

const FLOOR = process.env.FLOOR === 'apollo' ? 'apollo' : 'graphql';
const api = new URL(process.env.PARTNER_API_URL ?? 'http://127.0.0.1:4010/v1.0');
const pool = new Pool(api.origin, { connections: 64, pipelining: 1 });
const REFERRALS = '/engagements/referrals';
const schema = buildSubgraphSchema([
  {
    typeDefs: parse(gatewayTypeDefs()),
    resolvers: naiveResolvers({
      patchMode: process.env.PARTNER_API_WRITE_MODE === 'patch',
    }) as GraphQLResolverMap<NaiveContext>,
  },
]);

class UpstreamStatus extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`Partner API answered ${status}`);
    this.status = status;
  }
}

/** The Referrals API on the pool, with the caller's token; one list per engagement per request. */
class PoolClient implements ReferralsClient {
  readonly #engagements = new Map<string, Promise<{ value: Wire[] }>>();
  readonly token: string;
  readonly #trace: FloorTrace;
  constructor(token: string, floorTrace: FloorTrace) {
    this.token = token;
    this.#trace = floorTrace;
  }

  async #call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const route = path === '' || path.startsWith('?') ? REFERRALS : `${REFERRALS}/{id}`;
    const attempt = this.#trace.call(method, `${api.origin}${api.pathname}${REFERRALS}${path}`, route);
    const answer = await pool.request({
      method,
      path: `${api.pathname}${REFERRALS}${path}`,
      headers: {
        authorization: this.token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
        ...attempt?.request.headers,
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    attempt?.answered(answer.statusCode, answer.headers);
    const text = await answer.body.text();
    const failed = answer.statusCode >= 300;
    attempt?.end(failed ? { code: 'UPSTREAM_STATUS', status: answer.statusCode } : undefined);
    if (failed) throw new UpstreamStatus(answer.statusCode);
    return JSON.parse(text) as T;
  }

  async getReferral(id: string): Promise<Wire | null> {
    try {
      return await this.#call<Wire>('GET', `/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof UpstreamStatus && error.status === 404) return null;
      throw error;
    }
  }
  listReferrals(top: number) {
    return this.#call<{ value: Wire[]; '@odata.nextLink'?: string }>('GET', `?$top=${top}`);
  }
  listEngagement(engagementId: string) {
    let list = this.#engagements.get(engagementId);
    if (list === undefined) {
      list = this.#call<{ value: Wire[] }>(
        'GET',
        `?$filter=${encodeURIComponent(engagementFilter(engagementId))}`,
      );
      this.#engagements.set(engagementId, list);
    }
    return list;
  }
  createReferral(body: Record<string, unknown>) {
    return this.#call<Wire>('POST', '', body);
  }
  patchReferral(id: string, input: Record<string, unknown>, etag: string) {
    return this.#call<Wire>('PATCH', `/${encodeURIComponent(id)}`, replaceOps(input), {
      'if-match': etag,
      prefer: 'return=representation',
    });
  }
  putReferral(id: string, body: Wire, etag: string) {
    return this.#call<Wire>('PUT', `/${encodeURIComponent(id)}`, body, { 'if-match': etag });
  }
  isPreconditionFailed(error: unknown): boolean {
    return error instanceof UpstreamStatus && error.status === 412;
  }
}

/** The operation type of a one-operation document (what the operation span is named for). */
function operationType(query: string): string {
  return /^\s*mutation\b/.test(query) ? 'mutation' : 'query';
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}

// FLOOR=graphql: every distinct document compiled once (the bench sends a handful).
const compiled = new Map<string, CompiledQuery | ExecutionResult>();
function compiledFor(query: string): CompiledQuery | ExecutionResult {
  let entry = compiled.get(query);
  if (entry === undefined) {
    const document = parse(query);
    const errors = validate(schema, document);
    entry = errors.length > 0 ? { errors } : compileQuery(schema, document);
    compiled.set(query, entry);
  }
  return entry;
}

async function answerBare(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = JSON.parse(await readText(req)) as { query: string; variables?: Record<string, unknown> };
  const entry = compiledFor(request.query);
  if (!isCompiledQuery(entry)) return send(res, 400, JSON.stringify(entry));
  const floorTrace = new FloorTrace(req.headers, req.method ?? 'POST', '/graphql');
  const context: NaiveContext = { api: new PoolClient(req.headers.authorization ?? '', floorTrace) };
  const result = await entry.query(undefined, context, request.variables ?? {});
  send(res, 200, JSON.stringify(result));
  floorTrace.finish(operationType(request.query), 200);
}

// FLOOR=apollo: Apollo Server 5 on node:http, as src/server/httpHandler.ts integrates it.
const apollo =
  FLOOR === 'apollo'
    ? new ApolloServer<NaiveContext>({
        gateway: staticSchemaGateway(schema, createJitExecutor(schema, { maxCompiledOperations: 1000 })),
        // SIGTERM is handled below, as the gateway's main.ts handles it.
        stopOnTerminationSignals: false,
        plugins: [
          ApolloServerPluginInlineTraceDisabled(),
          ApolloServerPluginCacheControlDisabled(),
          ApolloServerPluginLandingPageDisabled(),
        ],
      })
    : undefined;
await apollo?.start();

async function answerApollo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (apollo === undefined) throw new Error('FLOOR=apollo only');
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const body = JSON.parse(await readText(req)) as { query?: string };
  const floorTrace = new FloorTrace(req.headers, req.method ?? 'POST', '/graphql');
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body },
    context: async () => ({ api: new PoolClient(req.headers.authorization ?? '', floorTrace) }),
  });
  floorTrace.finish(operationType(body.query ?? ''), response.status ?? 200);
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

const server = createServer((req, res) => {
  const answer = FLOOR === 'apollo' ? answerApollo : answerBare;
  answer(req, res).catch(() => {
    if (!res.headersSent) send(res, 500, '{"errors":[{"message":"internal error"}]}');
    else res.destroy();
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: `${FLOOR}-floor ready`, address: server.address() })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void Promise.all([pool.close(), apollo?.stop(), stopTracing()]).then(() => process.exit(0));
});
