/**
 * The write step every referral change shares (README "Updates"; docs/partner-api.md §3.4, §3.5,
 * §7): given the referral as just read and the whole referral as it must be afterwards, send it
 * with `If-Match` as a full PUT or as a JSON Patch, and turn the Partner API's answer into a
 * domain outcome. Conflicts are shown with a fresh read, refusals for content carry the Partner
 * API's message, and a write whose fate is unknown is settled by re-reading, never re-sent.
 *
 * PUT or PATCH: `writeMode` `put` always replaces the whole referral (the default, §0.1). In
 * `patch` mode the change goes as a JSON Patch of exactly the documented patchable paths it
 * touches (domain/referral/patchPlan.ts); a change touching any other path falls back to PUT and
 * the log says which paths forced it, and a change with nothing to patch (an empty JSON Patch is
 * undocumented) is sent as the PUT, so both modes answer it alike: a write with a new etag. A
 * PATCH asks for the result (`Prefer: return=representation`); if the Partner API answers 204
 * anyway (its default, §3.5), the referral is read once more, so both modes answer with the
 * referral as written. A write the Partner API accepted is never reported as failed: if that read
 * fails, the answer is the planned referral under the PATCH answer's `ETag` header (logged); only
 * without one does the read's failure stand.
 *
 * Whether a failed write may have landed is decided in one place (retryPolicy.ts
 * `mayHaveApplied`), for every write of the gateway.
 */
import type { JsonObject } from '../domain/referral/merge.ts';
import { type JsonPatchOperation, planPatch } from '../domain/referral/patchPlan.ts';
import { type Reconciliation, reconcile } from '../domain/referral/reconcile.ts';
import type { FieldError } from '../domain/referral/validation.ts';
import type { CallContext } from '../upstream/httpClient.ts';
import type { ReferralsApi } from '../upstream/referralsApi.ts';
import type { WireReferral } from '../upstream/referralWire.ts';
import { mayHaveApplied } from '../upstream/retryPolicy.ts';
import { isUpstreamError, type UpstreamErrorCode } from '../upstream/upstreamErrors.ts';
import { settleAmbiguousWrite } from './settleWrite.ts';

/** How `updateReferral` writes (`PARTNER_API_WRITE_MODE`, README "Configuration"). */
export type WriteMode = 'put' | 'patch';

/** Where a service says what it decided; the GraphQL layer passes the request's logger. */
export interface WriteLog {
  info(fields: object, message: string): void;
}

export interface WriteContext {
  readonly api: ReferralsApi;
  readonly call: CallContext;
  /** Default `put`. */
  readonly writeMode?: WriteMode | undefined;
  readonly log?: WriteLog | undefined;
  /** Told each referral read or written, whole: a per-request cache can keep in step. */
  readonly observe?: ((referral: WireReferral) => void) | undefined;
}

export interface PlannedWrite {
  /** The whole referral as it must be after the write: a PUT's body, and what settling compares with. */
  readonly body: JsonObject;
  /**
   * The JSON Patch to send instead of a PUT, when the change has one the caller built itself
   * (e.g. appending a deal registration). Without it, `patch` mode plans one from `body`.
   */
  readonly patch?: readonly JsonPatchOperation[] | undefined;
  /** The change exists only as a PATCH (no PUT equivalent is documented): sent so in every mode. */
  readonly patchOnly?: boolean | undefined;
  /**
   * Judges a fresh read after an ambiguous write; default `reconcile(body, etag, now)`. A write
   * whose result the service completes (ids, timestamps) needs a judge that allows for them.
   */
  readonly judge?: ((now: WireReferral) => Reconciliation) | undefined;
}

export type WriteOutcome =
  /** Written; `recoveredFrom` when the answer was lost and a re-read showed our write landed. */
  | { readonly kind: 'updated'; readonly referral: WireReferral; readonly recoveredFrom?: UpstreamErrorCode }
  /** Someone wrote between our read and our write: nothing of ours was written. */
  | { readonly kind: 'stale'; readonly current: WireReferral }
  /** Refused for its content by the Partner API, as invalid or as too large. */
  | {
      readonly kind: 'invalid';
      readonly refusedBy: 'partnerApi' | 'partnerApiSize';
      readonly fieldErrors: readonly FieldError[];
      readonly upstreamMessage?: string | undefined;
    }
  | { readonly kind: 'notFound'; readonly id: string };

type Send =
  | { readonly method: 'PUT' }
  | { readonly method: 'PATCH'; readonly ops: readonly JsonPatchOperation[] };

function chooseSend(ctx: WriteContext, current: WireReferral, planned: PlannedWrite): Send {
  if (planned.patchOnly) {
    if (planned.patch === undefined) throw new TypeError('A patch-only write needs its patch');
    return { method: 'PATCH', ops: planned.patch };
  }
  if ((ctx.writeMode ?? 'put') === 'put') return { method: 'PUT' };
  if (planned.patch !== undefined) return { method: 'PATCH', ops: planned.patch };
  const plan = planPatch(current, planned.body);
  if (plan.kind === 'patch') return { method: 'PATCH', ops: plan.ops };
  // Nothing to patch: `PATCH []` is undocumented; the PUT writes the same referral.
  if (plan.kind === 'unchanged') return { method: 'PUT' };
  ctx.log?.info(
    { unpatchablePaths: plan.unpatchablePaths.slice(0, 20) },
    'PATCH write mode: the change touches paths the Partner API does not document as patchable; sent as a full PUT',
  );
  return { method: 'PUT' };
}

export async function writeReferral(
  ctx: WriteContext,
  current: WireReferral,
  etag: string,
  planned: PlannedWrite,
): Promise<WriteOutcome> {
  const id = current.id;
  const send = chooseSend(ctx, current, planned);
  /** The referral as written, or (a PATCH answered 204) only the answer's `ETag` header. */
  let written: { readonly referral: WireReferral } | { readonly referral: null; readonly etag?: string };
  try {
    written =
      send.method === 'PUT'
        ? { referral: await ctx.api.replaceReferral(id, planned.body, etag, ctx.call) }
        : await ctx.api.patchReferral(id, send.ops, etag, ctx.call);
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
      default: {
        if (!mayHaveApplied(error)) throw error;
        // The write may or may not have been applied. Re-reading is safe and re-sending is not
        // needed: If-Match makes a second application of the same etag impossible, and the
        // fresh read tells which write is there.
        const settled = await settleAmbiguousWrite({
          failure: error,
          reread: () => read(ctx, id),
          judge: planned.judge ?? ((now) => reconcile(planned.body, etag, now)),
        });
        return settled.kind === 'applied'
          ? { kind: 'updated', referral: settled.now, recoveredFrom: error.code }
          : { kind: 'stale', current: settled.now };
      }
    }
  }
  if (written.referral === null) return afterNoContent(ctx, id, planned, written.etag);
  ctx.observe?.(written.referral);
  return { kind: 'updated', referral: written.referral };
}

/**
 * A PATCH answered 204 and nothing (§3.5): written. One more read shows the referral as written
 * (it may already show a later writer's change; it is still the referral after our write). If that
 * read fails (throttled, forbidden, the call budget spent, …) the write still succeeded: the
 * answer is the planned referral under the `ETag` the PATCH answer carried, and the log says so.
 * Without that header it is settled by one more read; if that fails too, there is nothing to
 * answer with and the read's failure stands.
 */
async function afterNoContent(
  ctx: WriteContext,
  id: string,
  planned: PlannedWrite,
  newEtag: string | undefined,
): Promise<WriteOutcome> {
  let after: WireReferral | null;
  try {
    after = await read(ctx, id);
  } catch (error) {
    if (!isUpstreamError(error)) throw error;
    if (newEtag === undefined) after = await read(ctx, id);
    else {
      ctx.log?.info(
        { referralId: id, code: error.code },
        'the write was applied (204) but the read after it failed; answered with the planned referral and the ETag header',
      );
      const referral = { ...planned.body, id, eTag: newEtag } as WireReferral;
      ctx.observe?.(referral);
      return { kind: 'updated', referral };
    }
  }
  // Deleted between our PATCH and the read after it: written, but nothing is left to show.
  return after === null ? { kind: 'notFound', id } : { kind: 'updated', referral: after };
}

export async function read(ctx: WriteContext, id: string): Promise<WireReferral | null> {
  const referral = await ctx.api.getReferral(id, ctx.call);
  if (referral !== null) ctx.observe?.(referral);
  return referral;
}
