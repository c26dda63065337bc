/**
 * The characters the gateway accepts in a Partner API id (a referral's `id`, an `engagementId`).
 * Ids are GUIDs in every example (docs/partner-api.md §3.2, §5.1); anything outside this set would
 * only be percent-encoded into a URL path or quoted into a `$filter`, so refusing it early gives
 * the caller a clear error instead of an upstream 404. One rule for every kind of id.
 * Pure: no I/O.
 */

const PARTNER_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

/** The rule in words, for error messages. */
export const PARTNER_ID_RULE = 'letters, digits, `-`, `_`, `.` or `~`, at most 128 characters';

export function isPartnerId(text: string): boolean {
  return PARTNER_ID.test(text);
}
