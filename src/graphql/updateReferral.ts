/**
 * `updateReferral`: read fresh, decide with the pure `planUpdate`, write with If-Match, and map
 * every business outcome to a member of `UpdateReferralResult` (CONTRACT, steps 1–6). Failures
 * that are not business outcomes (auth, timeouts, 5xx, bad responses) propagate as
 * `UpstreamError`s and become top-level errors shaped by src/errors/format.ts.
 */
import { checkInputLimits } from '../domain/referral/inputLimits.ts';
import type { JsonObject, ReferralChanges } from '../domain/referral/merge.ts';
import { planUpdate } from '../domain/referral/planUpdate.ts';
import { reconcile } from '../domain/referral/reconcile.ts';
import { capFieldErrors, type FieldError } from '../domain/referral/validation.ts';
import type { WireReferral } from '../upstream/referralWire.ts';
import { isUpstreamError, type UpstreamError } from '../upstream/upstreamErrors.ts';
import type { ReferralStatus, ReferralSubstatus, ResolversTypes } from './__generated__/resolvers-types.ts';
import type { GatewayContext } from './context.ts';

export type UpdateReferralResult = ResolversTypes['UpdateReferralResult'];

const STALE_MESSAGE =
  'The referral was changed since it was read. Review the current state and apply the change again.';
const INVALID_MESSAGE = 'The input is not valid; nothing was written.';

export async function updateReferral(
  ctx: GatewayContext,
  id: string,
  changes: ReferralChanges,
  etag: string,
): Promise<UpdateReferralResult> {
  // Before any call: an input past the size bounds is refused whatever the referral holds.
  const oversized = checkInputLimits(changes);
  if (oversized.length > 0) return validationFailed(INVALID_MESSAGE, oversized);

  // Step 1: a fresh read, never a loader hit: the cache may predate a concurrent write.
  const current = await ctx.api.getReferral(id, ctx.call);
  if (current === null) return notFound(id);
  remember(ctx, current);

  const plan = planUpdate(current as unknown as JsonObject, changes, etag);
  switch (plan.kind) {
    case 'stale':
      return preconditionFailed(ctx, current);
    case 'invalid':
      return validationFailed(INVALID_MESSAGE, plan.fieldErrors);
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
    return { __typename: 'UpdateReferralSuccess', referral: ctx.response.referral(updated) };
  } catch (error) {
    if (!isUpstreamError(error)) throw error;
    switch (error.code) {
      // Someone wrote between our read and our write (412), or the Partner API says the write
      // conflicts with the referral's state (409): either way nothing was written; show the
      // caller what is there now.
      case 'PRECONDITION_FAILED':
      case 'CONFLICT': {
        const fresh = await ctx.api.getReferral(id, ctx.call);
        if (fresh === null) return notFound(id);
        remember(ctx, fresh);
        return preconditionFailed(ctx, fresh);
      }
      case 'NOT_FOUND':
        return notFound(id);
      // After these the PUT may or may not have been applied.
      case 'UPSTREAM_TIMEOUT':
      case 'UPSTREAM_UNAVAILABLE':
      case 'UPSTREAM_BAD_RESPONSE':
        return settleAmbiguousWrite(ctx, id, plan.body, etag, error);
      // The Partner API refused the content: definite, nothing was written (a 4xx is an answer,
      // so there is no doubt to settle). Its message is documented as non-localized text for
      // callers (§8).
      case 'BAD_REQUEST':
      case 'UNPROCESSABLE':
        return validationFailed(
          error.upstreamMessage ?? 'The Partner API rejected the change; nothing was written.',
          [],
        );
      case 'CONTENT_TOO_LARGE':
        return validationFailed(
          error.upstreamMessage ?? 'The Partner API refused the referral as too large; nothing was written.',
          [],
        );
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
      return { __typename: 'UpdateReferralSuccess', referral: ctx.response.referral(now) };
    case 'changedByOthers':
      return preconditionFailed(ctx, now);
    case 'notApplied':
      throw failure;
  }
}

/** Keeps the request's loader in step with what we just read or wrote (clear, then prime). */
function remember(ctx: GatewayContext, referral: WireReferral): void {
  ctx.loaders.referral.clear(referral.id).prime(referral.id, referral);
}

function preconditionFailed(ctx: GatewayContext, current: WireReferral): UpdateReferralResult {
  return {
    __typename: 'ReferralPreconditionFailed',
    message: STALE_MESSAGE,
    currentEtag: current.eTag,
    currentReferral: ctx.response.referral(current),
  };
}

function validationFailed(message: string, errors: readonly FieldError[]): UpdateReferralResult {
  const { listed, omitted } = capFieldErrors(errors);
  return {
    __typename: 'ReferralValidationFailed',
    message,
    fieldErrors: listed.map((error) => ({ ...error, path: [...error.path] })),
    omittedFieldErrors: omitted,
  };
}

function notFound(id: string): UpdateReferralResult {
  return { __typename: 'ReferralNotFound', message: 'There is no referral with this id.', id };
}

function describe(status: unknown, substatus: unknown): string {
  return `${typeof status === 'string' ? status : 'no status'}/${typeof substatus === 'string' ? substatus : 'no substatus'}`;
}
