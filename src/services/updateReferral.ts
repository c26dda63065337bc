/**
 * The update workflow, below the GraphQL layer (README "Updates"; docs/partner-api.md §0, §3.4,
 * §7): refuse an oversized input before any call, read the referral fresh, let the pure
 * `planUpdate` decide (stale etag, field formats, transition table, the full-replacement body),
 * write it with `If-Match`, and turn the Partner API's answer into a domain outcome. Failures that
 * are not business outcomes (auth, timeouts, 5xx, bad responses) propagate as `UpstreamError`s.
 * Knows the upstream client and the domain rules, not GraphQL: src/graphql maps each outcome to
 * a member of `UpdateReferralResult`.
 */
import type { ReferralChanges } from '../domain/referral/changes.ts';
import { checkInputLimits } from '../domain/referral/inputLimits.ts';
import { planUpdate, type UpdatePlan } from '../domain/referral/planUpdate.ts';
import type { FieldError } from '../domain/referral/validation.ts';
import { read, type WriteContext, type WriteOutcome, writeReferral } from './writeReferral.ts';

export type { WriteContext } from './writeReferral.ts';

export type TransitionRefusal = Omit<Extract<UpdatePlan, { kind: 'transitionNotAllowed' }>, 'kind'>;

/**
 * What the write step answers (writeReferral.ts), plus what is decided before writing: a stale
 * etag (`stale`), a refusal by our own rules (`invalid` with `refusedBy: 'rules'` and the field
 * errors), a transition outside the table, and a referral that is not there.
 */
export type UpdateOutcome =
  | WriteOutcome
  | {
      readonly kind: 'invalid';
      readonly refusedBy: 'rules';
      readonly fieldErrors: readonly FieldError[];
      readonly upstreamMessage?: undefined;
    }
  | ({ readonly kind: 'transitionNotAllowed' } & TransitionRefusal);

export async function updateReferral(
  ctx: WriteContext,
  id: string,
  changes: ReferralChanges,
  etag: string,
): Promise<UpdateOutcome> {
  const oversized = checkInputLimits(changes);
  if (oversized.length > 0) return { kind: 'invalid', refusedBy: 'rules', fieldErrors: oversized };

  // A fresh read, never a cache hit: a cache may predate a concurrent write.
  const current = await read(ctx, id);
  if (current === null) return { kind: 'notFound', id };

  const plan = planUpdate(current, changes, etag);
  switch (plan.kind) {
    case 'stale':
      return { kind: 'stale', current };
    case 'invalid':
      return { kind: 'invalid', refusedBy: 'rules', fieldErrors: plan.fieldErrors };
    case 'transitionNotAllowed':
      return plan;
    case 'write':
      break;
  }

  return writeReferral(ctx, current, etag, { body: plan.body });
}
