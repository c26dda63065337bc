/**
 * The tolerance rules of the fields no documentation page lists, seen in the connector's V3
 * contract or on the live wire (docs/partner-api.md §5.2, §5.3), and of two legacy shapes (`ids:
 * {}`, a string `dealValue`). The wire check lets any value of these through
 * (src/upstream/referralWire.ts `unstated`): the Partner API adds and changes them without notice.
 * So each field answers `null` for a value of an unexpected type (a string where a boolean was
 * seen, a number where an object was), and a list drops items that are not objects, instead of
 * one odd value failing the referral, or the page. They are applied before GraphQL reads the
 * referral (wirePresentation.ts), not by resolvers. Enum-valued ones (`direction`, `salesStage`,
 * `registrationStatus`, a registration's `type`, `status`, `term`, …) need nothing here: every
 * wire enum already answers `null` for an unknown value or a non-string (wirePresentation.ts for
 * referrals and deal registrations, src/server/buildSchema.ts for every other type).
 */
import { GraphQLScalarType } from 'graphql';
import { isJsonObject } from '../domain/json.ts';
import { parseDecimal } from '../domain/referral/wireValues.ts';
import type { Resolvers } from './__generated__/resolvers-types.ts';

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function flag(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** A decimal sent as a number or, as the PATCH docs do with `dealValue`, as a string (§3.5). */
function decimal(value: unknown): number | null {
  return parseDecimal(value) ?? null;
}

function object(value: unknown): Record<string, unknown> | null {
  return isJsonObject(value) ? value : null;
}

/** The list itself when every item is an object (no copy), else the objects only. */
function objects(value: unknown): Record<string, unknown>[] | null {
  if (!Array.isArray(value)) return null;
  return value.every(isJsonObject) ? value : value.filter(isJsonObject);
}

/** Older payloads send `ids: {}` (docs/partner-api.md §5.2): no ids, not an error. */
function list(value: unknown): unknown[] | null {
  return Array.isArray(value) ? value : null;
}

/**
 * `tags` are strings in the connector's spec, which also shows a `tag` property beside that type:
 * `{ "tag": "x" }` items answer `"x"`; anything else is left out.
 */
function tags(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  if (value.every((item) => typeof item === 'string')) return value;
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') out.push(item);
    else if (isJsonObject(item) && typeof item.tag === 'string') out.push(item.tag);
  }
  return out;
}

type Coerce = (value: unknown) => unknown;

/**
 * Field → coercion, per type, applied to the raw JSON member before GraphQL reads it
 * (wirePresentation.ts). A coercion answers the member itself (the same object or list) when it
 * is already as answered, so nothing is copied for an ordinary referral.
 */
export const TOLERANT_FIELDS: Readonly<Record<string, Readonly<Record<string, Coerce>>>> = {
  Referral: {
    acceptedDateTime: text,
    closedDateTime: text,
    favorite: flag,
    isSpam: flag,
    campaignId: text,
    mpnId: text,
    referralProgram: text,
    quality: text,
    dealSensitivity: text,
    createdVia: text,
    lastModifiedVia: text,
    lastRunId: text,
    tags,
    registrations: objects,
    trackingInfo: object,
  },
  CustomerProfile: { isMatchingComplete: flag, ids: list },
  ReferralTrackingInfo: {
    microsoftMsxId: text,
    microsoftUSFedOpportunityId: text,
    microsoftUSFedLeadId: text,
    migratedPSCDealId: text,
    migratedPSCPartnerDealId: text,
  },
  // `dealValue`: a decimal; sent as a number, but the docs' PATCH example uses a string ("10000").
  ReferralDetails: { incentiveLevel: text, dealValue: decimal },
  SolutionTag: {
    price: decimal,
    quantity: decimal,
    currency: text,
    publisherName: text,
    closingDateTime: text,
  },
  ReferralIotRequirements: {
    customerLicenseAgreementNumber: text,
    deviceCategory: text,
    siliconType: text,
  },
  DealRegistration: {
    id: text,
    registrationDateTime: text,
    statusReason: text,
    contract: object,
    solutionDetails: objects,
    statusHistory: object,
  },
  DealRegistrationContract: {
    value: decimal,
    currency: text,
    startDateTime: text,
    endDateTime: text,
    signDateTime: text,
  },
  DealRegistrationSolution: {
    id: text,
    name: text,
    value: decimal,
    currency: text,
    isDeployedOnAzure: flag,
    marketplaceTransactionDetails: object,
  },
  DealRegistrationMarketplaceTransaction: {
    isMarketplaceTransacted: flag,
    marketplaceTransactionDateTime: text,
  },
  DealRegistrationStatusHistory: {
    reviewPendingDateTime: text,
    actionRequiredDateTime: text,
    passedDateTime: text,
    failedDateTime: text,
    approvedDateTime: text,
  },
};

/** Any JSON value, out as it came in; used only for items whose shape no source documents. */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'Any JSON value, passed through as the Partner API sent it.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

/** The `JSON` scalar of the open items; the fields above need no resolvers (wirePresentation.ts). */
export const jsonScalarResolvers: Resolvers = { JSON: JSONScalar };
