/**
 * What one GraphQL request may spend, as typed data. Operation limits (securityRules.ts) bound
 * what a document may ask for; these bound what running it may cost: Partner API calls, answer
 * bytes, error entries, and connections held. Each default is sized from the largest real
 * pattern, written next to it.
 */
export interface RequestBudgetPolicy {
  /**
   * Partner API calls per request, retries included. The largest real pattern is a router
   * resolving the referral entities of one 100-item page: 100 distinct ids in one `_entities`
   * call, one GET each (test/security/benign/15-entities-hundred-distinct.graphql). 150 leaves
   * room for its retries and a few lookups beside it, within twice that pattern.
   */
  readonly maxUpstreamCalls: number;
  /**
   * Bytes of one answer. The largest real answer, a 100-item page of every field, is about
   * 280 KB; 500 `_entities` of ordinary referrals about 1 MB. 8 MiB is far above both and
   * serializes in a few milliseconds, so one request cannot hold the event loop.
   */
  readonly maxResponseBytes: number;
  /**
   * Error entries of one answer; the rest are counted in one last entry. A real failure (the
   * Partner API down) fails every field of a request alike: a hundred say it as well as 7,500.
   */
  readonly maxErrors: number;
  /** HTTP connections held at once (idle keep-alive ones included); Node's default is unlimited. */
  readonly maxConnections: number;
}

export const DEFAULT_REQUEST_BUDGETS: RequestBudgetPolicy = Object.freeze({
  maxUpstreamCalls: 150,
  maxResponseBytes: 8 * 1024 * 1024,
  maxErrors: 100,
  maxConnections: 1024,
});
