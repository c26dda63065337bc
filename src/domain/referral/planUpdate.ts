/**
 * Decides what an update does, from the referral as just read and the caller's changes, before
 * anything is written (README "Updates", steps 2–4; docs/architecture.md):
 *
 * 1. the caller's etag must equal the current `eTag` exactly (RFC 9110 §13.1.1: If-Match uses
 *    strong comparison), otherwise the caller is editing a stale copy;
 * 2. the changes must pass the format rules;
 * 3. a status or substatus change must follow the transition table;
 * 4. then the full-replacement body is the current JSON with the changes merged in.
 *
 * Pure: the caller does the reading and writing.
 */
import type { ReferralChanges } from './changes.ts';
import { type JsonObject, replacementBody } from './merge.ts';
import { checkTransition, type ReferralSubstatus, type SettableStatus } from './transitions.ts';
import { type FieldError, validateChanges } from './validation.ts';

export type UpdatePlan =
  | { readonly kind: 'stale' }
  | { readonly kind: 'invalid'; readonly fieldErrors: readonly FieldError[] }
  | {
      readonly kind: 'transitionNotAllowed';
      readonly fromStatus: unknown;
      readonly fromSubstatus: unknown;
      readonly toStatus: unknown;
      readonly toSubstatus: unknown;
      readonly allowedStatuses: readonly SettableStatus[];
      readonly allowedSubstatuses: readonly ReferralSubstatus[];
    }
  | { readonly kind: 'write'; readonly body: JsonObject };

export function planUpdate(
  current: Readonly<JsonObject>,
  changes: ReferralChanges,
  etag: string,
): UpdatePlan {
  if (current.eTag !== etag) return { kind: 'stale' };

  const fieldErrors = validateChanges(changes);
  if (fieldErrors.length > 0) return { kind: 'invalid', fieldErrors };

  // Only a change of status or substatus is a transition; editing notes on a referral whose
  // current pair the table does not list (e.g. None/None) is not one.
  if (changes.status !== undefined || changes.substatus !== undefined) {
    const toStatus = changes.status !== undefined ? changes.status : current.status;
    const toSubstatus = changes.substatus !== undefined ? changes.substatus : current.substatus;
    const check = checkTransition(asText(current.status), asText(toStatus), asText(toSubstatus));
    if (!check.ok) {
      return {
        kind: 'transitionNotAllowed',
        fromStatus: current.status,
        fromSubstatus: current.substatus,
        toStatus,
        toSubstatus,
        allowedStatuses: check.allowedStatuses,
        allowedSubstatuses: check.allowedSubstatuses,
      };
    }
  }

  return { kind: 'write', body: replacementBody(current, changes) };
}

function asText(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
