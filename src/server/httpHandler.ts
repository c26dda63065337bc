/**
 * A minimal node:http integration for Apollo Server 5 (which ships none besides its standalone
 * server): `/graphql` goes to Apollo, `/health` answers readiness, anything else is 404. It owns
 * the request body limit (413 before Apollo sees a byte too many), the request deadline (which
 * starts before the body is read, so a client trickling its body is cut off: 408), and cancels
 * upstream calls when the client goes away. Every answer carries `x-request-id`, and every 500
 * is logged under that id.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GATEWAY_ERRORS, type GatewayErrorCode, INTERNAL_ERROR_MESSAGE } from '../errors/codes.ts';
import { httpErrorBody } from '../errors/format.ts';
import type { GatewayContext, RequestLifetime } from '../graphql/context.ts';
import type { Logger } from '../log/logger.ts';
import { applyCors, type CorsPolicy } from './cors.ts';

export interface HttpHandlerOptions {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly createContext: (
    headers: HeaderMap,
    lifetime: RequestLifetime,
    requestId: string,
  ) => Promise<GatewayContext>;
  readonly maxRequestBytes: number;
  /** Deadline of one GraphQL request, upstream calls included. */
  readonly requestTimeoutMs: number;
  /** False while starting and once shutdown has begun: `/health` then answers 503. */
  readonly isReady: () => boolean;
  readonly logger: Logger;
  readonly cors: CorsPolicy;
}

export const GRAPHQL_PATH = '/graphql';
export const HEALTH_PATH = '/health';

class BodyTooLarge extends Error {}
class BodyAborted extends Error {}

export function createHttpHandler(options: HttpHandlerOptions) {
  const { apollo, logger } = options;

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Upstream work stops when the client disconnects before we answer, or at the deadline,
    // which runs from the first byte: reading the body is part of the request. One plain
    // timer, cleared once answered: AbortSignal.timeout() would keep its signal and everything
    // listening to it alive for the whole timeout (measured: ~0.8 KB per request held 15 s).
    const abort = new AbortController();
    let deadline: NodeJS.Timeout | undefined;
    try {
      if (url.pathname === HEALTH_PATH) {
        const ready = options.isReady();
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable' });
      }
      if (url.pathname !== GRAPHQL_PATH)
        return sendError(res, 'NOT_FOUND', 'Not found. GraphQL is served at /graphql.', 404);
      if (applyCors(options.cors, req, res)) return;

      res.on('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      deadline = setTimeout(() => abort.abort(deadlineReason()), options.requestTimeoutMs);
      const lifetime = { signal: abort.signal, deadlineAt: Date.now() + options.requestTimeoutMs };

      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }

      let raw: string;
      try {
        raw = await readBody(req, options.maxRequestBytes, abort.signal);
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          res.setHeader('connection', 'close');
          return sendError(
            res,
            'BAD_REQUEST',
            `Request body is larger than ${options.maxRequestBytes} bytes.`,
            413,
          );
        }
        if (
          error instanceof BodyAborted &&
          (abort.signal.reason as Error | undefined)?.name === 'TimeoutError'
        ) {
          // The deadline passed while the client was still sending: answer and hang up, so a
          // slow client holds nothing past its deadline (RFC 9110 §15.5.9).
          logger.info({ requestId }, 'request body not received before the deadline; closing');
          res.setHeader('connection', 'close');
          res.once('finish', () => req.socket.destroy());
          sendError(res, 'REQUEST_TIMEOUT', 'The request body did not arrive in time.');
          return;
        }
        if (error instanceof BodyAborted) {
          logger.info({ requestId }, 'client closed the connection before the body ended');
          return;
        }
        throw error;
      }
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
        context: () => options.createContext(headers, lifetime, requestId),
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

/**
 * The whole body as text, refused past `maxBytes` as soon as that many have arrived, and
 * abandoned when `signal` aborts (the deadline, or the client went away). Plain 'data'/'end'
 * listeners: a stream's async iterator costs about 1% of CPU per small request.
 */
function readBody(req: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new BodyAborted('the request body did not end'));
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('end', () => signal.removeEventListener('abort', onAbort));
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        // Drain the rest unread, so the 413 can still be written on this connection.
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (size <= maxBytes) resolve(Buffer.concat(chunks, size).toString('utf8'));
    });
    req.once('error', () => reject(new BodyAborted('the request stream failed')));
    req.once('close', () => {
      if (!req.complete) reject(new BodyAborted('the client closed the connection before the body ended'));
    });
  });
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
