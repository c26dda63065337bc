/**
 * The referrals of one engagement (docs/partner-api.md §3.6): there is no related-referrals call,
 * but every referral carries `links.relatedReferrals.uri`, the Partner API's own list query for
 * them. That link is followed, re-homed onto the configured origin as `@odata.nextLink` is
 * (referralsApi.ts `pageRefOf`): the docs quote the engagement GUID, live links leave it
 * unquoted, and the gateway need not know which the service wants. Only a referral without a
 * usable link (none, or one that is no page of the referral collection, e.g. the docs' misspelt
 * `engagments` path) gets our own escaped `$filter=engagementId eq '…'` instead.
 *
 * At most `MAX_RELATED_PAGES` pages are read: an engagement has a handful of referrals (the two
 * halves of a co-sell referral, §3.3), so a longer chain is not worth a request's whole call
 * budget; past the cap the list is cut and `truncated` says so. Knows the upstream client, not
 * GraphQL: the per-request loader (src/graphql/loaders.ts) shares one read per engagement, and
 * `relatedTo` answers one referral's related referrals from it (itself left out).
 *
 * Items without an `engagementId` are kept: the list is the Partner API's answer to a query by
 * engagement, and list items may be partial (§3.1), so a missing `engagementId` says nothing
 * against the item; only one naming another engagement is dropped.
 */
import type { CallContext } from '../upstream/httpClient.ts';
import { buildFilter } from '../upstream/odataQuery.ts';
import { MAX_PAGE_SIZE, type ReferralsApi } from '../upstream/referralsApi.ts';
import type { WireReferral } from '../upstream/referralWire.ts';

/** Pages of one engagement's list read at most: 500 referrals at the Partner API's 100 a page (§3.1). */
export const MAX_RELATED_PAGES = 5;

export interface Engagement {
  /** The engagement id as the referral carries it. */
  readonly engagementId: string;
  /** The referral's `links.relatedReferrals.uri`, when it has one. */
  readonly link: string | null | undefined;
}

export interface EngagementReferrals {
  /** The engagement's referrals as listed (list items may be partial, §3.1), the asking one included. */
  readonly items: readonly WireReferral[];
  /** How the list was asked for: the referral's own link, or our filter. */
  readonly source: 'link' | 'filter';
  /** The referral had a link, but not one to a page of the referral collection. */
  readonly unusableLink: boolean;
  /** The list had more pages than `MAX_RELATED_PAGES`; the rest were not read. */
  readonly truncated: boolean;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * One spelling per engagement: GUIDs compare case-insensitively in OData (and an unquoted link
 * may echo another casing), so `ABC…` and `abc…` are the same engagement and one list call.
 */
export function engagementKey(engagementId: string): string {
  const trimmed = engagementId.trim();
  return GUID.test(trimmed) ? trimmed.toLowerCase() : trimmed;
}

export async function readEngagementReferrals(
  api: ReferralsApi,
  engagement: Engagement,
  call: CallContext,
  /** Default `MAX_RELATED_PAGES`; a share reads one (services/createReferral.ts). */
  maxPages: number = MAX_RELATED_PAGES,
): Promise<EngagementReferrals> {
  const linked = engagement.link ? api.pageRefOf(engagement.link) : null;
  const first =
    linked !== null
      ? api.getReferralPage(linked, call)
      : api.listReferrals(
          {
            filter: buildFilter([{ kind: 'equals', path: 'engagementId', value: engagement.engagementId }]),
            top: MAX_PAGE_SIZE,
          },
          call,
        );
  let page = await first;
  const items: WireReferral[] = [...page.items];
  let pages = 1;
  while (page.nextPageRef !== null && pages < maxPages) {
    page = await api.getReferralPage(page.nextPageRef, call);
    items.push(...page.items);
    pages += 1;
  }
  // The link is the Partner API's query, not ours: an item naming another engagement is not
  // related. One naming none is kept (see the header).
  const key = engagementKey(engagement.engagementId);
  const related = items.filter(
    (item) => typeof item.engagementId !== 'string' || engagementKey(item.engagementId) === key,
  );
  return {
    items: related,
    source: linked !== null ? 'link' : 'filter',
    unusableLink: linked === null && Boolean(engagement.link),
    truncated: page.nextPageRef !== null,
  };
}

/** The referrals related to `referral`: its engagement's, itself left out (by `id`). */
export function relatedTo(read: EngagementReferrals, referral: Pick<WireReferral, 'id'>): WireReferral[] {
  return read.items.filter((item) => item.id !== referral.id);
}
