/**
 * Runs the example accounts subgraph (schema.graphql beside this file) on loopback. Its data is
 * given by the caller: accounts with the referral ids they own, and a seller per referral id.
 */
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

export const ACCOUNTS_SDL = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly referralIds: readonly string[];
}

export interface Seller {
  readonly email: string;
  readonly name: string;
}

export interface AccountsData {
  readonly accounts: readonly Account[];
  /** Seller of a referral; referrals not listed have none. */
  readonly sellerOf: (referralId: string) => Seller | null;
}

export async function startAccountsSubgraph(
  data: AccountsData,
): Promise<{ url: string; stop(): Promise<void> }> {
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(ACCOUNTS_SDL),
      resolvers: {
        Query: {
          account: (_: unknown, { id }: { id: string }) =>
            data.accounts.find((account) => account.id === id) ?? null,
        },
        Account: {
          __resolveReference: ({ id }: { id: string }) =>
            data.accounts.find((account) => account.id === id) ?? null,
          openReferrals: (account: Account) =>
            account.referralIds.map((id) => ({ __typename: 'Referral', id })),
        },
        Referral: {
          __resolveReference: ({ id }: { id: string }) => ({ id }),
          assignedSeller: ({ id }: { id: string }) => data.sellerOf(id),
        },
      },
    },
  ]);
  const server = new ApolloServer({ schema });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}
