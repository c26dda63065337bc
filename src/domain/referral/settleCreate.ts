/**
 * After a POST whose outcome is unknown (dropped or timed out after sending, a 5xx, an unreadable
 * answer), the newest referrals tell whether it landed: a referral created at or after the POST
 * started whose identifying fields are the ones we sent is ours. A create has no eTag to prove
 * that nothing was written (unlike an update, reconcile.ts), so "not found" proves nothing: the
 * caller answers that the creation may have happened. Exactly one match settles it; several
 * (the same referral created twice within the window) are as inconclusive as none.
 *
 * Which fields identify a create: those a list item carries (list items may be partial,
 * docs/partner-api.md §3.1) and the Partner API does not set itself. Status and substatus are left
 * out (it sets them for outgoing referrals, §3.3); `engagementId` counts only when we sent one.
 * Enum-valued strings compare case-insensitively (§10: casing varies), amounts numerically (the
 * PATCH example sends a decimal as a string, §3.5), with the comparators every "is this still
 * ours?" shares (wireValues.ts). Pure: no I/O.
 */
import { isJsonObject } from '../json.ts';
import type { JsonObject } from './merge.ts';
import { sameWireValue, type WireValueKind } from './wireValues.ts';

/** How a value at an identifying path is compared. */
type Compare = Exclude<WireValueKind, 'instant'> | 'targets';

const IDENTITY: readonly { readonly path: readonly string[]; readonly compare: Compare }[] = [
  { path: ['type'], compare: 'caseless' },
  { path: ['name'], compare: 'exact' },
  { path: ['externalReferenceId'], compare: 'exact' },
  { path: ['engagementId'], compare: 'exact' },
  { path: ['customerProfile', 'name'], compare: 'exact' },
  { path: ['customerProfile', 'address', 'country'], compare: 'caseless' },
  { path: ['customerProfile', 'address', 'postalCode'], compare: 'exact' },
  { path: ['customerProfile', 'address', 'city'], compare: 'exact' },
  { path: ['details', 'dealValue'], compare: 'amount' },
  { path: ['details', 'currency'], compare: 'caseless' },
  { path: ['details', 'notes'], compare: 'exact' },
  { path: ['target'], compare: 'targets' },
];

/**
 * How far before the POST started a match may have been created: the gateway's clock and the
 * Partner API's may disagree (gateway's choice; nothing documents the service's clock).
 */
export const CREATE_CLOCK_SKEW_MS = 2 * 60 * 1000;

export type CreateMatch<T extends Readonly<JsonObject> = JsonObject> =
  | { readonly kind: 'one'; readonly referral: T }
  | { readonly kind: 'none' }
  | { readonly kind: 'several'; readonly count: number };

export interface CreateWindow {
  /** When the POST was started (epoch ms, the gateway's clock). */
  readonly since: number;
  /** Default CREATE_CLOCK_SKEW_MS. */
  readonly skewMs?: number;
}

/** The candidates that are the create `sent`, by the rules in the header. */
export function matchCreated<T extends Readonly<JsonObject>>(
  sent: Readonly<JsonObject>,
  candidates: readonly T[],
  window: CreateWindow,
): CreateMatch<T> {
  const earliest = window.since - (window.skewMs ?? CREATE_CLOCK_SKEW_MS);
  const matches = candidates.filter(
    (candidate) => createdAtOrAfter(candidate, earliest) && isSameCreate(sent, candidate),
  );
  if (matches.length === 1) return { kind: 'one', referral: matches[0] as T };
  return matches.length === 0 ? { kind: 'none' } : { kind: 'several', count: matches.length };
}

/**
 * Whether a page of the newest referrals (`createdDateTime` descending) already reaches back
 * before the window: then no later page can hold the create, and the look stops.
 */
export function reachesBefore(page: readonly Readonly<JsonObject>[], window: CreateWindow): boolean {
  const earliest = window.since - (window.skewMs ?? CREATE_CLOCK_SKEW_MS);
  return page.some((candidate) => {
    const created =
      typeof candidate.createdDateTime === 'string' ? Date.parse(candidate.createdDateTime) : NaN;
    return Number.isFinite(created) && created < earliest;
  });
}

/** Every identifying value `sent` has is the candidate's too. */
export function isSameCreate(sent: Readonly<JsonObject>, candidate: Readonly<JsonObject>): boolean {
  return IDENTITY.every(({ path, compare }) => {
    const ours = at(sent, path);
    // Nothing sent, or an empty list the service may echo as null: nothing to identify by.
    if (ours === undefined || ours === null || (Array.isArray(ours) && ours.length === 0)) return true;
    return same(ours, at(candidate, path), compare);
  });
}

function createdAtOrAfter(candidate: Readonly<JsonObject>, earliest: number): boolean {
  const created = candidate.createdDateTime;
  if (typeof created !== 'string') return false;
  const at = Date.parse(created);
  return Number.isFinite(at) && at >= earliest;
}

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function same(ours: unknown, theirs: unknown, compare: Compare): boolean {
  return compare === 'targets' ? sameTargets(ours, theirs) : sameWireValue(compare, ours, theirs);
}

/** The same set of `{type, id}` targets, in any order. */
function sameTargets(ours: unknown, theirs: unknown): boolean {
  if (!Array.isArray(ours) || !Array.isArray(theirs) || ours.length !== theirs.length) return false;
  const key = (item: unknown) =>
    isJsonObject(item) ? `${String(item.type).toLowerCase()}\u0000${String(item.id)}` : '';
  const mine = ours.map(key).sort();
  const found = theirs.map(key).sort();
  return mine.every((item, i) => item === found[i]);
}
