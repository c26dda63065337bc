/**
 * Merges resolver maps type by type, so several modules can each resolve fields of one type
 * (`Referral`, `ReferralDetails`…) without a later spread silently replacing an earlier map.
 * Two maps resolving the same field of the same type is a programming error, thrown at start-up.
 */
import type { Resolvers } from './__generated__/resolvers-types.ts';

export function mergeResolvers(...maps: readonly Resolvers[]): Resolvers {
  const merged: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [typeName, typeResolvers] of Object.entries(map)) {
      const existing = merged[typeName];
      if (existing === undefined) {
        merged[typeName] = typeResolvers;
        continue;
      }
      if (!isFieldMap(existing) || !isFieldMap(typeResolvers)) {
        throw new TypeError(`Resolvers of ${typeName} are defined twice`);
      }
      for (const field of Object.keys(typeResolvers)) {
        if (Object.hasOwn(existing, field)) throw new TypeError(`${typeName}.${field} is resolved twice`);
      }
      merged[typeName] = { ...existing, ...typeResolvers };
    }
  }
  return merged as Resolvers;
}

/** A plain map of field resolvers (not a scalar or enum definition). */
function isFieldMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
