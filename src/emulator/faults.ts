/**
 * Fault injection for tests, in one place: what a test can inject (`Fault`, `FaultRule`), which
 * request gets a fault (`FaultRules`: the first rule that matches and still has `times` left
 * applies, and its `times` counts down), and what each kind does to that request (`applyFault`,
 * one entry per kind in `APPLY`). The file is long because every kind's wire behaviour lives
 * here, next to the kind it belongs to; it holds the one concept and nothing else.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultErrorFor } from './apiError.ts';
import { type Framed, frame, send, writeFramed } from './framing.ts';
import { isObject } from './json.ts';
import type { RouteResponse } from './referralRoutes.ts';
import type { ReferralStore } from './store.ts';

// ── What a test can inject ─────────────────────────────────────────────────────────────────────

export type Fault =
  /** Answer with this status and JSON body (e.g. 500, 401, 429 with `retry-after`). */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Wait, then handle the request normally. */
  | { kind: 'delay'; ms: number }
  /** Accept the request and never send headers; the socket stays open until someone gives up. */
  | { kind: 'stall' }
  /** Destroy the socket without answering. */
  | { kind: 'reset' }
  /** Send these bytes as given (e.g. invalid JSON or HTML from a proxy). */
  | { kind: 'raw'; status: number; contentType: string; body: string }
  /**
   * Before handling, apply `changes` (shallow top-level merge) to the targeted referral as if another
   * client wrote it (new eTag and updatedDateTime), then handle normally: a change landing between
   * a gateway's read and its write.
   */
  | { kind: 'concurrentWrite'; changes: Record<string, unknown> }
  /*
   * The kinds below (except `wrongShape`) first produce the real answer — auth, routes and store run
   * as without a fault, writes included — then deliver it damaged. They model a flaky network or a
   * misbehaving proxy between the gateway and an upstream that did its job.
   */
  /**
   * Send status, headers (with the full `content-length`) and the first half of the body, then
   * nothing more; the socket stays open until the client gives up or the emulator closes. A bodiless
   * answer (204) is not sent at all, as with `stall`.
   */
  | { kind: 'stallMidBody' }
  /**
   * Send status, headers (with the full `content-length`) and a few body bytes, then close the
   * socket. A bodiless answer (204) is dropped as with `reset`, after the write has landed.
   */
  | { kind: 'resetAfterHeaders' }
  /** Send the first half of the JSON as a complete response whose `content-length` matches it. */
  | { kind: 'truncatedJson' }
  /**
   * Before auth, answer 200 with well-formed JSON of the wrong shape: `{"value":{"not":"an array"}}`
   * for a list (GET on the collection), else a referral with a numeric `id` and no `eTag`. Nothing is
   * written to the store.
   */
  | { kind: 'wrongShape' }
  /** Remove `eTag` from the body (from every item of a list) and drop the `ETag` header. */
  | { kind: 'missingETag' }
  /**
   * Add a string `padding` field to the JSON body so the document is at least `bytes` bytes, and
   * stream it with chunked transfer encoding (no `content-length`), so a client must count bytes as
   * they arrive. The status is the real one (200 if the real answer has no body).
   */
  | { kind: 'oversized'; bytes: number }
  /** Apply the request (a write lands in the store, new eTag and all), then reset the connection unanswered. */
  | { kind: 'applyThenDrop' }
  /**
   * Apply the request, then answer a successful one 204 with no body and only its `ETag`, as the
   * Partner API answers a PATCH that has no `Prefer` header (docs/partner-api.md §3.5): a service
   * that ignores `Prefer: return=representation`.
   */
  | { kind: 'noContent' }
  /**
   * Apply the request, then send its real answer (body and headers) under this status instead: a
   * create answered 200, as the connector documents, rather than the emulator's 201
   * (docs/partner-api.md §3.3).
   */
  | { kind: 'answerStatus'; status: number };

export interface FaultRule {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** The referral id in the path (`/engagements/referrals/{id}`). */
  idEquals?: string;
  /** A substring of the request's raw URL (pathname plus query string). */
  pathIncludes?: string;
  /** How many requests this rule applies to; unlimited when absent. */
  times?: number;
  fault: Fault;
}

// ── Which request gets a fault ─────────────────────────────────────────────────────────────────

export interface FaultTarget {
  readonly method: string;
  readonly url: string;
  readonly id: string | undefined;
}

function hasUsesLeft(rule: FaultRule): boolean {
  return rule.times === undefined || rule.times > 0;
}

export class FaultRules {
  #rules: FaultRule[] = [];
  #applied = 0;

  add(rule: FaultRule): void {
    // Copied so a test changing its object afterwards cannot change the rule's remaining count.
    this.#rules.push({ ...rule });
  }

  clear(): void {
    this.#rules = [];
    this.#applied = 0;
  }

  /** The fault to apply to this request, if any; consumes one use of the rule. */
  take(target: FaultTarget): Fault | undefined {
    const rule = this.#rules.find(
      (r) =>
        hasUsesLeft(r) &&
        (r.method === undefined || r.method.toUpperCase() === target.method.toUpperCase()) &&
        (r.idEquals === undefined || r.idEquals === target.id) &&
        (r.pathIncludes === undefined || target.url.includes(r.pathIncludes)),
    );
    if (rule === undefined) return undefined;
    if (rule.times !== undefined) rule.times -= 1;
    this.#applied += 1;
    return rule.fault;
  }

  /** Copies of the rules that can still apply, in order; a limited rule's `times` is what it has left. */
  pending(): FaultRule[] {
    return this.#rules.filter(hasUsesLeft).map((rule) => structuredClone(rule));
  }

  /** How many requests a fault was applied to since construction or the last `clear()`. */
  get applied(): number {
    return this.#applied;
  }
}

// ── What each kind does to its request ─────────────────────────────────────────────────────────

/** One faulted request, and what a fault may use to act on it. */
export interface FaultExchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The referral id in the path, if the request targets one referral. */
  readonly id: string | undefined;
  /** Whether the request reads the collection (GET on `/referrals`). */
  readonly isList: boolean;
  /** The normal handling: auth, routes and store run as without a fault, writes included. */
  answer(): RouteResponse;
  readonly store: ReferralStore;
  /** Aborted when the emulator closes, so a pending `delay` never keeps the process (or jest) alive. */
  readonly shutdown: AbortSignal;
}

/**
 * `done`: the fault dealt with the request (answered, dropped or left hanging);
 * `proceed`: the request is to be handled normally now.
 */
export type FaultOutcome = 'done' | 'proceed';

type Appliers = {
  readonly [K in Fault['kind']]: (
    fault: Extract<Fault, { kind: K }>,
    exchange: FaultExchange,
  ) => FaultOutcome | Promise<FaultOutcome>;
};

const APPLY: Appliers = {
  status(fault, { req, res }) {
    const noBody = fault.status === 204 || fault.status === 304;
    send(req, res, {
      status: fault.status,
      body: noBody ? undefined : (fault.body ?? defaultErrorFor(fault.status)),
      headers: fault.headers ?? {},
    });
    return 'done';
  },
  async delay(fault, { shutdown }): Promise<FaultOutcome> {
    await sleep(fault.ms, undefined, { signal: shutdown });
    return 'proceed';
  },
  stall() {
    // Nothing is written; close() destroys the socket if the client has not given up first.
    return 'done';
  },
  reset(_fault, { req }) {
    // An RST rather than a FIN, so the client sees ECONNRESET as with a crashed upstream.
    req.socket.resetAndDestroy();
    return 'done';
  },
  raw(fault, { res }) {
    res.writeHead(fault.status, {
      'content-type': fault.contentType,
      'content-length': String(Buffer.byteLength(fault.body)),
      'request-id': randomUUID(),
    });
    res.end(fault.body);
    return 'done';
  },
  concurrentWrite(fault, { id, store }) {
    const current = id === undefined ? undefined : store.get(id);
    if (current !== undefined) store.write({ ...current, ...structuredClone(fault.changes) });
    return 'proceed';
  },
  stallMidBody(_fault, { req, res, answer }) {
    // Nothing ends the response; close() destroys the socket if the client has not given up first.
    const framed = frame(req, answer());
    if (framed.payload === undefined) return 'done';
    res.writeHead(framed.status, framed.headers);
    res.write(framed.payload.subarray(0, Math.floor(framed.payload.length / 2)));
    return 'done';
  },
  resetAfterHeaders(_fault, { req, res, answer }) {
    const framed = frame(req, answer());
    const socket = res.socket;
    if (framed.payload === undefined || framed.payload.length === 0) {
      socket?.resetAndDestroy();
      return 'done';
    }
    res.writeHead(framed.status, framed.headers);
    const few = Math.max(1, Math.min(16, Math.floor(framed.payload.length / 2)));
    // Destroyed only once the bytes reached the kernel: destroying right away would discard them
    // (headers and first chunk are corked until the next tick). A plain close rather than an RST,
    // which could make the client's kernel drop the received bytes before they are read.
    res.write(framed.payload.subarray(0, few), () => socket?.destroy());
    return 'done';
  },
  truncatedJson(_fault, { req, res, answer }) {
    writeFramed(res, firstHalf(frame(req, answer())));
    return 'done';
  },
  wrongShape(_fault, { req, res, isList }) {
    send(req, res, {
      status: 200,
      body: isList ? { value: { not: 'an array' } } : { id: 42, status: ['x'] },
    });
    return 'done';
  },
  missingETag(_fault, { req, res, answer }) {
    send(req, res, withoutETag(answer()));
    return 'done';
  },
  async oversized(fault, { req, res, answer }): Promise<FaultOutcome> {
    const real = answer();
    await streamPadded(res, frame(req, real), real.body, fault.bytes);
    return 'done';
  },
  noContent(_fault, { req, res, answer }) {
    const real = answer();
    const ok = real.status >= 200 && real.status < 300;
    const etag = Object.entries(real.headers ?? {}).find(([name]) => name.toLowerCase() === 'etag')?.[1];
    send(req, res, ok ? { status: 204, headers: etag === undefined ? {} : { etag } } : real);
    return 'done';
  },
  answerStatus(fault, { req, res, answer }) {
    send(req, res, { ...answer(), status: fault.status });
    return 'done';
  },
  applyThenDrop(_fault, { req, answer }) {
    answer();
    // An RST as with `reset`: the client cannot tell whether its write landed (it did).
    req.socket.resetAndDestroy();
    return 'done';
  },
};

/** Applies `fault` to the request in `exchange`. */
export async function applyFault(fault: Fault, exchange: FaultExchange): Promise<FaultOutcome> {
  const apply = APPLY[fault.kind] as (
    fault: Fault,
    exchange: FaultExchange,
  ) => FaultOutcome | Promise<FaultOutcome>;
  return apply(fault, exchange);
}

// ── Helpers for the damaged answers ────────────────────────────────────────────────────────────

/** The first half of the body, framed as a complete response. */
function firstHalf(framed: Framed): Framed {
  if (framed.payload === undefined) return framed;
  const payload = framed.payload.subarray(0, Math.floor(framed.payload.length / 2));
  return { ...framed, headers: { ...framed.headers, 'content-length': String(payload.length) }, payload };
}

function omitETag(value: unknown): unknown {
  if (!isObject(value)) return value;
  const { eTag: _eTag, ...rest } = value;
  return rest;
}

function withoutETag(response: RouteResponse): RouteResponse {
  const headers = Object.fromEntries(
    Object.entries(response.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'etag'),
  );
  const body = omitETag(response.body);
  if (isObject(body) && Array.isArray(body.value)) body.value = body.value.map(omitETag);
  return { ...response, headers, body };
}

const CHUNK_BYTES = 64 * 1024;
const PADDING_CHUNK = Buffer.alloc(CHUNK_BYTES, 'x');

/** Resolves when the response can take more bytes, or when it closed (so a gone client ends the loop). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * The body plus a `padding` string field making the document at least `bytes` bytes, written in
 * chunks with backpressure so even a huge size never sits in memory whole.
 */
async function streamPadded(
  res: ServerResponse,
  framed: Framed,
  body: unknown,
  bytes: number,
): Promise<void> {
  const json = JSON.stringify(isObject(body) ? body : body === undefined ? {} : { value: body });
  const head = Buffer.from(`${json.slice(0, -1)}${json === '{}' ? '' : ','}"padding":"`, 'utf8');
  const tail = Buffer.from('"}', 'utf8');
  let padding = Math.max(0, bytes - head.length - tail.length);
  const { 'content-length': _length, ...headers } = framed.headers;
  res.writeHead(framed.payload === undefined ? 200 : framed.status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
  });
  // The destroyed checks matter: a response that already closed never emits 'drain' or 'close' again.
  if (!res.write(head) && !res.destroyed) await drained(res);
  while (padding > 0 && !res.destroyed) {
    const chunk = PADDING_CHUNK.subarray(0, Math.min(CHUNK_BYTES, padding));
    padding -= chunk.length;
    if (!res.write(chunk) && !res.destroyed) await drained(res);
  }
  if (!res.destroyed) res.end(tail);
}
