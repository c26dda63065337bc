/**
 * The subgraph inside a real supergraph: composed with @apollo/composition, served by
 * @apollo/gateway in front of our running gateway and the example accounts subgraph.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startAccountsSubgraph } from '../../supergraph/accounts/accountsSubgraph.ts';
import { composeSupergraph } from '../../supergraph/composeSupergraph.ts';
import { type Stack, startStack, TEST_TOKEN } from '../helpers/stack.ts';
import { UPDATE_REFERRAL } from '../helpers/updateMutation.ts';

interface RouterContext {
  authorization?: string;
}

let stack: Stack;
let accounts: Awaited<ReturnType<typeof startAccountsSubgraph>>;
let router: ApolloServer<RouterContext>;
let routerUrl: string;
let referralIds: string[];

beforeAll(async () => {
  stack = await startStack();
  referralIds = stack.emulator.listReferrals().map((r) => String(r.id));
  accounts = await startAccountsSubgraph({
    accounts: [{ id: 'acc-1', name: 'Contoso Ltd', referralIds: referralIds.slice(0, 3) }],
    sellerOf: (id) =>
      referralIds.indexOf(id) % 2 === 0 ? { email: 'sam@example.com', name: 'Sam Seller' } : null,
  });
  const composition = composeSupergraph({ referrals: stack.gateway.url, accounts: accounts.url });
  if (!composition.ok) throw new Error(composition.errors.join('\n'));
  const gateway = new ApolloGateway({
    supergraphSdl: composition.supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<RouterContext>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  router = new ApolloServer<RouterContext>({ gateway });
  ({ url: routerUrl } = await startStandaloneServer(router, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  }));
});
afterAll(async () => {
  await router.stop();
  await accounts.stop();
  await stack.close();
});
beforeEach(() => stack.emulator.clearRequests());

async function viaRouter(
  query: string,
  variables?: Record<string, unknown>,
  authorization = 'Bearer supergraph-user',
) {
  const res = await fetch(routerUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: Record<string, unknown>;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

describe('through a composed supergraph', () => {
  test('a query spanning both subgraphs returns joined data, with the caller’s token at the Partner API', async () => {
    const result = await viaRouter(`{
      account(id: "acc-1") { name openReferrals { id name status assignedSeller { name } } }
      referrals(first: 2) { edges { node { id assignedSeller { email } } } }
    }`);
    expect(result.errors).toBeUndefined();
    const account = result.data?.account as {
      name: string;
      openReferrals: { id: string; name: string; assignedSeller: unknown }[];
    };
    expect(account.name).toBe('Contoso Ltd');
    expect(account.openReferrals.map((r) => r.id)).toEqual(referralIds.slice(0, 3));
    for (const referral of account.openReferrals) {
      expect(referral.name).toBe(stack.emulator.getReferral(referral.id)?.name);
    }
    expect(account.openReferrals[0]?.assignedSeller).toEqual({ name: 'Sam Seller' });
    expect(account.openReferrals[1]?.assignedSeller).toBeNull();
    expect(stack.emulator.requests.length).toBeGreaterThan(0);
    for (const call of stack.emulator.requests)
      expect(call.headers.authorization).toBe('Bearer supergraph-user');
  });

  test('updateReferral answers each union member by __typename', async () => {
    const id = referralIds.find((rid) => stack.emulator.getReferral(rid)?.status === 'New') as string;
    const etag = String(stack.emulator.getReferral(id)?.eTag);
    const run = async (vars: Record<string, unknown>) =>
      (await viaRouter(UPDATE_REFERRAL, vars)).data?.updateReferral as {
        __typename: string;
        referral?: { etag: string };
      };

    const success = await run({ id, input: { name: 'Via the supergraph' }, etag });
    expect(success.__typename).toBe('UpdateReferralSuccess');
    expect((await run({ id, input: { name: 'x' }, etag })).__typename).toBe('ReferralPreconditionFailed');
    const fresh = success.referral?.etag as string;
    expect((await run({ id, input: { details: { currency: 'usd' } }, etag: fresh })).__typename).toBe(
      'ReferralValidationFailed',
    );
    expect((await run({ id, input: { status: 'NONE' }, etag: fresh })).__typename).toBe(
      'ReferralTransitionNotAllowed',
    );
    expect(
      (await run({ id: 'ffffffff-0000-4000-8000-000000000000', input: { name: 'x' }, etag: fresh }))
        .__typename,
    ).toBe('ReferralNotFound');
  });
});

describe('the subgraph protocol', () => {
  test('_entities resolves 50 representations in order, null for an unknown id, one GET per distinct id', async () => {
    const distinct = referralIds.slice(0, 20);
    const unknown = 'eeeeeeee-0000-4000-8000-000000000000';
    const ids = Array.from({ length: 49 }, (_, i) => distinct[i % distinct.length] as string);
    ids.splice(25, 0, unknown);
    const res = await stack.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { id name etag } } }',
      { r: ids.map((id) => ({ __typename: 'Referral', id })) },
    );
    expect(res.body.errors).toBeUndefined();
    const entities = (res.body.data as { _entities: ({ id: string } | null)[] })._entities;
    expect(entities).toHaveLength(50);
    expect(entities.map((e) => e?.id ?? null)).toEqual(ids.map((id) => (id === unknown ? null : id)));
    const gets = stack.emulator.requests.filter((r) => r.method === 'GET');
    expect(gets.length).toBeLessThanOrEqual(distinct.length + 1);
    expect(new Set(gets.map((r) => r.path)).size).toBe(gets.length);
  });

  test('_entities uses the caller’s Authorization, like referral(id)', async () => {
    const res = await stack.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { id } } }',
      { r: [{ __typename: 'Referral', id: referralIds[0] }] },
      { authorization: undefined },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.emulator.requests[0]?.headers.authorization).toBeUndefined();
    const ok = await stack.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { id } } }',
      {
        r: [{ __typename: 'Referral', id: referralIds[0] }],
      },
    );
    expect(ok.body.errors).toBeUndefined();
    expect(stack.emulator.requests[1]?.headers.authorization).toBe(TEST_TOKEN);
  });

  test('_service { sdl } declares Referral an entity keyed by id and links Federation 2', async () => {
    const res = await stack.gql<{ _service: { sdl: string } }>('{ _service { sdl } }');
    const sdl = (res.body.data as { _service: { sdl: string } })._service.sdl;
    expect(sdl).toMatch(/type Referral\s+@key\(fields: "id"\)/);
    expect(sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/);
  });

  test('npm run compose exits 0 with no composition errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
    const run = spawnSync(process.execPath, ['supergraph/compose.ts', join(dir, 'supergraph.graphql')], {
      cwd: new URL('../../', import.meta.url).pathname,
      encoding: 'utf8',
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/error/);
    expect(run.stdout).toMatch(/0 errors/);
  });
});
