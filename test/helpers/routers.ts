/**
 * Two federation routers in front of our subgraph and the example accounts subgraph, both serving
 * one supergraph composed with @apollo/composition: @apollo/gateway (in Apollo Server) and Hive
 * Gateway's runtime (`createGatewayRuntime`, with its default request batching, which merges
 * parallel root fields for one subgraph into one document). Each forwards the client's
 * `authorization` header to the subgraphs and no other client header.
 *
 * With `otlpUrl`, both trace as a router with tracing on does (routerTracing.ts): each continues
 * the client's W3C trace context or starts a trace, exports its own spans to that OTLP receiver,
 * and sends each subgraph request a `traceparent` of its own making, whose parent is its span for
 * that request (Hive Gateway: its OpenTelemetry plugin's `http.fetch` CLIENT span; @apollo/gateway:
 * its built-in `gateway.fetch` span, injected from `willSendRequest`, which runs inside it). The
 * client's `traceparent` is never copied through: that would hang the subgraph's spans under the
 * client's and skip the router's. Without `otlpUrl` they make no spans and send no trace context.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloGateway as ApolloGatewayType } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { useOpenTelemetry } from '@graphql-hive/plugin-opentelemetry';
import httpTransport from '@graphql-mesh/transport-http';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { composeSupergraph } from '../../supergraph/composeSupergraph.ts';
import { flushRouterSpans, traceRoutersTo } from './routerTracing.ts';
import type { Stack } from './stack.ts';

/**
 * Loaded here, after routerTracing.ts (imported above, so evaluated first) registered
 * OpenTelemetry's globals: @apollo/gateway takes its tracer when it loads (see there). A static
 * import would not do: Jest runs a CommonJS package imported statically while linking, before
 * any ES module's body.
 */
const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');

export type RouterName = 'apollo' | 'hive';

export const ROUTER_NAMES: readonly RouterName[] = ['apollo', 'hive'];

export interface RouterResponse {
  readonly status: number;
  /** The parsed JSON answer (undefined when it was not JSON). */
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  };
  readonly text: string;
}

export interface Router {
  readonly name: RouterName;
  /** The GraphQL endpoint. */
  readonly url: string;
  /**
   * POSTs a GraphQL request (`{ query, variables }` or a raw body) as JSON. Only the headers given
   * are sent besides content-type; an undefined value leaves a header out.
   */
  post(body: string | object, headers?: Record<string, string | undefined>): Promise<RouterResponse>;
  stop(): Promise<void>;
}

export interface Routers {
  readonly apollo: Router;
  readonly hive: Router;
  stop(): Promise<void>;
}

export interface RouterOptions {
  /**
   * Where the routers reach our subgraph; defaults to the stack's gateway. Lets a test put
   * something (a recording proxy, a fake) between the routers and the subgraph.
   */
  readonly referralsUrl?: string;
  /**
   * An OTLP/HTTP receiver's base URL: both routers trace and export their spans there (JSON, to
   * `/v1/traces`). Unset, they make no spans and send the subgraphs no trace context.
   */
  readonly otlpUrl?: string;
}

/**
 * The client headers both routers pass to the subgraphs (README "In a supergraph"). Not the trace
 * context: a tracing router sends its own (see above).
 */
export const FORWARDED_HEADERS = ['authorization'] as const;

type ForwardedHeaders = Partial<Record<(typeof FORWARDED_HEADERS)[number], string>>;

function forwarded(get: (name: string) => string | null | undefined): ForwardedHeaders {
  const headers: ForwardedHeaders = {};
  for (const name of FORWARDED_HEADERS) {
    const value = get(name);
    if (value) headers[name] = value;
  }
  return headers;
}

interface ApolloRouterContext {
  forwarded: ForwardedHeaders;
}

export async function startRouters(
  stack: Pick<Stack, 'gateway'>,
  accounts: { readonly url: string },
  options: RouterOptions = {},
): Promise<Routers> {
  const composition = composeSupergraph({
    referrals: options.referralsUrl ?? stack.gateway.url,
    accounts: accounts.url,
  });
  if (!composition.ok) throw new Error(composition.errors.join('\n'));
  const traced = options.otlpUrl !== undefined;
  if (options.otlpUrl !== undefined) traceRoutersTo(options.otlpUrl);
  const apollo = await startApolloRouter(composition.supergraphSdl, traced);
  let hive: Router;
  try {
    hive = await startHiveRouter(composition.supergraphSdl, traced);
  } catch (error) {
    await apollo.stop();
    throw error;
  }
  return {
    apollo,
    hive,
    async stop() {
      await Promise.all([apollo.stop(), hive.stop()]);
      if (traced) await flushRouterSpans();
    },
  };
}

/**
 * @apollo/gateway with its built-in OpenTelemetry spans: it opens `gateway.request` in whatever
 * context is active when Apollo Server calls its executor, and Apollo Server does not read the
 * client's trace context. So, as a tracing router's HTTP layer would, the executor runs in the
 * context extracted from the client's headers (or the root one, which starts a trace).
 */
class TracedApolloGateway extends ApolloGateway {
  override async load(...args: Parameters<ApolloGatewayType['load']>): ReturnType<ApolloGatewayType['load']> {
    const loaded = await super.load(...args);
    return {
      ...loaded,
      executor: (requestContext) => {
        const headers = requestContext.request.http?.headers;
        const parent = propagation.extract(ROOT_CONTEXT, headers, {
          keys: () => [],
          get: (carrier, key) => carrier?.get(key) ?? undefined,
        });
        return context.with(parent, () => loaded.executor(requestContext));
      },
    };
  }
}

async function startApolloRouter(supergraphSdl: string, traced: boolean): Promise<Router> {
  const Gateway = traced ? TracedApolloGateway : ApolloGateway;
  const gateway = new Gateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<ApolloRouterContext>({
        url,
        willSendRequest({ request, context: routerContext }) {
          for (const name of FORWARDED_HEADERS) {
            const value = routerContext.forwarded?.[name];
            if (value !== undefined) request.http?.headers.set(name, value);
          }
          // Called inside this subgraph request's `gateway.fetch` span: its context is what the
          // subgraph continues (W3C `traceparent`, and `tracestate` when there is one).
          if (traced) {
            propagation.inject(context.active(), request.http?.headers, {
              set: (carrier, key, value) => carrier?.set(key, value),
            });
          }
        },
      }),
  });
  const server = new ApolloServer<ApolloRouterContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({
      forwarded: forwarded((name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(',') : value;
      }),
    }),
  });
  return router('apollo', url, () => server.stop());
}

async function startHiveRouter(supergraphSdl: string, traced: boolean): Promise<Router> {
  const runtime = createGatewayRuntime({
    supergraph: supergraphSdl,
    // The runtime loads a subgraph's transport by name (`@graphql-mesh/transport-http`) unless
    // given one; @graphql-hive/gateway depends on that package, the runtime alone does not.
    transports: { http: httpTransport },
    logging: false,
    landingPage: false,
    graphiql: false,
    propagateHeaders: {
      fromClientToSubgraphs({ request }) {
        return forwarded((name) => request.headers.get(name));
      },
    },
    // Hive Gateway's OpenTelemetry plugin (the CLI's `--opentelemetry`): spans for the HTTP
    // request, the operation and its phases, each subgraph execution and each upstream fetch; it
    // continues the incoming trace context and injects its own into every subgraph fetch.
    plugins: (gatewayContext) =>
      traced ? [useOpenTelemetry({ ...gatewayContext, traces: true, useContextManager: true })] : [],
  });
  const server = createServer(runtime);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return router('hive', `http://127.0.0.1:${port}/graphql`, async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await runtime.dispose();
  });
}

function router(name: RouterName, url: string, stop: () => Promise<void>): Router {
  return {
    name,
    url,
    async post(body, headers = {}) {
      const merged: Record<string, string> = { 'content-type': 'application/json' };
      for (const [header, value] of Object.entries(headers)) {
        if (value !== undefined) merged[header.toLowerCase()] = value;
      }
      const res = await fetch(url, {
        method: 'POST',
        headers: merged,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: RouterResponse['body'] | undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed as RouterResponse['body'], text };
    },
    stop,
  };
}
