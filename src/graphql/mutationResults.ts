/**
 * Counts what each mutation answered: every `Mutation` field resolves to a member of its result
 * union (`UpdateReferralSuccess`, `ReferralPreconditionFailed`…), and this reports that member's
 * `__typename` to the request's observer, whether or not the client selected `__typename`. One
 * wrapper over the merged resolver map instead of a line in every mapper; a mutation that throws
 * (a top-level error) reports nothing here: its code is the request's outcome.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { Resolvers } from './__generated__/resolvers-types.ts';
import type { GatewayContext } from './context.ts';

type FieldResolver = (
  parent: unknown,
  args: unknown,
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
) => unknown;

export function observeMutationResults(resolvers: Resolvers): Resolvers {
  const mutation = resolvers.Mutation as Record<string, FieldResolver> | undefined;
  if (mutation === undefined) return resolvers;
  const observed: Record<string, FieldResolver> = {};
  for (const [field, resolve] of Object.entries(mutation)) {
    if (typeof resolve !== 'function')
      throw new TypeError(`Mutation.${field} must be a plain resolver function`);
    observed[field] = async (parent, args, ctx, info) => {
      const result = await resolve(parent, args, ctx, info);
      const typename = (result as { __typename?: unknown } | null | undefined)?.__typename;
      if (typeof typename === 'string') ctx.observer.mutationResult(field, typename);
      return result;
    };
  }
  return { ...resolvers, Mutation: observed } as Resolvers;
}
