/**
 * Fault injection for tests: a rule list consulted before every request is handled. The first rule
 * that matches and still has `times` left applies, and its `times` counts down.
 */

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
  | { kind: 'applyThenDrop' };

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

export interface FaultTarget {
  readonly method: string;
  readonly url: string;
  readonly id: string | undefined;
}

export class FaultRules {
  #rules: FaultRule[] = [];

  add(rule: FaultRule): void {
    // Copied so a test changing its object afterwards cannot change the rule's remaining count.
    this.#rules.push({ ...rule });
  }

  clear(): void {
    this.#rules = [];
  }

  /** The fault to apply to this request, if any; consumes one use of the rule. */
  take(target: FaultTarget): Fault | undefined {
    const rule = this.#rules.find(
      (r) =>
        (r.times === undefined || r.times > 0) &&
        (r.method === undefined || r.method.toUpperCase() === target.method.toUpperCase()) &&
        (r.idEquals === undefined || r.idEquals === target.id) &&
        (r.pathIncludes === undefined || target.url.includes(r.pathIncludes)),
    );
    if (rule === undefined) return undefined;
    if (rule.times !== undefined) rule.times -= 1;
    return rule.fault;
  }
}
