/**
 * The Partner API emulator: a `node:http` server faking `/v1.0/engagements/referrals`
 * (docs/partner-api.md §3) for integration tests and `npm start`. Every request is recorded first,
 * then faults apply (faults.ts), then auth (§9), then the referral routes. Answers are JSON with a
 * `request-id` GUID (§4).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody } from '../http/readBody.ts';
import { ApiError, errorBody } from './apiError.ts';
import { callerFromAuthorization } from './caller.ts';
import { applyFault, type FaultRule, FaultRules } from './faults.ts';
import { send } from './framing.ts';
import { type RegistrationValueStyle, withRegistrationValueStyle } from './normalisedRegistrations.ts';
import { handleReferralRequest, type RouteResponse } from './referralRoutes.ts';
import { type RelatedLinkStyle, withRelatedLinkStyle } from './relatedLinks.ts';
import { seedReferrals } from './seed.ts';
import { ReferralStore } from './store.ts';

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
  /**
   * The form of every referral's `links.relatedReferrals` (relatedLinks.ts): `quoted` as the docs
   * show it (default), `unquoted` as live links were seen, `misspelt` (`…/engagments/…`), `none`.
   */
  relatedReferralsLinks?: RelatedLinkStyle;
  /**
   * How deal registrations come back in answers (normalisedRegistrations.ts): `asStored` (default)
   * or `normalised` as the live service does (docs/partner-api.md §10: trimmed date-time
   * fractions, other enum casings, amounts as strings). The store keeps what was written.
   */
  registrationValues?: RegistrationValueStyle;
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
  /** Removes every rule and resets `faultsApplied`. */
  clearFaults(): void;
  /**
   * Copies of the injected rules that can still apply, in order: unlimited ones, and limited ones
   * with `times` showing the uses left. A test that expects its faults used up expects `[]`.
   */
  pendingFaults(): FaultRule[];
  /** How many requests a fault was applied to since start or the last `clearFaults()`. */
  readonly faultsApplied: number;
  /**
   * Resolves once no request is being handled. A `delay` fault keeps handling a request whose
   * client gave up, and its write still lands afterwards; a test waits for that before it moves on.
   */
  whenIdle(): Promise<void>;
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
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  let baseUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const pathname = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const params = new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = lowerCaseHeaders(req);
    const body = await readBody(req, { maxBytes: MAX_BODY_BYTES });
    // The client went away mid-body: there is no request to record or answer.
    if (body.kind === 'closed' || body.kind === 'aborted') return;
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
        return withRegistrationValueStyle(
          withRelatedLinkStyle(
            handleReferralRequest({
              method,
              id,
              query: params,
              headers,
              body: parsed,
              caller,
              store,
              baseUrl,
            }),
            options.relatedReferralsLinks ?? 'quoted',
            baseUrl,
          ),
          options.registrationValues ?? 'asStored',
        );
      } catch (error) {
        if (error instanceof ApiError) {
          return { status: error.status, body: error.body, headers: { ...error.headers } };
        }
        throw error;
      }
    };

    const fault = faults.take({ method, url: rawUrl, id });
    if (fault !== undefined) {
      const outcome = await applyFault(fault, {
        req,
        res,
        id,
        isList: target.kind === 'collection' && method === 'GET',
        answer,
        store,
        shutdown: shutdown.signal,
      });
      if (outcome === 'done') return;
    }
    send(req, res, answer());
  }

  function settled(): void {
    inFlight -= 1;
    if (inFlight > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  }

  const server = createServer((req, res) => {
    inFlight += 1;
    handle(req, res)
      .catch((error: unknown) => {
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
      })
      .finally(settled);
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
    pendingFaults() {
      return faults.pending();
    },
    get faultsApplied() {
      return faults.applied;
    },
    whenIdle() {
      return inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve));
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
