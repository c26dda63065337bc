/**
 * The deal-registration workflows (README "Deal registrations"; docs/partner-api.md §3.5, §5.3):
 * check the input before any call, read the referral fresh, let the pure planner
 * (domain/referral/dealRegistration.ts) decide (stale etag, which registration, which JSON Patch),
 * and hand the write to the write service (writeReferral.ts), which sends it as a PATCH with
 * `If-Match` in every write mode (no PUT equivalent is documented), maps the answer and settles a
 * write whose fate is unknown. Knows the upstream client and the domain rules, not GraphQL.
 */
import {
  type DealRegistrationChanges,
  type DealRegistrationDraft,
  findRegistration,
  planChangeRegistration,
  planCreateRegistration,
  type RegistrationPlan,
  validateDealRegistration,
  validateDealRegistrationChanges,
} from '../domain/referral/dealRegistration.ts';
import type { FieldError } from '../domain/referral/validation.ts';
import type { WireDealRegistration, WireReferral } from '../upstream/referralWire.ts';
import { read, type WriteContext, type WriteOutcome, writeReferral } from './writeReferral.ts';

export type DealRegistrationOutcome =
  /** Written: the referral after it, and the registration created or changed (`null` if not in it). */
  | (Extract<WriteOutcome, { kind: 'updated' }> & { readonly registration: WireDealRegistration | null })
  | Exclude<WriteOutcome, { kind: 'updated' | 'invalid' }>
  | {
      readonly kind: 'invalid';
      readonly refusedBy: 'rules' | 'partnerApi' | 'partnerApiSize';
      readonly fieldErrors: readonly FieldError[];
      readonly upstreamMessage?: string | undefined;
    }
  | { readonly kind: 'registrationNotFound'; readonly referralId: string; readonly registrationId: string };

export async function createDealRegistration(
  ctx: WriteContext,
  referralId: string,
  draft: DealRegistrationDraft,
  etag: string,
): Promise<DealRegistrationOutcome> {
  const fieldErrors = validateDealRegistration(draft);
  if (fieldErrors.length > 0) return { kind: 'invalid', refusedBy: 'rules', fieldErrors };
  // A fresh read, never a cache hit: a cache may predate a concurrent write.
  const current = await read(ctx, referralId);
  if (current === null) return { kind: 'notFound', id: referralId };
  return carryOut(ctx, current, etag, planCreateRegistration(current, draft, etag));
}

export async function updateDealRegistration(
  ctx: WriteContext,
  referralId: string,
  registrationId: string,
  changes: DealRegistrationChanges,
  etag: string,
): Promise<DealRegistrationOutcome> {
  const fieldErrors = validateDealRegistrationChanges(changes);
  if (fieldErrors.length > 0) return { kind: 'invalid', refusedBy: 'rules', fieldErrors };
  const current = await read(ctx, referralId);
  if (current === null) return { kind: 'notFound', id: referralId };
  const plan = planChangeRegistration(current, registrationId, changes, etag);
  if (plan.kind === 'registrationNotFound')
    return { kind: 'registrationNotFound', referralId, registrationId };
  return carryOut(ctx, current, etag, plan, registrationId);
}

async function carryOut(
  ctx: WriteContext,
  current: WireReferral,
  etag: string,
  plan: Exclude<RegistrationPlan, { kind: 'registrationNotFound' }>,
  /** The registration changed; none for a create (an unchanged create cannot happen). */
  registrationId?: string,
): Promise<DealRegistrationOutcome> {
  switch (plan.kind) {
    case 'stale':
      return { kind: 'stale', current };
    case 'invalid':
      return { kind: 'invalid', refusedBy: 'rules', fieldErrors: plan.fieldErrors };
    case 'unchanged':
      // Nothing differs: the referral as read is the answer, and nothing is written.
      return {
        kind: 'updated',
        referral: current,
        registration:
          registrationId === undefined
            ? null
            : ((findRegistration(current, registrationId) as WireDealRegistration | undefined) ?? null),
      };
    case 'write':
      break;
  }
  const outcome = await writeReferral(ctx, current, etag, {
    body: plan.body,
    patch: plan.patch,
    patchOnly: true,
    judge: plan.judge,
  });
  if (outcome.kind !== 'updated') return outcome;
  // Registrations are unchecked on arrival (§5.3); the GraphQL layer answers `null` for any value
  // of an unexpected type (src/graphql/wirePresentation.ts), so the wire type is what it expects,
  // not a promise.
  const registration = (plan.locate(outcome.referral) as WireDealRegistration | undefined) ?? null;
  return { ...outcome, registration };
}
