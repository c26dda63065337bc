/**
 * Referral ids as the gateway accepts them. Partner API ids are GUIDs in every example
 * (docs/partner-api.md §3.2); anything outside the set below would be encoded into the URL path anyway,
 * so refusing it early gives the caller a clear error instead of an upstream 404.
 */
import { badUserInput } from '../errors/create.ts';

const REFERRAL_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

/**
 * The id as the per-request loader keys it, or `undefined` when it cannot be one. `_entities`
 * representations are untyped (`_Any`): `12345` and `"12345"` name the same referral and must
 * cost one GET, not two.
 */
export function normalizeId(id: unknown): string | undefined {
  const text =
    typeof id === 'string' ? id : typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : undefined;
  return text !== undefined && REFERRAL_ID.test(text) ? text : undefined;
}

export function checkId(id: unknown): string {
  const normalized = normalizeId(id);
  if (normalized === undefined) throw badUserInput('`id` is not a referral id.');
  return normalized;
}
