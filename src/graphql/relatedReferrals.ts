/**
 * `Referral.relatedReferrals`: the other referrals of the referral's engagement
 * (docs/partner-api.md §3.6), read once per engagement per request through the loader
 * (loaders.ts) and the service that follows the referral's own link and leaves the referral
 * itself out (services/relatedReferrals.ts). Every referral handed out is charged to the answer.
 */
import { type EngagementReferrals, MAX_RELATED_PAGES, relatedTo } from '../services/relatedReferrals.ts';
import type { WireReferral } from '../upstream/referralWire.ts';
import type { GatewayContext } from './context.ts';

/**
 * Reads already logged. A read is one object per engagement per request (the loader caches it),
 * so each unusual read is logged once, not once per referral of the page that shares it.
 */
const logged = new WeakSet<EngagementReferrals>();

function logUnusual(ctx: GatewayContext, engagementId: string, read: EngagementReferrals): void {
  if (logged.has(read) || (!read.truncated && !read.unusableLink)) return;
  logged.add(read);
  if (read.unusableLink) {
    ctx.logger.warn(
      { engagementId },
      'relatedReferrals: the referral’s link is no page of the referral collection; listed by engagementId instead',
    );
  }
  if (read.truncated) {
    ctx.logger.warn(
      { engagementId, pagesRead: MAX_RELATED_PAGES, referrals: read.items.length },
      'relatedReferrals truncated: the engagement has more pages than are read',
    );
  }
}

export async function resolveRelatedReferrals(
  referral: WireReferral,
  ctx: GatewayContext,
): Promise<WireReferral[]> {
  const { engagementId } = referral;
  if (typeof engagementId !== 'string' || engagementId.trim() === '') return [];
  const read = await ctx.loaders.engagementReferrals.load({
    engagementId,
    link: referral.links?.relatedReferrals?.uri,
  });
  logUnusual(ctx, engagementId, read);
  const others = relatedTo(read, referral);
  return others.map((other) => ctx.response.referral(other));
}
