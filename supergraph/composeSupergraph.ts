/**
 * Composes the company-style supergraph from our referrals subgraph and the example accounts
 * subgraph with @apollo/composition (the library Rover and GraphOS use).
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { readTypeDefs } from '../src/server/buildSchema.ts';
import { ACCOUNTS_SDL } from './accounts/accountsSubgraph.ts';

export interface SubgraphUrls {
  readonly referrals: string;
  readonly accounts: string;
}

export type Composition =
  | { readonly ok: true; readonly supergraphSdl: string; readonly hints: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[]; readonly hints: readonly string[] };

export function composeSupergraph(urls: SubgraphUrls): Composition {
  const result = composeServices([
    { name: 'referrals', url: urls.referrals, typeDefs: parse(readTypeDefs().join('\n')) },
    { name: 'accounts', url: urls.accounts, typeDefs: parse(ACCOUNTS_SDL) },
  ]);
  const hints = (result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`);
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.message), hints };
  return { ok: true, supergraphSdl: result.supergraphSdl, hints };
}
