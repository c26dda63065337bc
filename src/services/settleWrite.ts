/**
 * A write whose fate is unknown (the connection dropped or timed out after the request was sent,
 * a 5xx, an unreadable answer) is never sent again blindly: a second PUT, PATCH or POST could
 * apply twice. It is settled by reading the resource again and judging what is there (for an
 * update, domain/referral/reconcile.ts). Our write that landed is a success, someone else's is a
 * conflict, nothing written leaves the original failure standing, and so does a failed re-read:
 * the caller then knows exactly as much as before. Any write can use it; the reading and the
 * judging are the caller's.
 */
import type { Reconciliation } from '../domain/referral/reconcile.ts';
import type { WireReferral } from '../upstream/referralWire.ts';
import type { UpstreamError } from '../upstream/upstreamErrors.ts';

export type Settled<Now = WireReferral> =
  | { readonly kind: 'applied'; readonly now: Now }
  | { readonly kind: 'changedByOthers'; readonly now: Now };

/**
 * `Now` is what the re-read finds: the referral itself after an update, the referral a create
 * made after a POST (found among the newest ones, services/createReferral.ts).
 */
export interface AmbiguousWrite<Now = WireReferral> {
  /** What made the write's fate unknown; thrown again when the write did not land. */
  readonly failure: UpstreamError;
  /** Reads the resource as it is now; `null` when it is gone (or, for a create, not found). */
  readonly reread: () => Promise<Now | null>;
  /** What the resource as it is now says about our write. */
  readonly judge: (now: Now) => Reconciliation;
}

export async function settleAmbiguousWrite<Now = WireReferral>(
  write: AmbiguousWrite<Now>,
): Promise<Settled<Now>> {
  let now: Now | null;
  try {
    now = await write.reread();
  } catch {
    throw write.failure;
  }
  if (now === null) throw write.failure;
  const verdict = write.judge(now);
  if (verdict === 'notApplied') throw write.failure;
  return { kind: verdict, now };
}
