/**
 * `createDealRegistration` and `updateDealRegistration` in GraphQL terms: the input goes to the
 * deal-registration service (services/dealRegistrations.ts) as domain drafts and changes, and
 * each outcome becomes a member of `DealRegistrationResult`. The members it shares with
 * `UpdateReferralResult` are built by the same mapper (updateReferralResult.ts), so their
 * messages and field-error caps are one. Every referral handed out is charged to the answer.
 */
import type { DealRegistrationChanges, DealRegistrationDraft } from '../domain/referral/dealRegistration.ts';
import {
  createDealRegistration,
  type DealRegistrationOutcome,
  updateDealRegistration,
} from '../services/dealRegistrations.ts';
import type { UpdateOutcome } from '../services/updateReferral.ts';
import type {
  DealRegistrationChangesInput,
  DealRegistrationInput,
  ResolversTypes,
} from './__generated__/resolvers-types.ts';
import type { GatewayContext } from './context.ts';
import type { SameShape } from './inputShape.ts';
import { toUpdateResult, type UpdateReferralResult } from './updateReferralResult.ts';
import { writeContextOf } from './writeContext.ts';

export type DealRegistrationResult = ResolversTypes['DealRegistrationResult'];

// The schema's inputs and the domain's drafts have exactly one shape each (inputShape.ts).
const draftMatches: SameShape<DealRegistrationInput, DealRegistrationDraft> = true;
const changesMatch: SameShape<DealRegistrationChangesInput, DealRegistrationChanges> = true;
void draftMatches;
void changesMatch;

export async function resolveCreateDealRegistration(
  ctx: GatewayContext,
  referralId: string,
  input: DealRegistrationInput,
  etag: string,
): Promise<DealRegistrationResult> {
  return toResult(ctx, await createDealRegistration(writeContextOf(ctx), referralId, input, etag));
}

export async function resolveUpdateDealRegistration(
  ctx: GatewayContext,
  referralId: string,
  registrationId: string,
  input: DealRegistrationChangesInput,
  etag: string,
): Promise<DealRegistrationResult> {
  return toResult(
    ctx,
    await updateDealRegistration(writeContextOf(ctx), referralId, registrationId, input, etag),
  );
}

type SharedMember = Extract<
  Awaited<UpdateReferralResult>,
  { __typename: 'ReferralPreconditionFailed' | 'ReferralValidationFailed' | 'ReferralNotFound' }
>;

/** A member both unions have, built as updateReferral builds it. */
function shared(ctx: GatewayContext, outcome: UpdateOutcome): SharedMember {
  // Built synchronously; the generated result type also allows a promise.
  const result = toUpdateResult(ctx, outcome) as Awaited<UpdateReferralResult>;
  if (result.__typename === 'UpdateReferralSuccess' || result.__typename === 'ReferralTransitionNotAllowed') {
    throw new TypeError(`${outcome.kind} is not an outcome the two results share`);
  }
  return result;
}

function toResult(ctx: GatewayContext, outcome: DealRegistrationOutcome): DealRegistrationResult {
  switch (outcome.kind) {
    case 'updated':
      if (outcome.recoveredFrom !== undefined) {
        ctx.logger.info(
          { code: outcome.recoveredFrom },
          'deal registration write landed although its answer was lost; reconciled as success',
        );
      }
      return {
        __typename: 'DealRegistrationSuccess',
        referral: ctx.response.referral(outcome.referral),
        registration: ctx.response.registration(outcome.registration),
      };
    case 'registrationNotFound':
      return {
        __typename: 'DealRegistrationNotFound',
        message: 'The referral has no deal registration with this id.',
        referralId: outcome.referralId,
        registrationId: outcome.registrationId,
      };
    case 'invalid':
      return shared(
        ctx,
        outcome.refusedBy === 'rules'
          ? { kind: 'invalid', refusedBy: 'rules', fieldErrors: outcome.fieldErrors }
          : {
              kind: 'invalid',
              refusedBy: outcome.refusedBy,
              fieldErrors: outcome.fieldErrors,
              upstreamMessage: outcome.upstreamMessage,
            },
      );
    case 'stale':
    case 'notFound':
      return shared(ctx, outcome);
  }
}
