/**
 * Merges a caller's changes into the referral as the Partner API sent it, producing the body of
 * a full-replacement PUT (docs/partner-api.md §0.2–3, §3.4). Rules:
 *
 * - an absent (`undefined`) change keeps the current value;
 * - `null` clears the field;
 * - an object merges field by field into the current object (or into `{}` if there is none);
 * - a list replaces the current list whole (PUT semantics; §0.11);
 * - every field the changes do not mention — undocumented ones (§5.3), server-owned ones, odd
 *   values — goes back exactly as read, in its original key order.
 *
 * `links` and `@odata.context` are dropped from the body: the docs say to remove `links` from a
 * PUT (§3.4), and `@odata.context` is response metadata. Pure: no I/O, inputs never mutated.
 */
import { isJsonObject } from '../json.ts';
import type { ReferralChanges } from './changes.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/**
 * A JSON object as parsed: what the Partner API sent is kept as it came (values unchecked here,
 * the wire schemas checked them), so the referral as read is one of these without a cast.
 */
export interface JsonObject {
  [key: string]: unknown;
}

/** Changes in wire form: the caller's input after enum mapping (changes.ts). */
type Changes = Readonly<Record<string, unknown>>;

/** Read-only metadata the PUT body must not carry. */
export const RESPONSE_ONLY_FIELDS = ['links', '@odata.context'] as const;

/**
 * Set by the service on every write (`eTag`, `updatedDateTime`, §7) or response-only: never part
 * of a client's change, so never compared when planning a patch (patchPlan.ts) or judging whether
 * a write landed (reconcile.ts).
 */
export const SERVICE_SET_FIELDS: ReadonlySet<string> = new Set([
  'eTag',
  'updatedDateTime',
  ...RESPONSE_ONLY_FIELDS,
]);

function toJson(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(toJson);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toJson(item);
    return out;
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new TypeError(`Not JSON data: ${typeof value}`);
}

export function mergeChanges(current: Readonly<JsonObject>, changes: ReferralChanges | Changes): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [key, change] of Object.entries(changes)) {
    if (change === undefined) continue;
    if (isJsonObject(change)) {
      const base = current[key];
      merged[key] = mergeChanges(isJsonObject(base) ? (base as JsonObject) : {}, change);
    } else {
      merged[key] = toJson(change);
    }
  }
  return merged;
}

/** The full-replacement body: current state with the changes applied, minus response metadata. */
export function replacementBody(current: Readonly<JsonObject>, changes: ReferralChanges): JsonObject {
  const body = mergeChanges(current, changes);
  for (const field of RESPONSE_ONLY_FIELDS) delete body[field];
  return body;
}
