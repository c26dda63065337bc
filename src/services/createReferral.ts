/**
 * The create workflow, below the GraphQL layer (README "Creating referrals"; docs/partner-api.md
 * §3.3): plan the POST body with the update's own rules (domain/referral/createPlan.ts), before
 * any call; POST it once; and make a repeat harmless.
 *
 * - **Never two POSTs for one intent.** The HTTP client never repeats a POST that may have left
 *   (retryPolicy.ts). A POST whose fate is unknown (timeout or reset after sending, 5xx, an
 *   unreadable answer) is settled by looking for the referral among the newest ones
 *   (domain/referral/settleCreate.ts, through settleWrite.ts): found → created; not found →
 *   `uncertain`, because absence from a list proves nothing.
 * - **Idempotency keys.** With a key, the outcome is recorded per caller (idempotency/): a repeat
 *   replays it (a success is read again with the caller's token), a concurrent repeat waits for
 *   the first, another input under the same key is refused, and an uncertain create is looked for
 *   again on every repeat, never re-sent. A create that certainly made nothing (refused by our
 *   rules or by the Partner API, or never sent) leaves no record.
 * - **Co-sell.** `shareReferralWithMicrosoft` reads the partner's referral, refuses one that is
 *   not `Shared` or whose engagement already has Microsoft's half (one list of the engagement,
 *   relatedReferrals.ts), and creates Microsoft's half through the same steps.
 *
 * Upstream calls (domain/referral/createCalls.ts): a create costs one POST, plus the pages of the
 * settling look and one GET when its answer was lost; the POST is not sent unless the request's
 * budget has room for all of them, so a create can always be settled. A share adds the GET of
 * the partner's referral and one list of its engagement.
 */
import {
  CALLS_PER_CREATE,
  SETTLE_SEARCH_MAX_PAGES,
  SETTLE_SEARCH_TOP,
} from '../domain/referral/createCalls.ts';
import {
  planCreate,
  planMicrosoftHalf,
  type ReferralCreation,
  shareRefusal,
} from '../domain/referral/createPlan.ts';
import type { JsonObject } from '../domain/referral/merge.ts';
import { type CreateMatch, matchCreated, reachesBefore } from '../domain/referral/settleCreate.ts';
import type { FieldError } from '../domain/referral/validation.ts';
import type { CallContext } from '../upstream/httpClient.ts';
import { buildFilter, buildOrderBy, type ReferralListCondition } from '../upstream/odataQuery.ts';
import type { WireReferral } from '../upstream/referralWire.ts';
import { isUncertainFailure, mayHaveApplied } from '../upstream/retryPolicy.ts';
import { isUpstreamError, UpstreamError, type UpstreamErrorCode } from '../upstream/upstreamErrors.ts';
import { idempotencyScope } from './idempotency/callerScope.ts';
import { fingerprint } from './idempotency/fingerprint.ts';
import type { IdempotencyStore, IdempotentOutcome } from './idempotency/idempotencyStore.ts';
import { readEngagementReferrals } from './relatedReferrals.ts';
import { settleAmbiguousWrite } from './settleWrite.ts';
import { read, type WriteContext } from './writeReferral.ts';

export type CreateOutcome =
  | {
      readonly kind: 'created';
      readonly referral: WireReferral;
      /** From the POST's answer, found after its answer was lost, or replayed for a repeated key. */
      readonly how: 'answered' | 'settled' | 'replayed';
      readonly recoveredFrom?: UpstreamErrorCode | undefined;
    }
  /** Nothing was created: refused by our rules, by the Partner API, or not shareable. */
  | {
      readonly kind: 'invalid';
      readonly refusedBy: 'rules' | 'partnerApi' | 'partnerApiSize' | 'partnerApiNotFound' | 'notShareable';
      readonly fieldErrors: readonly FieldError[];
      /** The Partner API's message, or why the referral cannot be shared. */
      readonly message?: string | undefined;
    }
  /** The referral to share is not there (or not the caller's to see). */
  | { readonly kind: 'notFound'; readonly id: string }
  /**
   * The referral may or may not have been created: the POST's answer was lost and no referral
   * matching it was found (`answerLost`), or another request with the same key is still at it
   * (`inProgress`).
   */
  | { readonly kind: 'uncertain'; readonly reason: 'answerLost' | 'inProgress' }
  /** The idempotency key was used before with another input. */
  | { readonly kind: 'keyReused' };

export interface CreateContext extends WriteContext {
  readonly idempotency: IdempotencyStore;
}

/** A claim outlives its owner's request deadline by this much before counting as abandoned. */
const LEASE_MARGIN_MS = 5_000;
/** A repeat stops waiting for the first this long before its own deadline, to answer in time. */
const REPLAY_RESERVE_MS = 1_000;
/** Waiting bound when a request has no deadline (tests calling the service directly). */
const DEFAULT_WAIT_MS = 10_000;

export function createReferral(
  ctx: CreateContext,
  input: ReferralCreation,
  idempotencyKey?: string | undefined,
): Promise<CreateOutcome> {
  const plan = planCreate(input);
  if (plan.kind === 'invalid') {
    return Promise.resolve({ kind: 'invalid', refusedBy: 'rules', fieldErrors: plan.fieldErrors });
  }
  return createOnce(ctx, {
    idempotencyKey,
    fingerprint: fingerprint('createReferral', plan.body),
    prepare: async () => ({ kind: 'body', body: plan.body }),
  });
}

/**
 * Step 2 of the co-sell flow (§3.3): Microsoft's half of the engagement of `referralId`, copied
 * from the partner's half as it is now (createPlan.ts `planMicrosoftHalf`). With a key, a repeat
 * shares nothing twice, even if the partner's referral changed in between; without one (or with
 * another key) the engagement's list shows a half already there, and nothing is sent.
 */
export function shareReferralWithMicrosoft(
  ctx: CreateContext,
  referralId: string,
  idempotencyKey?: string | undefined,
): Promise<CreateOutcome> {
  return createOnce(ctx, {
    idempotencyKey,
    fingerprint: fingerprint('shareReferralWithMicrosoft', { referralId }),
    prepare: async (purpose) => {
      const partner = await read(ctx, referralId);
      if (partner === null) return { kind: 'refused', outcome: { kind: 'notFound', id: referralId } };
      // Refused on the referral alone before its engagement is listed; looking for a half we sent
      // needs no list (finding one in the engagement is the point, not a refusal).
      if (purpose === 'look' || shareRefusal(partner) !== undefined)
        return planned(planMicrosoftHalf(partner));
      const engagement = await readEngagementReferrals(
        ctx.api,
        { engagementId: String(partner.engagementId), link: partner.links?.relatedReferrals?.uri },
        ctx.call,
        1,
      );
      if (engagement.truncated) {
        ctx.log?.info(
          { referralId, referrals: engagement.items.length },
          'share: the engagement has more than one page of referrals; only the first was checked for a Microsoft half',
        );
      }
      return planned(planMicrosoftHalf(partner, engagement.items));
    },
  });
}

type Prepared =
  | { readonly kind: 'body'; readonly body: JsonObject }
  | { readonly kind: 'refused'; readonly outcome: CreateOutcome };

/** Microsoft's half to POST, or why the referral is not shared. */
function planned(plan: ReturnType<typeof planMicrosoftHalf>): Prepared {
  return plan.kind === 'create'
    ? { kind: 'body', body: plan.body }
    : {
        kind: 'refused',
        outcome: { kind: 'invalid', refusedBy: 'notShareable', fieldErrors: [], message: plan.message },
      };
}

interface CreateRequest {
  readonly idempotencyKey: string | undefined;
  /** Of the operation and its normalised input (idempotency/fingerprint.ts). */
  readonly fingerprint: string;
  /**
   * What to POST (`send`), or what a POST sent earlier under the key was (`look`, to find it), or
   * why not; may read (a share reads the partner's referral and, to send, its engagement).
   */
  readonly prepare: (purpose: 'send' | 'look') => Promise<Prepared>;
}

async function createOnce(ctx: CreateContext, request: CreateRequest): Promise<CreateOutcome> {
  if (request.idempotencyKey === undefined) {
    const prepared = await request.prepare('send');
    if (prepared.kind === 'refused') return prepared.outcome;
    const posted = await post(ctx, prepared.body, () => {});
    return posted.kind === 'lost' ? { kind: 'uncertain', reason: 'answerLost' } : posted;
  }
  const key = idempotencyScope(ctx.call.authorization, request.idempotencyKey);
  const claim = await ctx.idempotency.claim(key, request.fingerprint, claimOptions(ctx.call));
  switch (claim.kind) {
    case 'mismatch':
      return { kind: 'keyReused' };
    case 'inProgress':
      return { kind: 'uncertain', reason: 'inProgress' };
    case 'replay':
      return replay(ctx, request, key, claim.outcome);
    case 'owner':
      return own(ctx, request, key, claim.token);
  }
}

/** This request holds the key: create, and record what came of it. */
async function own(
  ctx: CreateContext,
  request: CreateRequest,
  key: string,
  token: string,
): Promise<CreateOutcome> {
  let sentAt: number | undefined;
  try {
    const prepared = await request.prepare('send');
    if (prepared.kind === 'refused') {
      await ctx.idempotency.release(key, token);
      return prepared.outcome;
    }
    const posted = await post(ctx, prepared.body, (at) => {
      sentAt = at;
    });
    switch (posted.kind) {
      case 'created':
        await ctx.idempotency.complete(key, token, { kind: 'created', referralId: posted.referral.id });
        return posted;
      case 'lost':
        await ctx.idempotency.complete(key, token, { kind: 'uncertain', since: posted.since });
        return { kind: 'uncertain', reason: 'answerLost' };
      case 'invalid':
        await ctx.idempotency.release(key, token);
        return posted;
    }
  } catch (error) {
    // An upstream failure that escapes `post` is a certain one (nothing sent, or refused); so is
    // any failure before the POST left. Anything else after it left may have created the referral.
    if (sentAt === undefined || isUpstreamError(error)) await ctx.idempotency.release(key, token);
    else await ctx.idempotency.complete(key, token, { kind: 'uncertain', since: sentAt });
    throw error;
  }
}

/** The key has an outcome: answer from it, never POST. */
async function replay(
  ctx: CreateContext,
  request: CreateRequest,
  key: string,
  outcome: IdempotentOutcome,
): Promise<CreateOutcome> {
  if (outcome.kind === 'created') {
    // Read with the caller's own token: the Partner API decides whether this caller may see it.
    const referral = await read(ctx, outcome.referralId);
    if (referral === null) throw new UpstreamError('NOT_FOUND', 'replay: the created referral is not there');
    return { kind: 'created', referral, how: 'replayed' };
  }
  const prepared = await request.prepare('look');
  if (prepared.kind === 'refused') return { kind: 'uncertain', reason: 'answerLost' };
  let match: CreateMatch<WireReferral>;
  try {
    match = await findCreated(ctx, prepared.body, outcome.since);
  } catch (error) {
    // A look that failed this way leaves the create exactly as uncertain as it was.
    if (isUpstreamError(error) && isUncertainFailure(error))
      return { kind: 'uncertain', reason: 'answerLost' };
    throw error;
  }
  if (match.kind !== 'one') return { kind: 'uncertain', reason: 'answerLost' };
  await ctx.idempotency.resolve(key, request.fingerprint, match.referral.id);
  ctx.log?.info({ referralId: match.referral.id }, 'an uncertain create was found on a repeat of its key');
  return { kind: 'created', referral: match.referral, how: 'settled' };
}

type Posted =
  | Extract<CreateOutcome, { kind: 'created' }>
  | Extract<CreateOutcome, { kind: 'invalid' }>
  /** The answer was lost and the referral was not found: it may exist. */
  | { readonly kind: 'lost'; readonly since: number };

/**
 * One POST, never repeated. Certain failures (auth, throttling, budget, a connection never made)
 * are thrown; refusals for content are `invalid`; a lost answer is settled by a look.
 */
async function post(ctx: CreateContext, body: JsonObject, onSend: (at: number) => void): Promise<Posted> {
  reserveCalls(ctx.call, CALLS_PER_CREATE);
  const since = Date.now();
  onSend(since);
  try {
    const created = await ctx.api.createReferral(body, ctx.call);
    ctx.observe?.(created);
    return { kind: 'created', referral: created, how: 'answered' };
  } catch (error) {
    if (!isUpstreamError(error)) throw error;
    switch (error.code) {
      // Refused for its content: a 4xx is an answer, so nothing was created (§8).
      case 'BAD_REQUEST':
      case 'UNPROCESSABLE':
      case 'CONFLICT':
        return { kind: 'invalid', refusedBy: 'partnerApi', fieldErrors: [], message: error.upstreamMessage };
      case 'CONTENT_TOO_LARGE':
        return {
          kind: 'invalid',
          refusedBy: 'partnerApiSize',
          fieldErrors: [],
          message: error.upstreamMessage,
        };
      // The connector lists 404 for a create (§3.3): nothing to create it in, e.g. an unknown engagement.
      case 'NOT_FOUND':
        return { kind: 'invalid', refusedBy: 'partnerApiNotFound', fieldErrors: [] };
      default:
        // Certain failures (auth, throttling, budget, a connection never made) are thrown.
        if (!mayHaveApplied(error)) throw error;
        return settleLost(ctx, body, since, error);
    }
  }
}

/** Looks for the referral a POST with a lost answer may have created (settleWrite.ts). */
async function settleLost(
  ctx: CreateContext,
  body: JsonObject,
  since: number,
  failure: UpstreamError,
): Promise<Posted> {
  try {
    const settled = await settleAmbiguousWrite<CreateMatch<WireReferral>>({
      failure,
      reread: () => findCreated(ctx, body, since),
      // Several matches are as inconclusive as none: the failure stands and the create is uncertain.
      judge: (match) => (match.kind === 'one' ? 'applied' : 'notApplied'),
    });
    if (settled.now.kind !== 'one') return { kind: 'lost', since };
    ctx.log?.info(
      { code: failure.code, referralId: settled.now.referral.id },
      "create's answer was lost; found the referral it made",
    );
    return { kind: 'created', referral: settled.now.referral, how: 'settled', recoveredFrom: failure.code };
  } catch (error) {
    if (error !== failure) throw error;
    ctx.log?.info({ code: failure.code }, "create's answer was lost and no referral matching it was found");
    return { kind: 'lost', since };
  }
}

/**
 * The newest referrals (`$orderby=createdDateTime desc`), of the engagement we sent or else of the
 * customer's country when we sent one (both documented filters, §3.1), matched against the body:
 * `@odata.nextLink` is followed until a page reaches back before the POST (less the clock skew) or
 * `SETTLE_SEARCH_MAX_PAGES` pages were read (createCalls.ts). A match is read whole (list items
 * may be partial, §3.1).
 */
async function findCreated(
  ctx: CreateContext,
  body: JsonObject,
  since: number,
): Promise<CreateMatch<WireReferral>> {
  let page = await ctx.api.listReferrals(
    {
      filter: buildFilter(searchConditions(body)),
      orderBy: buildOrderBy({ field: 'createdDateTime', direction: 'desc' }),
      top: SETTLE_SEARCH_TOP,
    },
    ctx.call,
  );
  const candidates: WireReferral[] = [...page.items];
  for (
    let pages = 1;
    page.nextPageRef !== null && pages < SETTLE_SEARCH_MAX_PAGES && !reachesBefore(page.items, { since });
    pages += 1
  ) {
    page = await ctx.api.getReferralPage(page.nextPageRef, ctx.call);
    candidates.push(...page.items);
  }
  const match = matchCreated(body, candidates, { since });
  if (match.kind !== 'one') return match;
  const whole = await read(ctx, match.referral.id);
  return { kind: 'one', referral: whole ?? match.referral };
}

function searchConditions(body: JsonObject): ReferralListCondition[] {
  if (typeof body.engagementId === 'string') {
    return [{ kind: 'equals', path: 'engagementId', value: body.engagementId }];
  }
  const profile = body.customerProfile as { address?: { country?: unknown } } | undefined;
  const country = profile?.address?.country;
  return typeof country === 'string'
    ? [{ kind: 'equals', path: 'customerProfile/address/country', value: country }]
    : [];
}

/**
 * No POST unless the request's call budget can also pay for settling it, and none for a request
 * already over its deadline (or whose client left): a POST that cannot be settled is not sent.
 */
function reserveCalls(call: CallContext, calls: number): void {
  if (call.signal?.aborted) throw new UpstreamError('UPSTREAM_TIMEOUT', 'POST not sent: the request is over');
  const budget = call.budget;
  if (budget !== undefined && budget.limit - budget.used < calls) {
    throw new UpstreamError(
      'CALL_BUDGET_EXCEEDED',
      `POST not sent: a create needs ${calls} upstream calls in reserve; ${budget.limit - budget.used} left`,
    );
  }
}

function claimOptions(call: CallContext) {
  const now = Date.now();
  const deadline = call.deadlineAt ?? now + DEFAULT_WAIT_MS;
  return {
    leaseMs: Math.max(0, deadline - now) + LEASE_MARGIN_MS,
    waitUntil: deadline - REPLAY_RESERVE_MS,
    signal: call.signal,
  };
}
