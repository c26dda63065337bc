/**
 * How large a referral's writable fields may be, as typed data, checked on a caller's input
 * before anything else happens (no read, no write, no format rule run over 70,000 list items).
 *
 * The Partner API documents no field lengths (docs/partner-api.md §11, "Gaps"), so these are the
 * gateway's own, chosen well above real data (the seed's longest notes are a few hundred
 * characters) and far below what would make a request or an answer heavy. A value past them is a
 * `ReferralValidationFailed` with code TOO_LONG or TOO_MANY_ITEMS, never a Partner API 400/413.
 * Pure: no I/O, no GraphQL.
 */
import type { FieldError } from './validation.ts';

export interface InputLimits {
  /** Longest string, by the field's own name (its last path segment); others get `defaultString`. */
  readonly stringByField: Readonly<Record<string, number>>;
  readonly defaultString: number;
  /** Most items of any list (team members, targets, tags). */
  readonly listItems: number;
}

export const REFERRAL_INPUT_LIMITS: InputLimits = Object.freeze({
  stringByField: Object.freeze({
    // Free text written by people.
    notes: 10_000,
    statusReason: 1_000,
    customerAction: 1_000,
    // Names and lines of an address.
    name: 256,
    firstName: 256,
    lastName: 256,
    title: 256,
    organizationName: 256,
    addressLine1: 256,
    addressLine2: 256,
    city: 128,
    state: 128,
    region: 128,
    postalCode: 32,
    // RFC 5321 §4.5.3.1.3: a forward path is at most 256 octets, so an address at most 254.
    email: 254,
    phoneNumber: 64,
    // Identifiers and codes.
    id: 256,
    externalReferenceId: 256,
    organizationId: 256,
    invitedMpnId: 64,
    campaignId: 256,
    referralProgram: 256,
    type: 256,
    size: 64,
    // BCP 47 §4.4.1 asks implementations to take tags of at least 35 characters.
    locale: 35,
    currency: 3,
    country: 2,
  }),
  defaultString: 1_000,
  listItems: 100,
});

/** Every bound `input` breaks, paths relative to it; list items past the bound are not looked at. */
export function checkInputLimits(input: unknown, limits: InputLimits = REFERRAL_INPUT_LIMITS): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (value: unknown, path: string[]): void => {
    if (typeof value === 'string') {
      const field = path.findLast((segment) => !/^\d+$/.test(segment)) ?? '';
      const max = limits.stringByField[field] ?? limits.defaultString;
      if (value.length > max) {
        errors.push({ path, message: `must be at most ${max} characters`, code: 'TOO_LONG' });
      }
      return;
    }
    if (Array.isArray(value)) {
      if (value.length > limits.listItems) {
        errors.push({
          path,
          message: `must have at most ${limits.listItems} items`,
          code: 'TOO_MANY_ITEMS',
        });
        return;
      }
      value.forEach((item, index) => {
        visit(item, [...path, String(index)]);
      });
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
    }
  };
  visit(input, []);
  return errors;
}
