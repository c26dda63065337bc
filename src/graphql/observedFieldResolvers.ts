/**
 * Resolvers of the fields no documentation page lists, seen in the connector's V3 contract or on
 * the live wire (docs/partner-api.md §5.2, §5.3). Where no source states a field's type (it was
 * only ever seen as `null`) the wire check lets any value through (src/upstream/referralWire.ts
 * `unstated`), and the field answers `null` for a value of an unexpected type instead of failing
 * the referral: the Partner API adds and changes these fields without notice. Enum-valued ones
 * need nothing here: every wire enum already answers `null` for an unknown value
 * (src/server/buildSchema.ts).
 */
import { GraphQLScalarType } from 'graphql';
import type { Resolvers } from './__generated__/resolvers-types.ts';

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A decimal sent as a number or, as the PATCH docs do with `dealValue`, as a string (§3.5). */
export function decimal(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/**
 * `tags` are strings in the connector's spec, which also shows a `tag` property beside that type:
 * `{ "tag": "x" }` items answer `"x"`; anything else is left out.
 */
function tags(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  const out: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') out.push(item);
    else if (
      typeof item === 'object' &&
      item !== null &&
      typeof (item as { tag?: unknown }).tag === 'string'
    ) {
      out.push((item as { tag: string }).tag);
    }
  }
  return out;
}

/** Any JSON value, out as it came in; used only for items whose shape no source documents. */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'Any JSON value, passed through as the Partner API sent it.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

export const observedFieldResolvers: Resolvers = {
  JSON: JSONScalar,
  Referral: {
    tags: (referral) => tags(referral.tags),
  },
  ReferralDetails: {
    incentiveLevel: (details) => text(details.incentiveLevel),
  },
  SolutionTag: {
    price: (solution) => decimal(solution.price),
    quantity: (solution) => decimal(solution.quantity),
    currency: (solution) => text(solution.currency),
    publisherName: (solution) => text(solution.publisherName),
    closingDateTime: (solution) => text(solution.closingDateTime),
  },
  ReferralIotRequirements: {
    customerLicenseAgreementNumber: (iot) => text(iot.customerLicenseAgreementNumber),
    deviceCategory: (iot) => text(iot.deviceCategory),
    siliconType: (iot) => text(iot.siliconType),
  },
  DealRegistrationContract: {
    value: (contract) => decimal(contract.value),
  },
  DealRegistrationSolution: {
    value: (solution) => decimal(solution.value),
  },
};
