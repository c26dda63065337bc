/**
 * The real @apollo/client, as a frontend uses it: InMemoryCache with the generated
 * `possibleTypes`, fragments on the union and on the `ReferralError` interface. The same test runs
 * against our gateway directly and through each federation router of test/helpers/routers.ts
 * (@apollo/gateway, Hive Gateway): the supergraph's API schema keeps our types, so the union's
 * `possibleTypes` are the same through a router.
 */
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import generated from '../../src/graphql/__generated__/possibleTypes.ts';
import { startAccountsSubgraph } from '../../supergraph/accounts/accountsSubgraph.ts';
import { ROUTER_NAMES, type RouterName, type Routers, startRouters } from '../helpers/routers.ts';
import { type Stack, startStack, TEST_TOKEN } from '../helpers/stack.ts';

const UPDATE = gql`
  mutation Update($id: ID!, $input: UpdateReferralInput!, $etag: String!) {
    updateReferral(id: $id, input: $input, etag: $etag) {
      __typename
      ... on ReferralError {
        message
      }
      ... on UpdateReferralSuccess {
        referral {
          id
          etag
          name
        }
      }
      ... on ReferralPreconditionFailed {
        currentEtag
        currentReferral {
          id
          etag
          name
        }
      }
      ... on ReferralValidationFailed {
        fieldErrors {
          path
          code
        }
      }
      ... on ReferralTransitionNotAllowed {
        fromStatus
        toStatus
        allowedStatuses
      }
      ... on ReferralNotFound {
        id
      }
    }
  }
`;

const READ = gql`
  query Read($id: ID!) {
    referral(id: $id) {
      id
      etag
      name
    }
  }
`;

const CREATE = gql`
  mutation Create($input: CreateReferralInput!, $key: String) {
    createReferral(input: $input, idempotencyKey: $key) {
      __typename
      ... on ReferralError {
        message
      }
      ... on CreateReferralSuccess {
        referral {
          id
          etag
          name
          engagementId
          status
        }
      }
      ... on ReferralValidationFailed {
        fieldErrors {
          path
          code
        }
      }
      ... on ReferralCreationUncertain {
        idempotencyKey
      }
    }
  }
`;

const LIST = gql`
  query List($filter: ReferralFilter) {
    referrals(first: 10, filter: $filter) {
      edges {
        node {
          id
          etag
          name
        }
      }
    }
  }
`;

type Result = { __typename: string; message?: string } & Record<string, unknown>;

type Target = 'direct' | RouterName;
const TARGETS: readonly Target[] = ['direct', ...ROUTER_NAMES];

let stack: Stack;
let accounts: Awaited<ReturnType<typeof startAccountsSubgraph>>;
let routers: Routers;
/** The referral the test edits, as seeded: put back before each target's run. */
let original: Record<string, unknown>;

beforeAll(async () => {
  stack = await startStack();
  accounts = await startAccountsSubgraph({ accounts: [], sellerOf: () => null });
  routers = await startRouters(stack, accounts);
  original = stack.emulator.listReferrals().find((r) => r.status === 'New') as Record<string, unknown>;
});
afterAll(async () => {
  await routers?.stop();
  await accounts?.stop();
  await stack?.close();
});

describe.each(TARGETS)('@apollo/client against the running gateway (%s)', (target: Target) => {
  let client: ApolloClient;
  let id: string;

  beforeAll(() => {
    // Every target starts from the seeded referral (with a fresh eTag) and an empty cache.
    id = String(stack.emulator.putReferral(original).id);
    client = new ApolloClient({
      link: new HttpLink({
        uri: target === 'direct' ? stack.gateway.url : routers[target].url,
        headers: { authorization: TEST_TOKEN },
      }),
      cache: new InMemoryCache({ possibleTypes: generated.possibleTypes }),
    });
  });
  afterAll(() => {
    client.stop();
  });

  async function mutate(input: Record<string, unknown>, etag: string): Promise<Result> {
    const { data } = await client.mutate<{ updateReferral: Result }>({
      mutation: UPDATE,
      variables: { id, input, etag },
    });
    return data?.updateReferral as Result;
  }

  function cachedReferral(): { etag: string; name: string } | null {
    return client.cache.readFragment({
      id: client.cache.identify({ __typename: 'Referral', id }),
      fragment: gql`
        fragment Cached on Referral {
          etag
          name
        }
      `,
    });
  }

  test('reads every member of the union by its type, and normalizes the updated referral with its new etag', async () => {
    const read = await client.query<{ referral: { etag: string } }>({ query: READ, variables: { id } });
    const etag = read.data?.referral.etag as string;
    expect(cachedReferral()?.etag).toBe(etag);

    const success = await mutate({ name: 'Renamed from Apollo Client' }, etag);
    expect(success.__typename).toBe('UpdateReferralSuccess');
    const newEtag = (success.referral as { etag: string }).etag;
    expect(newEtag).not.toBe(etag);
    expect(cachedReferral()).toEqual({
      __typename: 'Referral',
      etag: newEtag,
      name: 'Renamed from Apollo Client',
    });

    const stale = await mutate({ name: 'Too late' }, etag);
    expect(stale.__typename).toBe('ReferralPreconditionFailed');
    expect(stale.message).toMatch(/changed since it was read/);
    expect(stale.currentEtag).toBe(newEtag);

    const invalid = await mutate({ details: { currency: 'usd' } }, newEtag);
    expect(invalid.__typename).toBe('ReferralValidationFailed');
    expect(invalid.message).toEqual(expect.any(String));
    expect(invalid.fieldErrors).toEqual([
      { __typename: 'ReferralFieldError', path: ['details', 'currency'], code: 'INVALID_CURRENCY' },
    ]);

    const transition = await mutate({ status: 'NONE' }, newEtag);
    expect(transition).toMatchObject({
      __typename: 'ReferralTransitionNotAllowed',
      fromStatus: 'NEW',
      toStatus: 'NONE',
    });
    expect(transition.allowedStatuses).toEqual(['NEW', 'ACTIVE', 'CLOSED']);
    expect(transition.message).toEqual(expect.any(String));

    const { data } = await client.mutate<{ updateReferral: Result }>({
      mutation: UPDATE,
      variables: { id: '99999999-9999-4999-8999-999999999999', input: { name: 'x' }, etag: newEtag },
    });
    expect(data?.updateReferral).toMatchObject({
      __typename: 'ReferralNotFound',
      id: '99999999-9999-4999-8999-999999999999',
    });
    expect(data?.updateReferral.message).toEqual(expect.any(String));
  });

  test('create → read → update → list, each answer typed by the generated possibleTypes', async () => {
    const key = `apollo-${target}-${Date.now()}`;
    const input = {
      name: `Registered from Apollo Client (${target})`,
      type: 'SHARED',
      customerProfile: { name: 'Fabrikam', address: { country: 'DE' } },
      consent: { consentToContact: true, consentToShareReferralWithMicrosoftSellers: true },
      details: { dealValue: 42000, currency: 'EUR' },
      target: [{ type: 'SOLUTION_PROFILE', id: 'SOL-apollo' }],
    };
    const created = await client.mutate<{ createReferral: Result }>({
      mutation: CREATE,
      variables: { input, key },
    });
    const success = created.data?.createReferral as Result & {
      referral: { id: string; etag: string; engagementId: string; status: string };
    };
    expect(success.__typename).toBe('CreateReferralSuccess');
    expect(success.referral.status).toBe('NEW');
    const newId = success.referral.id;

    // The same key again: the same referral, normalized onto the same cache entry.
    const repeated = await client.mutate<{ createReferral: { referral?: { id: string } } }>({
      mutation: CREATE,
      variables: { input, key },
    });
    expect(repeated.data?.createReferral.referral?.id).toBe(newId);

    const read = await client.query<{ referral: { id: string; etag: string; name: string } }>({
      query: READ,
      variables: { id: newId },
    });
    expect(read.data?.referral).toMatchObject({ id: newId, etag: success.referral.etag, name: input.name });

    const updated = await client.mutate<{ updateReferral: Result }>({
      mutation: UPDATE,
      variables: { id: newId, input: { name: 'Renamed after creating' }, etag: success.referral.etag },
    });
    expect(updated.data?.updateReferral.__typename).toBe('UpdateReferralSuccess');

    const list = await client.query<{ referrals: { edges: { node: { id: string; name: string } }[] } }>({
      query: LIST,
      variables: { filter: { engagementId: success.referral.engagementId } },
    });
    expect(list.data?.referrals.edges.map((edge) => edge.node)).toEqual([
      expect.objectContaining({ id: newId, name: 'Renamed after creating' }),
    ]);

    // An error member through the ReferralError interface fragment, as for updates.
    const invalid = await client.mutate<{ createReferral: Result }>({
      mutation: CREATE,
      variables: { input: { ...input, details: { currency: 'eur' } } },
    });
    expect(invalid.data?.createReferral).toMatchObject({
      __typename: 'ReferralValidationFailed',
      message: expect.any(String),
      fieldErrors: [
        { __typename: 'ReferralFieldError', path: ['details', 'currency'], code: 'INVALID_CURRENCY' },
      ],
    });
  });
});
