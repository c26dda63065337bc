/**
 * Referral ids as the gateway accepts them: the id rule of src/domain/ids.ts (docs/partner-api.md
 * §3.2), checked at the GraphQL edge so a bad id is `BAD_USER_INPUT` before any call.
 */
import { isPartnerId } from '../domain/ids.ts';
import { badUserInput } from '../errors/create.ts';

/**
 * The id as the per-request loader keys it, or `undefined` when it cannot be one. `_entities`
 * representations are untyped (`_Any`): `12345` and `"12345"` name the same referral and must
 * cost one GET, not two.
 */
export function normalizeId(id: unknown): string | undefined {
  const text =
    typeof id === 'string' ? id : typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : undefined;
  return text !== undefined && isPartnerId(text) ? text : undefined;
}

export function checkId(id: unknown): string {
  const normalized = normalizeId(id);
  if (normalized === undefined) throw badUserInput('`id` is not a referral id.');
  return normalized;
}
