/**
 * The subgraph inside a real supergraph: composed with @apollo/composition and served by two
 * routers in front of our running gateway and the example accounts subgraph, @apollo/gateway and
 * Hive Gateway (with its default request batching), as test/helpers/routers.ts starts them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startAccountsSubgraph } from '../../supergraph/accounts/accountsSubgraph.ts';
import { ROUTER_NAMES, type RouterName, type Routers, startRouters } from '../helpers/routers.ts';
import {
  ALL_REFERRAL_FIELDS,
  MEMBER_FRAGMENT,
  type Stack,
  startStack,
  TEST_TOKEN,
} from '../helpers/stack.ts';
import { UPDATE_REFERRAL } from '../helpers/updateMutation.ts';

let stack: Stack;
let accounts: Awaited<ReturnType<typeof startAccountsSubgraph>>;
let routers: Routers;
let referralIds: string[];

beforeAll(async () => {
  stack = await startStack();
  referralIds = stack.emulator.listReferrals().map((r) => String(r.id));
  accounts = await startAccountsSubgraph({
    accounts: [{ id: 'acc-1', name: 'Contoso Ltd', referralIds: referralIds.slice(0, 3) }],
    sellerOf: (id) =>
      referralIds.indexOf(id) % 2 === 0 ? { email: 'sam@example.com', name: 'Sam Seller' } : null,
  });
  routers = await startRouters(stack, accounts);
});
afterAll(async () => {
  await routers?.stop();
  await accounts?.stop();
  await stack?.close();
});
beforeEach(() => stack.emulator.clearRequests());

/** The benign corpus's list-view detail fetch: ten aliased `referral(id:)` lookups of every field. */
const TEN_ALIASED_LOOKUPS = readFileSync(
  new URL('../security/benign/08-ten-aliased-lookups.graphql', import.meta.url),
  'utf8',
);

describe.each(ROUTER_NAMES)('through a composed supergraph (%s)', (name: RouterName) => {
  /** Posts as a signed-in user unless `headers` says otherwise (`authorization: undefined` sends none). */
  async function viaRouter(
    query: string,
    variables?: Record<string, unknown>,
    headers: Record<string, string | undefined> = { authorization: 'Bearer supergraph-user' },
  ) {
    return (await routers[name].post({ query, variables }, headers)).body;
  }

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

  test('without the caller’s Authorization the client sees UNAUTHENTICATED and the Partner API no call', async () => {
    const result = await viaRouter(`{ referral(id: "${referralIds[0]}") { id name } }`, undefined, {
      authorization: undefined,
    });
    expect(result.data?.referral ?? null).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('ten aliased full-detail lookups (the benign corpus’s list view) pass the subgraph’s limits', async () => {
    const ids = referralIds.slice(0, 10);
    const result = await viaRouter(
      TEN_ALIASED_LOOKUPS,
      Object.fromEntries(ids.map((id, k) => [`id${k}`, id])),
    );
    expect(result.errors).toBeUndefined();
    expect(ids.map((_, k) => (result.data?.[`r${k}`] as { id: string } | null)?.id)).toEqual(ids);
  });

  test('fifteen aliased full-detail lookups, the alias limit, pass although the router copies every fragment per field', async () => {
    const ids = referralIds.slice(0, 15);
    const fragments = TEN_ALIASED_LOOKUPS.slice(TEN_ALIASED_LOOKUPS.indexOf('fragment member'));
    const fifteen = `query Details(${ids.map((_, k) => `$id${k}: ID!`).join(', ')}) {
${ids.map((_, k) => `  r${k}: referral(id: $id${k}) { ...everything }`).join('\n')}
}
${fragments}`;
    const result = await viaRouter(fifteen, Object.fromEntries(ids.map((id, k) => [`id${k}`, id])));
    expect(result.errors).toBeUndefined();
    expect(ids.map((_, k) => (result.data?.[`r${k}`] as { id: string } | null)?.id)).toEqual(ids);
    expect(stack.emulator.requests).toHaveLength(15);
  });

  test('two full pages through the router are refused as they are directly, though it sends `first` as a variable', async () => {
    const pages = `{ a: referrals(first: 100) { edges { node { ${ALL_REFERRAL_FIELDS} } } } b: referrals(first: 100) { edges { node { ${ALL_REFERRAL_FIELDS} } } } } ${MEMBER_FRAGMENT}`;
    const result = await viaRouter(pages);
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(result.data?.a ?? null).toBeNull();
    expect(stack.emulator.requests).toHaveLength(0);
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

  test('_entities uses the caller’s Authorization, like referral(id), and without one makes no call', async () => {
    const res = await stack.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { id } } }',
      { r: [{ __typename: 'Referral', id: referralIds[0] }] },
      { authorization: undefined },
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.emulator.requests).toHaveLength(0);
    const ok = await stack.gql(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { id } } }',
      {
        r: [{ __typename: 'Referral', id: referralIds[0] }],
      },
    );
    expect(ok.body.errors).toBeUndefined();
    expect(stack.emulator.requests).toHaveLength(1);
    expect(stack.emulator.requests[0]?.headers.authorization).toBe(TEST_TOKEN);
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
