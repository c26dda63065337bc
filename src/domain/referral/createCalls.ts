/**
 * What a create may spend of a request's upstream calls (README "Creating referrals", "Operation
 * limits"), as typed data both the create workflow (services/createReferral.ts) and the
 * pre-execution demand count (server/operationDemand.ts) read, so the two cannot drift apart.
 *
 * A POST is sent only with the calls that settle it at hand: if its answer is lost, the newest
 * referrals are listed (`$orderby=createdDateTime desc`), page after page until they are older
 * than the POST (less the clock skew, settleCreate.ts) or `SETTLE_SEARCH_MAX_PAGES` pages were
 * read, and a match is read whole (list items may be partial, docs/partner-api.md §3.1).
 * Gateway's choices; nothing documents how many referrals a caller creates per minute.
 */

/** Referrals per page of the settling look. */
export const SETTLE_SEARCH_TOP = 50;

/**
 * Pages of the settling look at most: 150 referrals created since the POST (less the clock skew).
 * A repeat of an uncertain key hours later still finds its referral unless more were created in
 * its engagement (or its customer's country) since.
 */
export const SETTLE_SEARCH_MAX_PAGES = 3;

/** The POST, the settling look's pages, and the GET of the referral found. */
export const CALLS_PER_CREATE = 1 + SETTLE_SEARCH_MAX_PAGES + 1;

/**
 * A share (co-sell step 2) first reads the partner's referral and one page of its engagement's
 * referrals (to refuse a second Microsoft half), then creates.
 */
export const CALLS_PER_SHARE = 2 + CALLS_PER_CREATE;
