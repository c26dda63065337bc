/**
 * A minimal node:http integration for Apollo Server 5 (which ships none besides its standalone
 * server): `/graphql` goes to Apollo, `/health` is the liveness probe and `/ready` the
 * readiness probe (200 while the replica takes traffic, 503 once shutdown has begun), anything
 * else is 404. It owns the request body limit (413 before Apollo sees a byte too many), the
 * request deadline (which starts before the body is read, so a client trickling its body is cut
 * off: 408), and cancels upstream calls when the client goes away. Every answer carries
 * `x-request-id`, and every 500 is logged under that id.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GATEWAY_ERRORS, type GatewayErrorCode, INTERNAL_ERROR_MESSAGE } from '../errors/codes.ts';
import { httpErrorBody } from '../errors/format.ts';
import type { GatewayContext, RequestLifetime } from '../graphql/context.ts';
import { readBody } from '../http/readBody.ts';
import { pathAndSearch } from '../http/urlParts.ts';
import type { Logger } from '../log/logger.ts';
import { applyCors, type CorsPolicy } from './cors.ts';
import { RequestTelemetry, type ServerTelemetry } from './requestTelemetry.ts';

export interface HttpHandlerOptions {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly createContext: (
    headers: HeaderMap,
    lifetime: RequestLifetime,
    requestId: string,
    observer: RequestTelemetry | undefined,
  ) => Promise<GatewayContext>;
  readonly maxRequestBytes: number;
  /** Deadline of one GraphQL request, upstream calls included. */
  readonly requestTimeoutMs: number;
  /**
   * False once shutdown has begun (shutdown.ts): `/ready` then answers 503 and every answer
   * carries `Connection: close`, so balancers and keep-alive clients move to another replica
   * while this one still answers what reaches it. `/health` (liveness) stays 200: failing it
   * during the shutdown delay would have Kubernetes kill the pod mid-drain.
   */
  readonly isReady: () => boolean;
  readonly logger: Logger;
  readonly cors: CorsPolicy;
  /** Metrics and traces of each `/graphql` request (requestTelemetry.ts); absent: none. */
  readonly telemetry?: ServerTelemetry | undefined;
}

export const GRAPHQL_PATH = '/graphql';
export const HEALTH_PATH = '/health';
export const READY_PATH = '/ready';

export function createHttpHandler(options: HttpHandlerOptions) {
  const { apollo, logger } = options;

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    // Upstream work stops when the client disconnects before we answer, or at the deadline,
    // which runs from the first byte: reading the body is part of the request. One plain
    // timer, cleared once answered: AbortSignal.timeout() would keep its signal and everything
    // listening to it alive for the whole timeout (measured: ~0.8 KB per request held 15 s).
    const abort = new AbortController();
    let deadline: NodeJS.Timeout | undefined;
    let observed: RequestTelemetry | undefined;
    try {
      const ready = options.isReady();
      if (!ready) res.setHeader('connection', 'close');
      const url = pathAndSearch(req.url ?? '/');
      // Such as `//`: Node's HTTP parser accepts it, yet no URL can be made of it.
      if (url === undefined) return sendError(res, 'BAD_REQUEST', 'The request target is not a valid path.');
      // Liveness: the process answers HTTP. It checks no dependency (the Partner API, Redis):
      // their outage is no reason to restart, or to unlist, every replica at once.
      if (url.pathname === HEALTH_PATH) return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === READY_PATH)
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'shutting down' });
      if (url.pathname !== GRAPHQL_PATH)
        return sendError(res, 'NOT_FOUND', 'Not found. GraphQL is served at /graphql.', 404);
      if (applyCors(options.cors, req, res)) return;
      if (options.telemetry) observed = new RequestTelemetry(options.telemetry, req, GRAPHQL_PATH);

      res.on('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      deadline = setTimeout(() => abort.abort(deadlineReason()), options.requestTimeoutMs);
      const lifetime = { signal: abort.signal, deadlineAt: Date.now() + options.requestTimeoutMs };

      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }

      const read = await readBody(req, { maxBytes: options.maxRequestBytes, signal: abort.signal });
      if (read.kind === 'tooLarge') {
        res.setHeader('connection', 'close');
        return sendError(
          res,
          'BAD_REQUEST',
          `Request body is larger than ${options.maxRequestBytes} bytes.`,
          413,
        );
      }
      if (read.kind === 'aborted' && (abort.signal.reason as Error | undefined)?.name === 'TimeoutError') {
        // The deadline passed while the client was still sending: answer and hang up, so a
        // slow client holds nothing past its deadline (RFC 9110 §15.5.9).
        logger.info({ requestId }, 'request body not received before the deadline; closing');
        res.setHeader('connection', 'close');
        res.once('finish', () => req.socket.destroy());
        sendError(res, 'REQUEST_TIMEOUT', 'The request body did not arrive in time.');
        return;
      }
      if (read.kind !== 'ok') {
        logger.info({ requestId }, 'client closed the connection before the body ended');
        return;
      }
      const raw = read.text;
      let body: unknown = raw;
      if (raw !== '' && isJson(headers.get('content-type'))) {
        try {
          body = JSON.parse(raw);
        } catch {
          return sendError(res, 'BAD_REQUEST', 'The request body is not valid JSON.');
        }
      }

      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: () => options.createContext(headers, lifetime, requestId, observed),
      });
      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.statusCode = response.status ?? 200;
      // RFC 9110 §15.5.2: a 401 names the authentication scheme the client should use.
      if (res.statusCode === 401) res.setHeader('www-authenticate', 'Bearer');
      if (res.statusCode >= 500) {
        // Apollo answered 500 for something it could not handle; what it was is logged by the
        // logging plugin (unexpectedErrorProcessingRequest) under this request id.
        logger.error({ requestId, status: res.statusCode }, 'answered with a server error');
      }
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      logger.error({ err: error, requestId }, 'HTTP handler failed');
      if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR', INTERNAL_ERROR_MESSAGE);
      else res.destroy();
    } finally {
      clearTimeout(deadline);
      observed?.finish(res.statusCode, res.headersSent);
    }
  };
}

/** What `AbortSignal.timeout()` aborts with, so every reader of `signal.reason` sees a timeout. */
function deadlineReason(): DOMException {
  return new DOMException('The request deadline passed.', 'TimeoutError');
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || type === 'application/graphql-response+json';
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

/** An HTTP-level error answer, shaped by the errors module; `x-request-id` is already set. */
function sendError(
  res: ServerResponse,
  code: GatewayErrorCode,
  message: string,
  status: number = GATEWAY_ERRORS[code].httpStatus,
): void {
  sendJson(res, status, httpErrorBody(code, message));
}
