/**
 * An answer's referrals rewritten one by one, whether the answer is one referral or a list page
 * (`{value: [...]}`): how the emulator's answer styles (relatedLinks.ts,
 * normalisedRegistrations.ts) reach every referral they show.
 */
import { isObject } from './json.ts';
import type { RouteResponse } from './referralRoutes.ts';

export function mapAnswerReferrals(
  response: RouteResponse,
  rewrite: (referral: unknown) => unknown,
): RouteResponse {
  const { body } = response;
  if (!isObject(body)) return response;
  const rewritten = Array.isArray(body.value) ? { ...body, value: body.value.map(rewrite) } : rewrite(body);
  return { ...response, body: rewritten };
}
