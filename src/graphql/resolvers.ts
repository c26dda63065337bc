/** Every resolver map of the schema, merged: scalars, enum wire values and the per-domain maps. */
import type { Resolvers } from './__generated__/resolvers-types.ts';
import { createReferralResolvers } from './createReferralResult.ts';
import { dealRegistrationResolvers } from './dealRegistrationResolvers.ts';
import { ENUM_WIRE_VALUES } from './enumValues.ts';
import { mergeResolvers } from './mergeResolvers.ts';
import { observeMutationResults } from './mutationResults.ts';
import { referralResolvers } from './referralResolvers.ts';
import { DateTime } from './scalars.ts';
import { jsonScalarResolvers } from './tolerantFields.ts';

// Merged type by type: several maps resolve fields of one type (mergeResolvers.ts); every
// mutation's result member is reported for metrics (mutationResults.ts).
export const resolvers: Resolvers = observeMutationResults(
  mergeResolvers(
    { DateTime, ...ENUM_WIRE_VALUES },
    referralResolvers,
    jsonScalarResolvers,
    createReferralResolvers,
    dealRegistrationResolvers,
  ),
);
