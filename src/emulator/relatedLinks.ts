/**
 * The forms `links.relatedReferrals` takes in the wild (docs/partner-api.md §3.6), so a test can
 * serve each: the docs quote the engagement GUID (`quoted`, what referralRoutes.ts writes), live
 * links were seen with it unquoted (`unquoted`), some doc URIs misspell the path (`misspelt`:
 * `…/engagments/referrals`), and a referral may come without the link (`none`).
 */
import { mapAnswerReferrals } from './answerReferrals.ts';
import { isObject } from './json.ts';
import { encodeQueryValue } from './listPage.ts';
import type { RouteResponse } from './referralRoutes.ts';

export type RelatedLinkStyle = 'quoted' | 'unquoted' | 'misspelt' | 'none';

function restyle(referral: unknown, style: RelatedLinkStyle, baseUrl: string): unknown {
  if (!isObject(referral) || !isObject(referral.links)) return referral;
  const { relatedReferrals: _documented, ...otherLinks } = referral.links;
  if (style === 'none') return { ...referral, links: otherLinks };
  const engagementId = String(referral.engagementId);
  const uri =
    style === 'unquoted'
      ? `${baseUrl}/engagements/referrals?$filter=${encodeQueryValue(`engagementId eq ${engagementId}`)}`
      : `${baseUrl}/engagments/referrals?$filter=${encodeQueryValue(`engagementId eq '${engagementId.replaceAll("'", "''")}'`)}`;
  return { ...referral, links: { ...otherLinks, relatedReferrals: { uri, method: 'GET' } } };
}

/** The answer with every referral's `links.relatedReferrals` in `style` (one referral or a list page). */
export function withRelatedLinkStyle(
  response: RouteResponse,
  style: RelatedLinkStyle,
  baseUrl: string,
): RouteResponse {
  if (style === 'quoted') return response;
  return mapAnswerReferrals(response, (referral) => restyle(referral, style, baseUrl));
}
