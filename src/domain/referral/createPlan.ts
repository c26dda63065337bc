/**
 * Decides what a create sends, before any call (README "Creating referrals"; docs/partner-api.md
 * §3.3, §6): the same size bounds and format rules as an update (inputLimits.ts, validation.ts),
 * the initial status/substatus pair, and the POST body. Also plans Microsoft's half of a co-sell
 * referral from the partner's half (§3.3, "A shared co-sell referral takes two calls").
 *
 * The initial pair (gateway's choice; the docs only show a create asking for New/Pending):
 * - nothing given → `New`/`Pending`, the pair of the docs' example;
 * - a status without a substatus → that status's usual one: `New` → `Pending`, `Active` →
 *   `Accepted`; `Closed` has four, so a `Closed` create must name one;
 * - a substatus without a status → status `New`;
 * - the pair must be one the transition table allows a new referral to move to: every referral
 *   starts as `New`, so the pair is checked as a move from `New` (any status but `None`, with a
 *   substatus of its row). The Partner API may still set another status (it answered the docs'
 *   New/Pending example with Active/Accepted for an outgoing referral, §3.3).
 *
 * Pure: no I/O, no GraphQL; values are the wire's PascalCase strings.
 */
import { isPartnerId, PARTNER_ID_RULE } from '../ids.ts';
import { isJsonObject } from '../json.ts';
import type { ConsentChanges, CustomerProfileChanges, DetailsChanges, ReferralChanges } from './changes.ts';
import { checkInputLimits } from './inputLimits.ts';
import type { JsonObject, JsonValue } from './merge.ts';
import { checkTransition, TRANSITION_TABLE } from './transitions.ts';
import { type FieldError, validateChanges } from './validation.ts';
import { sameCaseless } from './wireValues.ts';

/**
 * What a caller sends to create a referral: every field an update may change (changes.ts), the
 * four the Partner API requires on create (§3.3) present, plus `engagementId` to join an existing
 * engagement. The GraphQL layer checks at compile time that `CreateReferralInput` has this shape
 * (src/graphql/createReferralResult.ts).
 */
export type ReferralCreation = Omit<ReferralChanges, 'type' | 'customerProfile' | 'consent' | 'details'> & {
  readonly type: string;
  readonly customerProfile: CustomerProfileChanges;
  readonly consent: ConsentChanges;
  readonly details: DetailsChanges;
  readonly engagementId?: string | null;
};

export type CreatePlan =
  | { readonly kind: 'invalid'; readonly fieldErrors: readonly FieldError[] }
  | { readonly kind: 'create'; readonly body: JsonObject };

/** Required on create (documented, §3.3); non-null in the schema too, checked again here. */
export const REQUIRED_ON_CREATE = ['type', 'customerProfile', 'consent', 'details'] as const;

/**
 * The create body's fields in the docs' order (§3.3), `engagementId` after `externalReferenceId`.
 * Any other field of the input (salesStage, campaignId, …) follows: the connector's create takes
 * the whole V3 Referral (docs/partner-api.md §1, S6).
 */
const CREATE_FIELD_ORDER = [
  'name',
  'externalReferenceId',
  'engagementId',
  'status',
  'substatus',
  'statusReason',
  'type',
  'qualification',
  'customerProfile',
  'consent',
  'details',
  'team',
  'inviteContext',
  'target',
] as const;

/** The substatus a status gets when a create names none (gateway's choice, see the header). */
const DEFAULT_SUBSTATUS: Readonly<Record<string, string>> = { New: 'Pending', Active: 'Accepted' };

export function planCreate(input: ReferralCreation): CreatePlan {
  const oversized = checkInputLimits(input);
  if (oversized.length > 0) return { kind: 'invalid', fieldErrors: oversized };

  const fieldErrors = [
    ...requiredErrors(input),
    ...validateChanges(input),
    ...engagementIdErrors(input.engagementId),
  ];
  const initial = initialPair(input.status, input.substatus);
  if (initial.kind === 'invalid') fieldErrors.push(...initial.fieldErrors);
  if (fieldErrors.length > 0 || initial.kind === 'invalid') return { kind: 'invalid', fieldErrors };

  return {
    kind: 'create',
    body: createBody({ ...input, status: initial.status, substatus: initial.substatus }),
  };
}

function requiredErrors(input: ReferralCreation): FieldError[] {
  const fields = input as unknown as Readonly<Record<string, unknown>>;
  return REQUIRED_ON_CREATE.filter((field) => fields[field] === undefined || fields[field] === null).map(
    (field) => ({ path: [field], message: 'is required to create a referral', code: 'REQUIRED' }),
  );
}

function engagementIdErrors(engagementId: string | null | undefined): FieldError[] {
  if (engagementId === undefined || engagementId === null || isPartnerId(engagementId)) return [];
  return [
    {
      path: ['engagementId'],
      message: `must be an engagement id: ${PARTNER_ID_RULE}`,
      code: 'INVALID',
    },
  ];
}

export type InitialPair =
  | { readonly kind: 'ok'; readonly status: string; readonly substatus: string }
  | { readonly kind: 'invalid'; readonly fieldErrors: readonly FieldError[] };

/** The status/substatus a new referral is created with, by the rule in the header. */
export function initialPair(
  status: string | null | undefined,
  substatus: string | null | undefined,
): InitialPair {
  const toStatus = status ?? 'New';
  const toSubstatus = substatus ?? DEFAULT_SUBSTATUS[toStatus];
  if (toSubstatus === undefined) {
    const row = (TRANSITION_TABLE as Readonly<Record<string, { substatuses: readonly string[] }>>)[toStatus];
    return {
      kind: 'invalid',
      fieldErrors: [
        row === undefined
          ? notAStartingStatus(toStatus)
          : {
              path: ['substatus'],
              message: `is required with status ${toStatus}: one of ${row.substatuses.join(', ')}`,
              code: 'REQUIRED',
            },
      ],
    };
  }
  const check = checkTransition('New', toStatus, toSubstatus);
  if (check.ok) return { kind: 'ok', status: toStatus, substatus: toSubstatus };
  if (check.reason === 'STATUS_NOT_REACHABLE') {
    return { kind: 'invalid', fieldErrors: [notAStartingStatus(toStatus)] };
  }
  return {
    kind: 'invalid',
    fieldErrors: [
      {
        path: ['substatus'],
        message: `${toSubstatus} is not allowed with status ${toStatus}; allowed: ${check.allowedSubstatuses.join(', ')}`,
        code: 'INVALID',
      },
    ],
  };
}

function notAStartingStatus(status: string): FieldError {
  return {
    path: ['status'],
    message: `a referral cannot be created as ${status}; allowed: ${TRANSITION_TABLE.New.next.join(', ')}`,
    code: 'INVALID',
  };
}

/**
 * The POST body: the input without absent or `null` values (a create has nothing to clear), in
 * the docs' field order, with the initial pair filled in.
 */
function createBody(input: Readonly<Record<string, unknown>>): JsonObject {
  const body: JsonObject = {};
  const keys = [...CREATE_FIELD_ORDER, ...Object.keys(input).filter((key) => !isOrdered(key))];
  for (const key of keys) {
    const value = withoutNulls(input[key]);
    if (value !== undefined) body[key] = value;
  }
  return body;
}

function isOrdered(key: string): boolean {
  return (CREATE_FIELD_ORDER as readonly string[]).includes(key);
}

function withoutNulls(value: unknown): JsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(withoutNulls).filter((item) => item !== undefined);
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      const kept = withoutNulls(item);
      if (kept !== undefined) out[key] = kept;
    }
    return out as JsonValue;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  return value as JsonValue;
}

// ── Co-sell: Microsoft's half ────────────────────────────────────────────────────────────────

/** The target of Microsoft's half of a co-sell referral (documented, §3.3). */
export const MICROSOFT_TARGET = Object.freeze({ type: 'BusinessProfileLocation', id: 'msft' });

/** The referral type the documented co-sell flow shares with Microsoft (§3.3). */
const SHARED_TYPE = 'Shared';

/** What Microsoft's half copies from the partner's referral, as they are (§3.3). */
const COPIED_TO_MICROSOFT = ['type', 'customerProfile', 'consent', 'details'] as const;

export type MicrosoftHalfPlan =
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'create'; readonly body: JsonObject };

/**
 * Why the partner's referral, as read, cannot be shared with Microsoft, or `undefined`: it has no
 * engagement; it is not `Shared` (the documented co-sell flow shares a `Shared` referral, §3.3);
 * it is itself Microsoft's half; it is a private deal (`consentToShareReferralWithMicrosoftSellers:
 * false`, documented as what makes a deal private, §3.3); or it lacks a field the half copies.
 * Decided on the referral alone, before its engagement is listed.
 */
export function shareRefusal(partner: Readonly<JsonObject>): string | undefined {
  const engagementId = partner.engagementId;
  if (typeof engagementId !== 'string' || engagementId === '') {
    return 'The referral has no engagementId to share with Microsoft.';
  }
  if (targetsMicrosoft(partner.target)) {
    return "The referral is already Microsoft's half of its engagement.";
  }
  if (!sameCaseless(partner.type, SHARED_TYPE)) {
    return `Only a Shared referral is co-sold with Microsoft; this one is ${typeof partner.type === 'string' ? partner.type : 'of no type'}.`;
  }
  const consent = partner.consent;
  if (isJsonObject(consent) && consent.consentToShareReferralWithMicrosoftSellers === false) {
    return 'The referral is a private deal (consentToShareReferralWithMicrosoftSellers is false); change its consent before sharing it with Microsoft.';
  }
  const missing = COPIED_TO_MICROSOFT.filter(
    (field) => partner[field] === undefined || partner[field] === null,
  );
  if (missing.length > 0) return `The referral has no ${missing.join(', ')} to share with Microsoft.`;
  return undefined;
}

/**
 * Microsoft's half of the co-sell flow, from the partner's referral as read and its engagement's
 * referrals as listed: the same engagement, `type`, `customerProfile`, `consent` and `details`,
 * the target `BusinessProfileLocation` `msft` and the initial pair `New`/`Pending`. Refused for
 * the reasons of `shareRefusal`, and when a referral of the engagement already targets Microsoft
 * (the engagement has its Microsoft half: a second would be a duplicate co-sell referral).
 * `engagement` is `undefined` when the caller only wants the body (to look for a half it sent).
 */
export function planMicrosoftHalf(
  partner: Readonly<JsonObject>,
  engagement?: readonly Readonly<JsonObject>[],
): MicrosoftHalfPlan {
  const refusal = shareRefusal(partner);
  if (refusal !== undefined) return { kind: 'refused', message: refusal };
  const existing = engagement?.find((referral) => targetsMicrosoft(referral.target));
  if (existing !== undefined) {
    return {
      kind: 'refused',
      message: `The engagement already has its Microsoft half (referral ${String(existing.id)}).`,
    };
  }
  const body: JsonObject = { engagementId: partner.engagementId, status: 'New', substatus: 'Pending' };
  for (const field of COPIED_TO_MICROSOFT) body[field] = structuredClone(partner[field]);
  body.target = [{ ...MICROSOFT_TARGET }];
  return { kind: 'create', body };
}

export function targetsMicrosoft(target: unknown): boolean {
  return (
    Array.isArray(target) &&
    target.some(
      (item) =>
        isJsonObject(item) &&
        item.id === MICROSOFT_TARGET.id &&
        sameCaseless(item.type, MICROSOFT_TARGET.type),
    )
  );
}
