/**
 * Deal registrations given back the way the live service normalises values (docs/partner-api.md
 * §10), so a test can prove the gateway recognises its own write in them: date-times with the
 * fraction's trailing zeros trimmed, or the fraction dropped when it is all zeros
 * (`2025-07-01T00:00:00.0000000Z` → `2025-07-01T00:00:00Z`); enum values in lower case
 * (`Finite` → `finite`); amounts as strings (`120000` → `"120000"`). Only answers change: the
 * store keeps what was written. Off by default (`EmulatorOptions.registrationValues`).
 */
import { mapAnswerReferrals } from './answerReferrals.ts';
import { isObject } from './json.ts';
import type { RouteResponse } from './referralRoutes.ts';

/** `asStored` (default): answers carry the stored values; `normalised`: as described above. */
export type RegistrationValueStyle = 'asStored' | 'normalised';

const ENUM_FIELDS = ['type', 'status', 'term', 'primaryDeploymentOn', 'pricingModel'];
const AMOUNT_FIELDS = ['value'];

function trimmedDateTime(value: string): string {
  const match = /^(.*T\d{2}:\d{2}:\d{2})\.(\d+)Z$/.exec(value);
  if (match === null) return value;
  const fraction = (match[2] as string).replace(/0+$/, '');
  return fraction === '' ? `${match[1]}Z` : `${match[1]}.${fraction}Z`;
}

/** Every member of a registration (nested objects and lists included), normalised by its name. */
function normalise(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => normalise(item));
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, normalise(item, name)]));
  }
  if (typeof value === 'string' && key.endsWith('DateTime')) return trimmedDateTime(value);
  if (typeof value === 'string' && ENUM_FIELDS.includes(key)) return value.toLowerCase();
  if (typeof value === 'number' && AMOUNT_FIELDS.includes(key)) return String(value);
  return value;
}

function withNormalisedRegistrations(referral: unknown): unknown {
  if (!isObject(referral) || !Array.isArray(referral.registrations)) return referral;
  return { ...referral, registrations: normalise(referral.registrations) };
}

/** The answer with every referral's registrations in `style` (one referral or a list page). */
export function withRegistrationValueStyle(
  response: RouteResponse,
  style: RegistrationValueStyle,
): RouteResponse {
  return style === 'asStored' ? response : mapAnswerReferrals(response, withNormalisedRegistrations);
}
