/**
 * `updateReferral` in GraphQL terms: the input goes to the write service as domain changes, and
 * each domain outcome becomes a member of `UpdateReferralResult` (README "Updates"). Every
 * referral handed out is charged to the answer's size budget; the per-request loader is kept in
 * step with what the service read and wrote.
 */
import type { ReferralChanges } from '../domain/referral/changes.ts';
import { isReferralStatus, isReferralSubstatus } from '../domain/referral/transitions.ts';
import { type UpdateOutcome, updateReferral } from '../services/updateReferral.ts';
import type { WireReferral } from '../upstream/referralWire.ts';
import type { ResolversTypes, UpdateReferralInput } from './__generated__/resolvers-types.ts';
import type { GatewayContext } from './context.ts';
import type { SameShape } from './inputShape.ts';
import { validationFailed } from './validationFailed.ts';
import { writeContextOf } from './writeContext.ts';

export type UpdateReferralResult = ResolversTypes['UpdateReferralResult'];

// The schema's input and the domain's changes have exactly one shape (inputShape.ts).
const inputMatchesDomain: SameShape<UpdateReferralInput, ReferralChanges> = true;
void inputMatchesDomain;

const STALE_MESSAGE =
  'The referral was changed since it was read. Review the current state and apply the change again.';
/** What `ReferralValidationFailed.message` says when the Partner API gave no message of its own. */
const INVALID_MESSAGES = {
  rules: 'The input is not valid; nothing was written.',
  partnerApi: 'The Partner API rejected the change; nothing was written.',
  partnerApiSize: 'The Partner API refused the referral as too large; nothing was written.',
} as const;

export async function resolveUpdateReferral(
  ctx: GatewayContext,
  id: string,
  input: UpdateReferralInput,
  etag: string,
): Promise<UpdateReferralResult> {
  const outcome = await updateReferral(writeContextOf(ctx), id, input, etag);
  if (outcome.kind === 'updated' && outcome.recoveredFrom !== undefined) {
    ctx.logger.info(
      { code: outcome.recoveredFrom },
      'write landed although its answer was lost; reconciled as success',
    );
  }
  return toUpdateResult(ctx, outcome);
}

export function toUpdateResult(ctx: GatewayContext, outcome: UpdateOutcome): UpdateReferralResult {
  switch (outcome.kind) {
    case 'updated':
      return { __typename: 'UpdateReferralSuccess', referral: ctx.response.referral(outcome.referral) };
    case 'stale':
      return preconditionFailed(ctx, outcome.current);
    case 'invalid':
      return validationFailed(
        outcome.upstreamMessage ?? INVALID_MESSAGES[outcome.refusedBy],
        outcome.fieldErrors,
      );
    case 'transitionNotAllowed':
      return {
        __typename: 'ReferralTransitionNotAllowed',
        message: `A referral cannot move from ${describe(outcome.fromStatus, outcome.fromSubstatus)} to ${describe(outcome.toStatus, outcome.toSubstatus)}.`,
        // Wire strings; a value the enum does not know answers null (see buildSchema.ts).
        fromStatus: isReferralStatus(outcome.fromStatus) ? outcome.fromStatus : null,
        fromSubstatus: isReferralSubstatus(outcome.fromSubstatus) ? outcome.fromSubstatus : null,
        toStatus: isReferralStatus(outcome.toStatus) ? outcome.toStatus : null,
        toSubstatus: isReferralSubstatus(outcome.toSubstatus) ? outcome.toSubstatus : null,
        allowedStatuses: [...outcome.allowedStatuses],
        allowedSubstatuses: [...outcome.allowedSubstatuses],
      };
    case 'notFound':
      return {
        __typename: 'ReferralNotFound',
        message: 'There is no referral with this id.',
        id: outcome.id,
      };
  }
}

function preconditionFailed(ctx: GatewayContext, current: WireReferral): UpdateReferralResult {
  return {
    __typename: 'ReferralPreconditionFailed',
    message: STALE_MESSAGE,
    currentEtag: current.eTag,
    currentReferral: ctx.response.referral(current),
  };
}

function describe(status: unknown, substatus: unknown): string {
  return `${typeof status === 'string' ? status : 'no status'}/${typeof substatus === 'string' ? substatus : 'no substatus'}`;
}
