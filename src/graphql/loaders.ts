/**
 * DataLoaders, one set per GraphQL request. The Partner API has no batch read, so a batch fans
 * out to one GET per distinct id; what the loader buys is de-duplication: ten aliases of one
 * referral, or a list followed by `referral(id)` of one of its items, cost one upstream call.
 */
import DataLoader from 'dataloader';
import type { CallContext } from '../upstream/httpClient.ts';
import type { ReferralsApi } from '../upstream/referralsApi.ts';
import type { WireReferral } from '../upstream/referralWire.ts';

export interface Loaders {
  /** By id; `null` when the Partner API answers 404. */
  readonly referral: DataLoader<string, WireReferral | null>;
}

export function createLoaders(api: ReferralsApi, call: CallContext): Loaders {
  return {
    referral: new DataLoader<string, WireReferral | null>((ids) =>
      Promise.all(ids.map((id) => api.getReferral(id, call).catch((error: unknown) => asError(error)))),
    ),
  };
}

/** Puts the items of a list page into the loader, so later loads of them cost nothing. */
export function primeReferrals(loaders: Loaders, items: readonly WireReferral[]): void {
  for (const item of items) loaders.referral.prime(item.id, item);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
