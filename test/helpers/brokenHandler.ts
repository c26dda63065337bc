/**
 * The gateway's HTTP handler in front of an Apollo Server whose execution throws: what a bug in
 * the pipeline looks like from the handler (it cannot be asked for over HTTP from the outside).
 */
import { createServer } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../../src/graphql/context.ts';
import type { Logger } from '../../src/log/logger.ts';
import { createHttpHandler } from '../../src/server/httpHandler.ts';

export interface BrokenHandler {
  /** `http://127.0.0.1:PORT/graphql`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startBrokenHandler(logger: Logger, failure: Error): Promise<BrokenHandler> {
  const broken = {
    executeHTTPGraphQLRequest: async () => {
      throw failure;
    },
  } as unknown as ApolloServer<GatewayContext>;
  const handle = createHttpHandler({
    apollo: broken,
    createContext: async () => {
      throw new Error('not reached');
    },
    maxRequestBytes: 1024,
    requestTimeoutMs: 1000,
    isReady: () => true,
    logger,
    cors: { allowedOrigins: new Set(), maxAgeSeconds: 0 },
  });
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
