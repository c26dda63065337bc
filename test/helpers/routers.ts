/**
 * Two federation routers in front of our subgraph and the example accounts subgraph, both serving
 * one supergraph composed with @apollo/composition: @apollo/gateway (in Apollo Server) and Hive
 * Gateway's runtime (`createGatewayRuntime`, with its default request batching, which merges
 * parallel root fields for one subgraph into one document). Each forwards the client's
 * `authorization` header and its W3C trace context (`traceparent`, `tracestate`) to the
 * subgraphs, as a router with tracing propagates it, and sends none the client did not send.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { composeSupergraph } from '../../supergraph/composeSupergraph.ts';
import type { Stack } from './stack.ts';

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
}

/** What both routers pass from the client to the subgraphs (README "Traces and metrics"). */
export const FORWARDED_HEADERS = ['authorization', 'traceparent', 'tracestate'] as const;

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
  const apollo = await startApolloRouter(composition.supergraphSdl);
  let hive: Router;
  try {
    hive = await startHiveRouter(composition.supergraphSdl);
  } catch (error) {
    await apollo.stop();
    throw error;
  }
  return {
    apollo,
    hive,
    async stop() {
      await Promise.all([apollo.stop(), hive.stop()]);
    },
  };
}

async function startApolloRouter(supergraphSdl: string): Promise<Router> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<ApolloRouterContext>({
        url,
        willSendRequest({ request, context }) {
          for (const name of FORWARDED_HEADERS) {
            const value = context.forwarded?.[name];
            if (value !== undefined) request.http?.headers.set(name, value);
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

async function startHiveRouter(supergraphSdl: string): Promise<Router> {
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
