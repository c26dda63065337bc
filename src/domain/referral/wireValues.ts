/**
 * How a value the gateway sent compares with the one the Partner API gives back, and how a
 * decimal on the wire is read: one home for both (docs/partner-api.md §10, §3.5). The service
 * normalises what it stores, so "is this still our value?" must not be asked with `===`:
 *
 * - date-times come back with trailing zeros of the fraction trimmed, or the fraction dropped
 *   (`…00.0000000Z` → `…00Z`): they compare as instants, to the 100 ns the wire carries;
 * - enum values (and currency codes) come back in other casings: they compare without case;
 * - decimals come back as numbers or as strings (the PATCH docs send `"10000"`): they compare as
 *   numbers.
 *
 * Used by the settling of a lost create (settleCreate.ts), the judging of a lost deal-registration
 * write (dealRegistration.ts) and the GraphQL resolvers of decimal fields. Pure: no I/O.
 */

/** How a value at some path is compared (`exact` for everything the service keeps as sent). */
export type WireValueKind = 'exact' | 'caseless' | 'amount' | 'instant';

/**
 * A decimal sent as a number or, as the PATCH docs do with `dealValue`, as a string (§3.5);
 * `undefined` for anything else (a blank string, a non-finite number, another type).
 */
export function parseDecimal(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** The same decimal, whether sent as a number or a string. */
export function sameAmount(a: unknown, b: unknown): boolean {
  const left = parseDecimal(a);
  return left !== undefined && left === parseDecimal(b);
}

/** The same string but for case (enum values, currency codes; §10). */
export function sameCaseless(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

const UTC_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;

/**
 * A UTC date-time as a comparable key: whole seconds, then the fraction without trailing zeros,
 * so `…:52.0404690Z`, `…:52.040469Z` and (for a zero fraction) `…:52Z` are one instant. Not a JS
 * `Date`, which would cut the seven digits to three (§10). `undefined` for anything else.
 */
export function instantKey(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = UTC_DATE_TIME.exec(value);
  if (match === null) return undefined;
  const seconds = Date.parse(`${match[1]}Z`);
  if (!Number.isFinite(seconds)) return undefined;
  return `${seconds}.${(match[2] ?? '').replace(/0+$/, '')}`;
}

/** The same instant, however many fractional digits either spells (§10). */
export function sameInstant(a: unknown, b: unknown): boolean {
  const left = instantKey(a);
  return left !== undefined && left === instantKey(b);
}

/**
 * Whether `theirs` (as the Partner API gives it back) is the value `ours` (as we sent it), by
 * `kind`. `null` and an absent value are the same: the service drops and nulls fields freely
 * (§10 "Nulls and absences").
 */
export function sameWireValue(kind: WireValueKind, ours: unknown, theirs: unknown): boolean {
  if (ours === null || ours === undefined) return theirs === null || theirs === undefined;
  switch (kind) {
    case 'exact':
      return ours === theirs;
    case 'caseless':
      return sameCaseless(ours, theirs);
    case 'amount':
      return sameAmount(ours, theirs);
    case 'instant':
      return sameInstant(ours, theirs);
  }
}
