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
import { reconcile } from '../domain/referral/reconcile.ts';
import type { FieldError } from '../domain/referral/validation.ts';
import type { CallContext } from '../upstream/httpClient.ts';
import type { ReferralsApi } from '../upstream/referralsApi.ts';
import type { WireReferral } from '../upstream/referralWire.ts';
import { isUpstreamError, type UpstreamErrorCode } from '../upstream/upstreamErrors.ts';
import { settleAmbiguousWrite } from './settleWrite.ts';

export type TransitionRefusal = Omit<Extract<UpdatePlan, { kind: 'transitionNotAllowed' }>, 'kind'>;

export type UpdateOutcome =
  /** Written; `recoveredFrom` when the answer was lost and a re-read showed our write landed. */
  | { readonly kind: 'updated'; readonly referral: WireReferral; readonly recoveredFrom?: UpstreamErrorCode }
  /** The caller's etag is not the current one, or someone wrote between our read and our write. */
  | { readonly kind: 'stale'; readonly current: WireReferral }
  /**
   * Refused for its content: by our rules (`fieldErrors`), or by the Partner API as invalid or as
   * too large (with its message when it gave one).
   */
  | {
      readonly kind: 'invalid';
      readonly refusedBy: 'rules' | 'partnerApi' | 'partnerApiSize';
      readonly fieldErrors: readonly FieldError[];
      readonly upstreamMessage?: string | undefined;
    }
  | ({ readonly kind: 'transitionNotAllowed' } & TransitionRefusal)
  | { readonly kind: 'notFound'; readonly id: string };

export interface WriteContext {
  readonly api: ReferralsApi;
  readonly call: CallContext;
  /** Told each referral read or written, whole: a per-request cache can keep in step. */
  readonly observe?: (referral: WireReferral) => void;
}

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

  try {
    const updated = await ctx.api.replaceReferral(id, plan.body, etag, ctx.call);
    ctx.observe?.(updated);
    return { kind: 'updated', referral: updated };
  } catch (error) {
    if (!isUpstreamError(error)) throw error;
    switch (error.code) {
      // Someone wrote between our read and our write (412), or the Partner API says the write
      // conflicts with the referral's state (409): nothing was written; show what is there now.
      case 'PRECONDITION_FAILED':
      case 'CONFLICT': {
        const fresh = await read(ctx, id);
        return fresh === null ? { kind: 'notFound', id } : { kind: 'stale', current: fresh };
      }
      case 'NOT_FOUND':
        return { kind: 'notFound', id };
      // Refused for its content: a 4xx is an answer, so there is no doubt to settle (§8).
      case 'BAD_REQUEST':
      case 'UNPROCESSABLE':
        return {
          kind: 'invalid',
          refusedBy: 'partnerApi',
          fieldErrors: [],
          upstreamMessage: error.upstreamMessage,
        };
      case 'CONTENT_TOO_LARGE':
        return {
          kind: 'invalid',
          refusedBy: 'partnerApiSize',
          fieldErrors: [],
          upstreamMessage: error.upstreamMessage,
        };
      // After these the PUT may or may not have been applied.
      case 'UPSTREAM_TIMEOUT':
      case 'UPSTREAM_UNAVAILABLE':
      case 'UPSTREAM_BAD_RESPONSE': {
        // A retry with the same etag is safe: If-Match makes a second application impossible.
        const settled = await settleAmbiguousWrite({
          failure: error,
          reread: () => read(ctx, id),
          judge: (now) => reconcile(plan.body, etag, now),
        });
        return settled.kind === 'applied'
          ? { kind: 'updated', referral: settled.now, recoveredFrom: error.code }
          : { kind: 'stale', current: settled.now };
      }
      default:
        throw error;
    }
  }
}

async function read(ctx: WriteContext, id: string): Promise<WireReferral | null> {
  const referral = await ctx.api.getReferral(id, ctx.call);
  if (referral !== null) ctx.observe?.(referral);
  return referral;
}
