/**
 * Turns a planned update (the referral as read, and the whole referral as it must be after the
 * write) into an RFC 6902 JSON Patch for `PATCH /referrals/{id}` (docs/partner-api.md §3.5), or
 * says why it cannot be one.
 *
 * Only `replace` and `add` exist on the Partner API, and only the paths it documents as patchable
 * are used: a patch that touches anything else might be refused, or worse, half-applied. So each
 * difference between the two documents must sit at (or under) one documented path; the op then
 * carries that whole path's new value (`/team` is replaced whole, as lists are on a PUT, §0.11).
 * When any difference lies elsewhere, the answer is `put` with the offending paths, and the caller
 * sends the full replacement instead. Service-set and response-only fields (`eTag`,
 * `updatedDateTime`, `links`, `@odata.context`; merge.ts `SERVICE_SET_FIELDS`) are never
 * compared: they are not the caller's. No difference at all is `unchanged`: an empty patch
 * (`PATCH []`) is undocumented, so the caller sends the PUT instead.
 *
 * Pure: no I/O; inputs never mutated.
 */
import { isDeepStrictEqual } from 'node:util';
import { isJsonObject } from '../json.ts';
import { jsonPointer } from '../jsonPointer.ts';
import { type JsonObject, SERVICE_SET_FIELDS } from './merge.ts';

export interface JsonPatchOperation {
  readonly op: 'add' | 'replace';
  /** An RFC 6901 JSON Pointer. */
  readonly path: string;
  readonly value: unknown;
}

/**
 * The paths the certified connector documents for `PatchReferralById` (docs/partner-api.md §3.5),
 * without the `/-` append forms: a list change is sent as the whole new list. Typed data: a path
 * added here becomes patchable, nothing else changes.
 */
export const PATCHABLE_PATHS: readonly string[] = [
  '/campaignId',
  '/consent/consentToShareReferralWithMicrosoftSellers',
  '/customerProfile/team',
  '/details/closingDateTime',
  '/details/currency',
  '/details/dealValue',
  '/details/notes',
  '/details/requirements/solutions',
  '/externalReferenceId',
  '/referralProgram',
  '/salesStage',
  '/status',
  '/substatus',
  '/statusReason',
  '/team',
];

const PATCHABLE: ReadonlySet<string> = new Set(PATCHABLE_PATHS);

export type PatchPlan =
  /** Send these operations (at least one). */
  | { readonly kind: 'patch'; readonly ops: readonly JsonPatchOperation[] }
  /**
   * Nothing differs (the change is already there). An empty JSON Patch is undocumented, so the
   * caller sends the PUT instead: the write the caller asked for, with a new etag, as in `put` mode.
   */
  | { readonly kind: 'unchanged' }
  /** A difference lies outside the documented paths: send a full PUT. */
  | { readonly kind: 'put'; readonly unpatchablePaths: readonly string[] };

export function planPatch(current: Readonly<JsonObject>, next: Readonly<JsonObject>): PatchPlan {
  const ops: JsonPatchOperation[] = [];
  const unpatchable: string[] = [];

  function walk(before: Readonly<JsonObject>, after: Readonly<JsonObject>, prefix: string, top: boolean) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) {
      if (top && SERVICE_SET_FIELDS.has(key)) continue;
      const was = before[key];
      const now = after[key];
      if (isDeepStrictEqual(was, now)) continue;
      const path = `${prefix}${jsonPointer([key])}`;
      if (PATCHABLE.has(path) && now !== undefined) {
        // `replace` needs the target to exist (RFC 6902 §4.3); `add` creates an object member.
        ops.push({ op: Object.hasOwn(before, key) ? 'replace' : 'add', path, value: now });
      } else if (isJsonObject(was) && isJsonObject(now)) {
        walk(was, now, path, false);
      } else {
        // Also a removed member: neither `add` nor `replace` can remove one.
        unpatchable.push(path);
      }
    }
  }

  walk(current, next, '', true);
  if (unpatchable.length > 0) return { kind: 'put', unpatchablePaths: unpatchable };
  return ops.length > 0 ? { kind: 'patch', ops } : { kind: 'unchanged' };
}
