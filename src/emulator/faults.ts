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
  | { kind: 'concurrentWrite'; changes: Record<string, unknown> };

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
