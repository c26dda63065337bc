/**
 * `updateReferral`: read fresh, decide with the pure `planUpdate`, write with If-Match, and map
 * every business outcome to a member of `UpdateReferralResult` (CONTRACT, steps 1–6). Failures
 * that are not business outcomes (auth, timeouts, 5xx, bad responses) propagate as
 * `UpstreamError`s and become top-level errors in formatError.ts.
 */
import type { JsonObject, ReferralChanges } from '../domain/referral/merge.ts';
import { planUpdate } from '../domain/referral/planUpdate.ts';
import { reconcile } from '../domain/referral/reconcile.ts';
import type { WireReferral } from '../upstream/referralWire.ts';
import { isUpstreamError, type UpstreamError } from '../upstream/upstreamErrors.ts';
import type { ReferralStatus, ReferralSubstatus, ResolversTypes } from './__generated__/resolvers-types.ts';
import type { GatewayContext } from './context.ts';

export type UpdateReferralResult = ResolversTypes['UpdateReferralResult'];

const STALE_MESSAGE =
  'The referral was changed since it was read. Review the current state and apply the change again.';

export async function updateReferral(
  ctx: GatewayContext,
  id: string,
  changes: ReferralChanges,
  etag: string,
): Promise<UpdateReferralResult> {
  // Step 1: a fresh read, never a loader hit: the cache may predate a concurrent write.
  const current = await ctx.api.getReferral(id, ctx.call);
  if (current === null) return notFound(id);
  remember(ctx, current);

  const plan = planUpdate(current as unknown as JsonObject, changes, etag);
  switch (plan.kind) {
    case 'stale':
      return preconditionFailed(current);
    case 'invalid':
      return {
        __typename: 'ReferralValidationFailed',
        message: 'The input is not valid; nothing was written.',
        fieldErrors: plan.fieldErrors.map((error) => ({ ...error, path: [...error.path] })),
      };
    case 'transitionNotAllowed':
      return {
        __typename: 'ReferralTransitionNotAllowed',
        message: `A referral cannot move from ${describe(plan.fromStatus, plan.fromSubstatus)} to ${describe(plan.toStatus, plan.toSubstatus)}.`,
        // Wire strings; a value the enum does not know answers null (see buildSchema.ts).
        fromStatus: plan.fromStatus as ReferralStatus | null,
        fromSubstatus: plan.fromSubstatus as ReferralSubstatus | null,
        toStatus: plan.toStatus as ReferralStatus | null,
        toSubstatus: plan.toSubstatus as ReferralSubstatus | null,
        allowedStatuses: [...plan.allowedStatuses],
        allowedSubstatuses: [...plan.allowedSubstatuses],
      };
    case 'write':
      break;
  }

  try {
    const updated = await ctx.api.replaceReferral(id, plan.body, etag, ctx.call);
    remember(ctx, updated);
    return { __typename: 'UpdateReferralSuccess', referral: updated };
  } catch (error) {
    if (!isUpstreamError(error)) throw error;
    switch (error.code) {
      case 'PRECONDITION_FAILED': {
        // Someone wrote between our read and our write: show the caller what is there now.
        const fresh = await ctx.api.getReferral(id, ctx.call);
        if (fresh === null) return notFound(id);
        remember(ctx, fresh);
        return preconditionFailed(fresh);
      }
      case 'NOT_FOUND':
        return notFound(id);
      // After these the PUT may or may not have been applied.
      case 'UPSTREAM_TIMEOUT':
      case 'UPSTREAM_UNAVAILABLE':
      case 'UPSTREAM_BAD_RESPONSE':
        return settleAmbiguousWrite(ctx, id, plan.body, etag, error);
      case 'BAD_REQUEST':
        return {
          __typename: 'ReferralValidationFailed',
          // The Partner API's message is documented as non-localized text for callers (§8).
          message: error.upstreamMessage ?? 'The Partner API rejected the change; nothing was written.',
          fieldErrors: [],
        };
      default:
        throw error;
    }
  }
}

/**
 * The PUT's fate is unknown: read again and let reconcile() decide. Our write that landed is a
 * success; nothing written leaves the original failure (a retry with the same etag is safe:
 * If-Match makes a second application impossible); someone else's write is a conflict. If the
 * re-read fails too, the original failure stands.
 */
async function settleAmbiguousWrite(
  ctx: GatewayContext,
  id: string,
  body: JsonObject,
  etag: string,
  failure: UpstreamError,
): Promise<UpdateReferralResult> {
  let now: WireReferral | null;
  try {
    now = await ctx.api.getReferral(id, ctx.call);
  } catch {
    throw failure;
  }
  if (now === null) throw failure;
  remember(ctx, now);
  switch (reconcile(body, etag, now as unknown as JsonObject)) {
    case 'applied':
      ctx.logger.info(
        { code: failure.code },
        'write landed although its answer was lost; reconciled as success',
      );
      return { __typename: 'UpdateReferralSuccess', referral: now };
    case 'changedByOthers':
      return preconditionFailed(now);
    case 'notApplied':
      throw failure;
  }
}

/** Keeps the request's loader in step with what we just read or wrote (clear, then prime). */
function remember(ctx: GatewayContext, referral: WireReferral): void {
  ctx.loaders.referral.clear(referral.id).prime(referral.id, referral);
}

function preconditionFailed(current: WireReferral): UpdateReferralResult {
  return {
    __typename: 'ReferralPreconditionFailed',
    message: STALE_MESSAGE,
    currentEtag: current.eTag,
    currentReferral: current,
  };
}

function notFound(id: string): UpdateReferralResult {
  return { __typename: 'ReferralNotFound', message: 'There is no referral with this id.', id };
}

function describe(status: unknown, substatus: unknown): string {
  return `${typeof status === 'string' ? status : 'no status'}/${typeof substatus === 'string' ? substatus : 'no substatus'}`;
}
