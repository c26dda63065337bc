/**
 * DataLoaders, one set per GraphQL request. The Partner API has no batch read, so a batch fans
 * out to one GET per distinct id; what the loader buys is de-duplication: ten aliases of one
 * referral cost one upstream call. Only whole referrals enter it (a GET, or what a write read
 * or wrote): list items may be partial (docs/partner-api.md §3.1), so a `referral(id)` after a
 * list reads the referral itself rather than answer missing fields from the list's copy.
 */
import DataLoader from 'dataloader';
import {
  type Engagement,
  type EngagementReferrals,
  engagementKey,
  readEngagementReferrals,
} from '../services/relatedReferrals.ts';
import type { CallContext } from '../upstream/httpClient.ts';
import type { ReferralsApi } from '../upstream/referralsApi.ts';
import type { WireReferral } from '../upstream/referralWire.ts';

export interface Loaders {
  /** By id; `null` when the Partner API answers 404. */
  readonly referral: DataLoader<string, WireReferral | null>;
  /**
   * An engagement's referrals, keyed by the engagement (one spelling per GUID): however many
   * referrals of a page ask for their related ones, each engagement costs one list read per
   * request. Its items come from a list, so they never enter `referral` (see above).
   */
  readonly engagementReferrals: DataLoader<Engagement, EngagementReferrals, string>;
}

export function createLoaders(api: ReferralsApi, call: CallContext): Loaders {
  return {
    referral: new DataLoader<string, WireReferral | null>((ids) =>
      Promise.all(ids.map((id) => api.getReferral(id, call).catch((error: unknown) => asError(error)))),
    ),
    engagementReferrals: new DataLoader<Engagement, EngagementReferrals, string>(
      (engagements) =>
        Promise.all(
          engagements.map((engagement) =>
            readEngagementReferrals(api, engagement, call).catch((error: unknown) => asError(error)),
          ),
        ),
      { cacheKeyFn: (engagement) => engagementKey(engagement.engagementId) },
    ),
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
