/**
 * The Partner API emulator: a `node:http` server faking `/v1.0/engagements/referrals` (fact sheet
 * §3) for integration tests and `npm start`. Every request is recorded first, then faults apply,
 * then auth (§9), then the referral routes. Answers are JSON with a `request-id` GUID (§4).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, defaultErrorFor, errorBody } from './apiError.ts';
import { callerFromAuthorization } from './caller.ts';
import { type Fault, type FaultRule, FaultRules } from './faults.ts';
import { readBody } from './readBody.ts';
import { handleReferralRequest, type RouteResponse } from './referralRoutes.ts';
import { seedReferrals } from './seed.ts';
import { ReferralStore } from './store.ts';
import {
  type Framed,
  streamOversized,
  truncated,
  withoutETag,
  writeResetAfterHeaders,
  writeStallMidBody,
  wrongShapeBody,
} from './wireFaults.ts';

export type { Fault, FaultRule } from './faults.ts';

export interface RecordedRequest {
  method: string;
  /** The pathname as received. */
  path: string;
  /** Pathname plus raw query string, exactly as received. */
  url: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON, or undefined (no body, or not JSON). */
  body: unknown;
}

export interface EmulatorOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `seedReferrals()`. */
  referrals?: Record<string, unknown>[];
  /**
   * How many of the latest requests `requests` keeps (default 10,000). The record holds headers
   * and bodies; without a bound, a long-running `npm start` or `npm run emulator` would grow
   * for ever.
   */
  maxRecordedRequests?: number;
}

export interface Emulator {
  /** Base URL up to the version: `http://127.0.0.1:PORT/v1.0`. */
  readonly url: string;
  /** The latest requests received (up to `maxRecordedRequests`), in order, including 401s and faulted ones. */
  readonly requests: readonly RecordedRequest[];
  /** How many requests arrived since start or the last `clearRequests()`, the unrecorded included. */
  readonly requestCount: number;
  clearRequests(): void;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** The raw stored JSON including eTag (a copy). */
  getReferral(id: string): Record<string, unknown> | undefined;
  /** Inserts or replaces raw JSON as-is (unknown fields and odd values kept); assigns an eTag; returns the stored copy. */
  putReferral(raw: Record<string, unknown>): Record<string, unknown>;
  listReferrals(): Record<string, unknown>[];
  /** Closes the server and destroys open (stalled or keep-alive) sockets. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const VERSION_PREFIX = '/v1.0';
const COLLECTION_SEGMENTS = ['v1.0', 'engagements', 'referrals'];

type Route =
  | { readonly kind: 'collection' }
  | { readonly kind: 'item'; readonly id: string }
  | { readonly kind: 'none' };

function route(pathname: string): Route {
  const segments = pathname.split('/').slice(1);
  if (!COLLECTION_SEGMENTS.every((segment, i) => segments[i] === segment)) return { kind: 'none' };
  if (segments.length === 3) return { kind: 'collection' };
  const raw = segments[3];
  if (segments.length !== 4 || raw === undefined || raw === '') return { kind: 'none' };
  try {
    return { kind: 'item', id: decodeURIComponent(raw) };
  } catch {
    return { kind: 'none' };
  }
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const store = new ReferralStore();
  for (const referral of options.referrals ?? seedReferrals()) store.insert(referral);
  const faults = new FaultRules();
  let requests: RecordedRequest[] = [];
  let requestCount = 0;
  const maxRecorded = options.maxRecordedRequests ?? 10_000;
  // Aborted on close, so a pending `delay` fault never keeps the process (or jest) alive.
  const shutdown = new AbortController();
  const sockets = new Set<Socket>();
  let baseUrl = '';

  /** The answer exactly as `send` puts it on the wire; faults write it their own way. */
  function frame(req: IncomingMessage, response: RouteResponse): Framed {
    const headers: Record<string, string> = { 'request-id': randomUUID(), ...response.headers };
    const clientRequestId = req.headers['client-request-id'];
    if (typeof clientRequestId === 'string') headers['client-request-id'] = clientRequestId;
    if (response.body === undefined) return { status: response.status, headers, payload: undefined };
    const payload = Buffer.from(JSON.stringify(response.body), 'utf8');
    return {
      status: response.status,
      headers: {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(payload.length),
      },
      payload,
    };
  }

  function writeFramed(res: ServerResponse, framed: Framed): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(framed.status, framed.headers);
    res.end(framed.payload);
  }

  function send(req: IncomingMessage, res: ServerResponse, response: RouteResponse): void {
    writeFramed(res, frame(req, response));
  }

  /** Applies a fault; `true` when the request is fully dealt with (answered, dropped or left hanging). */
  async function applyFault(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    target: Route,
    answer: () => RouteResponse,
  ): Promise<boolean> {
    const id = target.kind === 'item' ? target.id : undefined;
    switch (fault.kind) {
      case 'status': {
        const noBody = fault.status === 204 || fault.status === 304;
        send(req, res, {
          status: fault.status,
          body: noBody ? undefined : (fault.body ?? defaultErrorFor(fault.status)),
          headers: fault.headers ?? {},
        });
        return true;
      }
      case 'delay':
        await sleep(fault.ms, undefined, { signal: shutdown.signal });
        return false;
      case 'stall':
        // Nothing is written; close() destroys the socket if the client has not given up first.
        return true;
      case 'reset':
        // An RST rather than a FIN, so the client sees ECONNRESET as with a crashed upstream.
        req.socket.resetAndDestroy();
        return true;
      case 'raw':
        res.writeHead(fault.status, {
          'content-type': fault.contentType,
          'content-length': String(Buffer.byteLength(fault.body)),
          'request-id': randomUUID(),
        });
        res.end(fault.body);
        return true;
      case 'concurrentWrite': {
        const current = id === undefined ? undefined : store.get(id);
        if (current !== undefined) store.write({ ...current, ...structuredClone(fault.changes) });
        return false;
      }
      case 'stallMidBody':
        // Nothing ends the response; close() destroys the socket if the client has not given up first.
        writeStallMidBody(res, frame(req, answer()));
        return true;
      case 'resetAfterHeaders':
        writeResetAfterHeaders(res, frame(req, answer()));
        return true;
      case 'truncatedJson':
        writeFramed(res, truncated(frame(req, answer())));
        return true;
      case 'wrongShape': {
        const isList = target.kind === 'collection' && req.method?.toUpperCase() === 'GET';
        send(req, res, { status: 200, body: wrongShapeBody(isList) });
        return true;
      }
      case 'missingETag':
        send(req, res, withoutETag(answer()));
        return true;
      case 'oversized': {
        const real = answer();
        await streamOversized(res, frame(req, real), real.body, fault.bytes);
        return true;
      }
      case 'applyThenDrop':
        answer();
        // An RST as with `reset`: the client cannot tell whether its write landed (it did).
        req.socket.resetAndDestroy();
        return true;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const pathname = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const params = new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = lowerCaseHeaders(req);
    const body = await readBody(req, MAX_BODY_BYTES);
    let parsed: unknown;
    let malformed = false;
    if (body.kind === 'ok' && body.text.trim() !== '') {
      try {
        parsed = JSON.parse(body.text);
      } catch {
        malformed = true;
      }
    }
    requestCount++;
    requests.push({
      method,
      path: pathname,
      url: rawUrl,
      query: Object.fromEntries(params),
      headers,
      body: parsed,
    });
    // Trimmed in batches, so recording stays O(1) amortised.
    if (requests.length > maxRecorded + Math.ceil(maxRecorded / 4)) requests = requests.slice(-maxRecorded);

    const target = route(pathname);
    const id = target.kind === 'item' ? target.id : undefined;

    /** The normal handling (auth, routes, store); an ApiError becomes its answer, other errors throw. */
    const answer = (): RouteResponse => {
      try {
        if (body.kind === 'tooLarge') {
          res.shouldKeepAlive = false;
          throw new ApiError(
            413,
            'requestEntityTooLarge',
            `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
          );
        }
        const caller = callerFromAuthorization(headers.authorization);
        if (caller === undefined) {
          throw new ApiError(
            401,
            'unauthenticated',
            'A bearer token is required (Authorization: Bearer <token>).',
          );
        }
        if (target.kind === 'none')
          throw new ApiError(404, 'itemNotFound', `No resource at ${pathname}.`, { target: 'url' });
        if (malformed) throw new ApiError(400, 'invalidRequest', 'The request body is not valid JSON.');
        return handleReferralRequest({
          method,
          id,
          query: params,
          headers,
          body: parsed,
          caller,
          store,
          baseUrl,
        });
      } catch (error) {
        if (error instanceof ApiError) {
          return { status: error.status, body: error.body, headers: { ...error.headers } };
        }
        throw error;
      }
    };

    const fault = faults.take({ method, url: rawUrl, id });
    if (fault !== undefined && (await applyFault(fault, req, res, target, answer))) return;
    send(req, res, answer());
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof ApiError) {
        send(req, res, { status: error.status, body: error.body, headers: { ...error.headers } });
      } else if (shutdown.signal.aborted || req.destroyed) {
        res.destroy();
      } else {
        send(req, res, {
          status: 500,
          body: errorBody('generalException', error instanceof Error ? error.message : 'Unexpected error.'),
        });
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${formatHost(host)}:${address.port}${VERSION_PREFIX}`;

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    get requests() {
      return requests.length > maxRecorded ? requests.slice(-maxRecorded) : requests;
    },
    get requestCount() {
      return requestCount;
    },
    clearRequests() {
      requests = [];
      requestCount = 0;
    },
    injectFault(rule) {
      faults.add(rule);
    },
    clearFaults() {
      faults.clear();
    },
    getReferral(id) {
      return store.get(id);
    },
    putReferral(raw) {
      return store.insert(raw);
    },
    listReferrals() {
      return store.list();
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        // Stalled and keep-alive sockets would hold server.close() open indefinitely.
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
