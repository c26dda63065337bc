/** Resolvers of the deal-registration mutations (schema/dealRegistration.graphql); thin by design. */
import type { Resolvers } from './__generated__/resolvers-types.ts';
import { resolveCreateDealRegistration, resolveUpdateDealRegistration } from './dealRegistrationResult.ts';
import { checkId } from './referralId.ts';

export const dealRegistrationResolvers: Resolvers = {
  Mutation: {
    createDealRegistration: (_parent, { referralId, input, etag }, ctx) =>
      resolveCreateDealRegistration(ctx, checkId(referralId), input, etag),
    updateDealRegistration: (_parent, { referralId, registrationId, input, etag }, ctx) =>
      resolveUpdateDealRegistration(ctx, checkId(referralId), registrationId, input, etag),
  },
  DealRegistrationResult: {
    __resolveType: (result) => result.__typename,
  },
};
