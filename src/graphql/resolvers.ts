/** Every resolver map of the schema, merged: scalars, enum wire values and the per-domain maps. */
import type { Resolvers } from './__generated__/resolvers-types.ts';
import { ENUM_WIRE_VALUES } from './enumValues.ts';
import { referralResolvers } from './referralResolvers.ts';
import { DateTime } from './scalars.ts';

export const resolvers: Resolvers = {
  DateTime,
  ...ENUM_WIRE_VALUES,
  ...referralResolvers,
};
