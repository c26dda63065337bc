/**
 * After a PUT whose outcome is unknown (the connection dropped or timed out after the request
 * was sent, a 5xx, an unreadable answer), a fresh read tells what happened. The `eTag` decides
 * first: it changes on every write (docs/partner-api.md §7), so an unchanged one proves nothing was
 * written. Otherwise the referral either is exactly what we sent (our write landed: a success,
 * not a false conflict) or someone else's write is there (a conflict the caller must see).
 * Pure: no I/O.
 */
import { isDeepStrictEqual } from 'node:util';
import { type JsonObject, SERVICE_SET_FIELDS } from './merge.ts';

export type Reconciliation = 'applied' | 'notApplied' | 'changedByOthers';

function content(referral: Readonly<JsonObject>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(referral)) if (!SERVICE_SET_FIELDS.has(key)) out[key] = value;
  return out;
}

export function reconcile(
  sent: Readonly<JsonObject>,
  ifMatch: string,
  now: Readonly<JsonObject>,
): Reconciliation {
  if (now.eTag === ifMatch) return 'notApplied';
  return isDeepStrictEqual(content(sent), content(now)) ? 'applied' : 'changedByOthers';
}
