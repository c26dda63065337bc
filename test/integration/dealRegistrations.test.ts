/**
 * Deal registrations end to end, gateway and emulator over loopback: `createDealRegistration` is
 * one JSON Patch `add` on `/registrations/-`, `updateDealRegistration` a JSON Patch of only the
 * documented registration leaves that differ, both with `If-Match` and after one fresh read
 * (docs/partner-api.md §3.5). Each test states what crossed the wire.
 */
import { describe, expect, test } from '@jest/globals';
import type { EmulatorOptions, RecordedRequest } from '../../src/emulator/emulatorServer.ts';
import { type Stack, useStack } from '../helpers/stack.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const RESULT = `
    __typename
    ... on ReferralError { message }
    ... on DealRegistrationSuccess {
      referral { id etag registrationStatus registrations { id } name }
      registration {
        id type registrationDateTime status statusReason
        contract { value currency startDateTime endDateTime signDateTime term }
        solutionDetails {
          id name value currency isDeployedOnAzure primaryDeploymentOn pricingModel
          marketplaceTransactionDetails { isMarketplaceTransacted marketplaceTransactionDateTime }
        }
        statusHistory { reviewPendingDateTime }
      }
    }
    ... on ReferralPreconditionFailed { currentEtag currentReferral { id etag } }
    ... on ReferralValidationFailed { fieldErrors { path message code } }
    ... on ReferralNotFound { id }
    ... on DealRegistrationNotFound { referralId registrationId }`;

const CREATE = `
mutation Create($referralId: ID!, $input: DealRegistrationInput!, $etag: String!) {
  createDealRegistration(referralId: $referralId, input: $input, etag: $etag) {${RESULT}
  }
}`;

const UPDATE = `
mutation Change($referralId: ID!, $registrationId: ID!, $input: DealRegistrationChangesInput!, $etag: String!) {
  updateDealRegistration(referralId: $referralId, registrationId: $registrationId, input: $input, etag: $etag) {${RESULT}
  }
}`;

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary answer JSON
type Result = Record<string, any> & { __typename: string };

/** A new registration as a frontend sends it. */
const INPUT = {
  contract: {
    value: 120000,
    currency: 'EUR',
    startDateTime: '2025-07-01T00:00:00.0000000Z',
    endDateTime: '2026-06-30T00:00:00.0000000Z',
    signDateTime: '2025-06-20T00:00:00.0000000Z',
    term: 'FINITE',
  },
  solutionDetails: [
    {
      id: 'SOL-34104-EBB',
      value: 120000,
      currency: 'EUR',
      isDeployedOnAzure: true,
      primaryDeploymentOn: 'CUSTOMER',
      pricingModel: 'PAY_AS_YOU_GO',
      marketplaceTransactionDetails: { isMarketplaceTransacted: false },
    },
  ],
};

/** The same registration in wire form: what the PATCH must carry. */
const WIRE_VALUE = {
  type: 'AzureIPCoSell',
  solutionDetails: [
    {
      id: 'SOL-34104-EBB',
      value: 120000,
      currency: 'EUR',
      isDeployedOnAzure: true,
      primaryDeploymentOn: 'Customer',
      pricingModel: 'PayAsYouGo',
      marketplaceTransactionDetails: { isMarketplaceTransacted: false },
    },
  ],
  contract: {
    value: 120000,
    currency: 'EUR',
    startDateTime: '2025-07-01T00:00:00.0000000Z',
    endDateTime: '2026-06-30T00:00:00.0000000Z',
    signDateTime: '2025-06-20T00:00:00.0000000Z',
    term: 'Finite',
  },
};

/** An existing registration, as the Partner API stores it. */
function storedRegistration(id: string, solutionId = 'SOL-1'): Record<string, unknown> {
  return {
    id,
    type: 'AzureIPCoSell',
    registrationDateTime: '2024-03-01T09:00:00.1234567Z',
    status: 'ReviewPending',
    statusReason: null,
    contract: {
      value: 50000,
      currency: 'USD',
      startDateTime: '2024-04-01T00:00:00.0000000Z',
      endDateTime: '2025-03-31T00:00:00.0000000Z',
      signDateTime: null,
      term: 'Finite',
    },
    solutionDetails: [
      {
        id: solutionId,
        name: 'Northwind Retail Insights',
        value: 50000,
        currency: 'USD',
        isDeployedOnAzure: true,
        primaryDeploymentOn: 'Partner',
        pricingModel: 'PayAsYouGo',
        marketplaceTransactionDetails: { isMarketplaceTransacted: false },
      },
    ],
    statusHistory: { reviewPendingDateTime: '2024-03-01T09:00:00.1234567Z' },
  };
}

function useDeals(env: Record<string, string> = {}, emulator: EmulatorOptions = {}) {
  const stack: Stack = useStack(env, { emulator });

  /** A fresh referral of the seed (its other fields kept), with these registrations. */
  function referral(registrations?: unknown[]): { id: string; etag: string } {
    const base = stack.emulator.listReferrals().find((r) => r.direction !== undefined) as Record<
      string,
      unknown
    >;
    const { registrations: _none, ...rest } = base;
    const id = `dea10000-0000-4000-8000-${Math.floor(Math.random() * 1e12)
      .toString(16)
      .padStart(12, '0')}`;
    const stored = stack.emulator.putReferral({
      ...rest,
      id,
      ...(registrations === undefined ? {} : { registrations }),
    });
    stack.emulator.clearRequests();
    return { id, etag: String(stored.eTag) };
  }

  async function send(query: string, variables: Record<string, unknown>): Promise<Result> {
    const res = await stack.gql<Record<string, Result>>(query, variables);
    expect(res.body.errors).toBeUndefined();
    return Object.values(res.body.data ?? {})[0] as Result;
  }

  const create = (referralId: string, input: unknown, etag: string) =>
    send(CREATE, { referralId, input, etag });
  const change = (referralId: string, registrationId: string, input: unknown, etag: string) =>
    send(UPDATE, { referralId, registrationId, input, etag });

  const calls = (): string[] =>
    stack.emulator.requests.map((r) => `${r.method} ${r.path.replace(/^.*\//, '…/')}`);
  const patches = (): RecordedRequest[] => stack.emulator.requests.filter((r) => r.method === 'PATCH');

  return { stack, referral, create, change, calls, patches };
}

describe('a deal registration, created and changed end to end', () => {
  const { stack, referral, create, change, calls, patches } = useDeals();

  test('create: one fresh read, then one PATCH `add /registrations/-` with If-Match; the Partner API’s id, time and status come back', async () => {
    const { id, etag } = referral([storedRegistration('reg-existing')]);
    const before = stack.emulator.getReferral(id) as Record<string, unknown>;

    const result = await create(id, INPUT, etag);

    expect(calls()).toEqual([`GET …/${id}`, `PATCH …/${id}`]);
    const [write] = patches();
    expect(write?.headers['if-match']).toBe(etag);
    expect(write?.body).toEqual([{ op: 'add', path: '/registrations/-', value: WIRE_VALUE }]);

    expect(result.__typename).toBe('DealRegistrationSuccess');
    const stored = stack.emulator.getReferral(id) as Record<string, unknown>;
    const created = (stored.registrations as Record<string, unknown>[])[1] as Record<string, unknown>;
    expect(result.registration).toEqual({
      ...INPUT,
      id: created.id,
      type: 'AZURE_IP_CO_SELL',
      registrationDateTime: created.registrationDateTime,
      status: 'REVIEW_PENDING',
      statusReason: null,
      solutionDetails: [
        {
          ...INPUT.solutionDetails[0],
          name: null,
          marketplaceTransactionDetails: {
            isMarketplaceTransacted: false,
            marketplaceTransactionDateTime: null,
          },
        },
      ],
      statusHistory: { reviewPendingDateTime: created.registrationDateTime },
    });
    expect(result.registration.id).toMatch(GUID);
    expect(result.referral).toMatchObject({
      id,
      etag: stored.eTag,
      registrationStatus: 'REVIEW_PENDING',
      registrations: [{ id: 'reg-existing' }, { id: created.id }],
    });
    expect(result.referral.etag).not.toBe(etag);
    // Nothing but the registration (and what the service sets) changed.
    const { registrations: _a, registrationStatus: _b, eTag: _c, updatedDateTime: _d, ...rest } = stored;
    const {
      registrations: _e,
      registrationStatus: _f,
      eTag: _g,
      updatedDateTime: _h,
      ...restBefore
    } = before;
    expect(rest).toEqual(restBefore);
  });

  test('change: only the documented leaves that differ, `replace` where present and `add` where absent, at the registration’s index', async () => {
    const { id, etag } = referral([storedRegistration('reg-a'), storedRegistration('reg-b', 'SOL-9')]);

    const result = await change(
      id,
      'reg-b',
      {
        contract: {
          value: 75000,
          endDateTime: '2025-09-30T00:00:00.0000000Z',
          signDateTime: '2024-03-20T00:00:00.0000000Z',
          term: 'FINITE',
        },
        solutionDetails: [
          {
            id: 'SOL-9',
            value: 50000,
            pricingModel: 'OTHER',
            marketplaceTransactionDetails: {
              isMarketplaceTransacted: true,
              marketplaceTransactionDateTime: '2024-05-02T10:00:00.0000000Z',
            },
          },
        ],
      },
      etag,
    );

    expect(calls()).toEqual([`GET …/${id}`, `PATCH …/${id}`]);
    expect(patches()[0]?.headers['if-match']).toBe(etag);
    // `term` and the solution's `value` already had these values: not sent.
    expect(patches()[0]?.body).toEqual([
      { op: 'replace', path: '/registrations/1/contract/value', value: 75000 },
      { op: 'replace', path: '/registrations/1/contract/endDateTime', value: '2025-09-30T00:00:00.0000000Z' },
      {
        op: 'replace',
        path: '/registrations/1/contract/signDateTime',
        value: '2024-03-20T00:00:00.0000000Z',
      },
      { op: 'replace', path: '/registrations/1/solutionDetails/0/pricingModel', value: 'Other' },
      {
        op: 'replace',
        path: '/registrations/1/solutionDetails/0/marketplaceTransactionDetails/isMarketplaceTransacted',
        value: true,
      },
      {
        op: 'add',
        path: '/registrations/1/solutionDetails/0/marketplaceTransactionDetails/marketplaceTransactionDateTime',
        value: '2024-05-02T10:00:00.0000000Z',
      },
    ]);
    expect(result).toMatchObject({
      __typename: 'DealRegistrationSuccess',
      registration: {
        id: 'reg-b',
        contract: { value: 75000, endDateTime: '2025-09-30T00:00:00.0000000Z', currency: 'USD' },
        solutionDetails: [
          {
            id: 'SOL-9',
            pricingModel: 'OTHER',
            marketplaceTransactionDetails: {
              isMarketplaceTransacted: true,
              marketplaceTransactionDateTime: '2024-05-02T10:00:00.0000000Z',
            },
          },
        ],
      },
    });
    const stored = stack.emulator.getReferral(id) as { registrations: unknown[] };
    expect(stored.registrations[0]).toEqual(storedRegistration('reg-a'));
  });

  test('create then change the created registration, then read it back', async () => {
    const { id, etag } = referral();
    const created = await create(id, INPUT, etag);
    expect(created.__typename).toBe('DealRegistrationSuccess');
    const changed = await change(
      id,
      created.registration.id,
      { contract: { value: 90000 }, solutionDetails: [{ id: 'SOL-34104-EBB', value: 90000 }] },
      created.referral.etag,
    );
    expect(changed).toMatchObject({
      __typename: 'DealRegistrationSuccess',
      registration: {
        id: created.registration.id,
        contract: { value: 90000 },
        solutionDetails: [{ value: 90000 }],
      },
    });
    expect(patches().map((p) => p.body)).toEqual([
      [{ op: 'add', path: '/registrations/-', value: WIRE_VALUE }],
      [
        { op: 'replace', path: '/registrations/0/contract/value', value: 90000 },
        { op: 'replace', path: '/registrations/0/solutionDetails/0/value', value: 90000 },
      ],
    ]);
    const read = await stack.gql<{ referral: { registrations: Result[] } }>(
      'query($id: ID!) { referral(id: $id) { registrations { id status contract { value term } } } }',
      { id },
    );
    expect(read.body.data?.referral.registrations).toEqual([
      { id: created.registration.id, status: 'REVIEW_PENDING', contract: { value: 90000, term: 'FINITE' } },
    ]);
  });

  test('a change equal to the current values writes nothing and answers the referral as read', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    const result = await change(id, 'reg-a', { contract: { value: 50000, term: 'FINITE' } }, etag);
    expect(result).toMatchObject({ __typename: 'DealRegistrationSuccess', referral: { etag } });
    expect(calls()).toEqual([`GET …/${id}`]);
  });
});

describe('refusals write nothing', () => {
  const { stack, referral, create, change, calls, patches } = useDeals();

  test('a stale etag is ReferralPreconditionFailed with the current state, after one read and no write', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    const stale = '"00000000-0000-0000-0000-000000000000"';
    expect(await create(id, INPUT, stale)).toEqual({
      __typename: 'ReferralPreconditionFailed',
      message: expect.any(String),
      currentEtag: etag,
      currentReferral: { id, etag },
    });
    expect(await change(id, 'reg-a', { contract: { value: 1 } }, stale)).toMatchObject({
      __typename: 'ReferralPreconditionFailed',
      currentEtag: etag,
    });
    expect(calls()).toEqual([`GET …/${id}`, `GET …/${id}`]);
  });

  test('a write landing between our read and our PATCH makes the Partner API answer 412: ReferralPreconditionFailed, registration not added', async () => {
    const { id, etag } = referral();
    stack.emulator.injectFault({
      method: 'PATCH',
      idEquals: id,
      times: 1,
      fault: { kind: 'concurrentWrite', changes: { name: 'Renamed by a colleague' } },
    });
    const result = await create(id, INPUT, etag);
    expect(result.__typename).toBe('ReferralPreconditionFailed');
    expect(result.currentEtag).toBe(stack.emulator.getReferral(id)?.eTag);
    expect(patches()).toHaveLength(1);
    expect(stack.emulator.getReferral(id)?.registrations).toBeUndefined();
  });

  test('bad input is ReferralValidationFailed with every problem and its path, and no upstream call', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    const fieldErrors = (result: Result) =>
      (result.fieldErrors as { path: string[]; code: string }[]).map((e) => `${e.path.join('.')} ${e.code}`);
    // Size bounds come first: a 4-letter currency is too long before it is a bad code.
    expect(fieldErrors(await create(id, { ...INPUT, contract: { currency: 'euro' } }, etag))).toEqual([
      'contract.currency TOO_LONG',
    ]);
    const formats = await create(
      id,
      {
        contract: {
          value: -5,
          currency: 'EUX',
          startDateTime: '2025-07-01T00:00:00Z',
          endDateTime: '2025-06-01T00:00:00Z',
          signDateTime: 'tomorrow',
        },
        solutionDetails: [
          { id: 'SOL-1', value: -0.01, currency: 'XXY' },
          {
            id: 'SOL-1',
            marketplaceTransactionDetails: { marketplaceTransactionDateTime: '2025-01-01 10:00' },
          },
          { id: '  ' },
        ],
      },
      etag,
    );
    expect(formats.__typename).toBe('ReferralValidationFailed');
    expect(fieldErrors(formats).sort()).toEqual(
      [
        'contract.currency INVALID_CURRENCY',
        'contract.endDateTime INVALID',
        'contract.signDateTime INVALID_DATE_TIME',
        'contract.value INVALID_AMOUNT',
        'solutionDetails.0.currency INVALID_CURRENCY',
        'solutionDetails.0.value INVALID_AMOUNT',
        'solutionDetails.1.id INVALID',
        'solutionDetails.1.marketplaceTransactionDetails.marketplaceTransactionDateTime INVALID_DATE_TIME',
        'solutionDetails.2.id REQUIRED',
      ].sort(),
    );
    expect((await create(id, { ...INPUT, solutionDetails: [] }, etag)).fieldErrors).toEqual([
      { path: ['solutionDetails'], code: 'REQUIRED', message: expect.any(String) },
    ]);
    const changed = await change(
      id,
      'reg-a',
      { contract: { value: -1, endDateTime: 'soon' }, solutionDetails: null },
      etag,
    );
    expect(fieldErrors(changed)).toEqual([
      'contract.value INVALID_AMOUNT',
      'contract.endDateTime INVALID_DATE_TIME',
      'solutionDetails INVALID',
    ]);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('a value outside an enum is refused by GraphQL itself, with no upstream call', async () => {
    const { id, etag } = referral();
    const res = await stack.gql(CREATE, {
      referralId: id,
      etag,
      input: { ...INPUT, contract: { ...INPUT.contract, term: 'MONTHLY' } },
    });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.requests).toHaveLength(0);
  });

  test('a change the current registration cannot take is refused after the read: unknown solution, missing object', async () => {
    const withoutMarketplace = storedRegistration('reg-a');
    (withoutMarketplace.solutionDetails as Record<string, unknown>[])[0] = {
      id: 'SOL-1',
      value: 1,
    };
    const { id, etag } = referral([withoutMarketplace]);
    const result = await change(
      id,
      'reg-a',
      {
        solutionDetails: [
          { id: 'SOL-404', value: 2 },
          { id: 'SOL-1', marketplaceTransactionDetails: { isMarketplaceTransacted: true } },
        ],
      },
      etag,
    );
    expect(result).toMatchObject({
      __typename: 'ReferralValidationFailed',
      fieldErrors: [
        { path: ['solutionDetails', '0', 'id'], code: 'INVALID' },
        { path: ['solutionDetails', '1', 'marketplaceTransactionDetails'], code: 'INVALID' },
      ],
    });
    expect(calls()).toEqual([`GET …/${id}`]);
  });

  test('an unknown registration is DealRegistrationNotFound; an unknown referral ReferralNotFound', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    expect(await change(id, 'reg-404', { contract: { value: 1 } }, etag)).toEqual({
      __typename: 'DealRegistrationNotFound',
      message: expect.any(String),
      referralId: id,
      registrationId: 'reg-404',
    });
    expect(await create('no-such-referral', INPUT, etag)).toMatchObject({
      __typename: 'ReferralNotFound',
      id: 'no-such-referral',
    });
    expect(patches()).toHaveLength(0);
  });

  test('the Partner API refusing the PATCH (400) is ReferralValidationFailed with its message', async () => {
    const { id, etag } = referral();
    stack.emulator.injectFault({
      method: 'PATCH',
      idEquals: id,
      times: 1,
      fault: {
        kind: 'status',
        status: 400,
        body: {
          error: { code: 'invalidRequest', message: 'The referral is not eligible for a deal registration.' },
        },
      },
    });
    expect(await create(id, INPUT, etag)).toEqual({
      __typename: 'ReferralValidationFailed',
      message: 'The referral is not eligible for a deal registration.',
      fieldErrors: [],
    });
  });
});

describe('answers lost on the way back', () => {
  const { stack, referral, create, change, calls, patches } = useDeals();

  test('a create that landed while its connection dropped is one success, found by a re-read; nothing is sent twice', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    stack.emulator.injectFault({ method: 'PATCH', idEquals: id, times: 1, fault: { kind: 'applyThenDrop' } });
    const result = await create(id, INPUT, etag);
    expect(result.__typename).toBe('DealRegistrationSuccess');
    const stored = stack.emulator.getReferral(id) as { registrations: { id: string }[] };
    expect(stored.registrations).toHaveLength(2);
    expect(result.registration.id).toBe(stored.registrations[1]?.id);
    expect(patches()).toHaveLength(1);
    expect(calls()).toEqual([`GET …/${id}`, `PATCH …/${id}`, `GET …/${id}`]);
  });

  test('a change that landed while its connection dropped is a success too', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    stack.emulator.injectFault({ method: 'PATCH', idEquals: id, times: 1, fault: { kind: 'applyThenDrop' } });
    const result = await change(id, 'reg-a', { contract: { value: 61000 } }, etag);
    expect(result).toMatchObject({
      __typename: 'DealRegistrationSuccess',
      registration: { contract: { value: 61000 } },
    });
    expect(patches()).toHaveLength(1);
  });

  test('a PATCH answered 204 without the referral is followed by one read', async () => {
    const { id, etag } = referral();
    stack.emulator.injectFault({ method: 'PATCH', idEquals: id, times: 1, fault: { kind: 'noContent' } });
    const result = await create(id, INPUT, etag);
    expect(result).toMatchObject({
      __typename: 'DealRegistrationSuccess',
      registration: { status: 'REVIEW_PENDING' },
    });
    expect(calls()).toEqual([`GET …/${id}`, `PATCH …/${id}`, `GET …/${id}`]);
  });
});

describe('in the PUT write mode too', () => {
  const { referral, create, patches, calls } = useDeals({ PARTNER_API_WRITE_MODE: 'put' });

  test('a deal registration is still a PATCH: no PUT equivalent is documented', async () => {
    const { id, etag } = referral();
    expect((await create(id, INPUT, etag)).__typename).toBe('DealRegistrationSuccess');
    expect(calls()).toEqual([`GET …/${id}`, `PATCH …/${id}`]);
    expect(patches()[0]?.body).toEqual([{ op: 'add', path: '/registrations/-', value: WIRE_VALUE }]);
  });
});

describe('a Partner API that gives registrations back normalised (docs/partner-api.md §10)', () => {
  // Answers carry trimmed date-time fractions, lower-case enum values and amounts as strings.
  const { stack, referral, create, change, calls, patches } = useDeals(
    {},
    { registrationValues: 'normalised' },
  );

  test('the emulator really answers normalised values', async () => {
    const { id } = referral([storedRegistration('reg-a')]);
    const res = await fetch(`${stack.emulator.url}/engagements/referrals/${id}`, {
      headers: { authorization: 'Bearer t' },
    });
    const body = (await res.json()) as { registrations: Record<string, Record<string, unknown>>[] };
    expect(body.registrations[0]?.contract).toMatchObject({
      value: '50000',
      startDateTime: '2024-04-01T00:00:00Z',
      term: 'finite',
    });
  });

  test('a create answered normally: `registration` is the one created, not null', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    const result = await create(id, INPUT, etag);
    const stored = stack.emulator.getReferral(id) as { registrations: { id: string }[] };
    expect(result.__typename).toBe('DealRegistrationSuccess');
    expect(result.registration).toMatchObject({
      id: stored.registrations[1]?.id,
      status: 'REVIEW_PENDING',
      contract: { value: 120000, startDateTime: '2025-07-01T00:00:00Z', term: 'FINITE' },
    });
  });

  test('a create whose answer was lost after it landed settles as a success; nothing is sent twice', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    stack.emulator.injectFault({ method: 'PATCH', idEquals: id, times: 1, fault: { kind: 'applyThenDrop' } });
    const result = await create(id, INPUT, etag);
    const stored = stack.emulator.getReferral(id) as { registrations: { id: string }[] };
    expect(result.__typename).toBe('DealRegistrationSuccess');
    expect(result.registration.id).toBe(stored.registrations[1]?.id);
    expect(patches()).toHaveLength(1);
  });

  test('a change whose answer was lost after it landed settles as a success', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    stack.emulator.injectFault({ method: 'PATCH', idEquals: id, times: 1, fault: { kind: 'applyThenDrop' } });
    const result = await change(
      id,
      'reg-a',
      {
        contract: { value: 61000, endDateTime: '2025-06-30T00:00:00.0000000Z', term: 'PERPETUAL' },
        solutionDetails: [{ id: 'SOL-1', pricingModel: 'OTHER' }],
      },
      etag,
    );
    expect(result).toMatchObject({
      __typename: 'DealRegistrationSuccess',
      registration: { contract: { value: 61000, endDateTime: '2025-06-30T00:00:00Z', term: 'PERPETUAL' } },
    });
  });

  test('a change to values equal but for their spelling sends nothing', async () => {
    const { id, etag } = referral([storedRegistration('reg-a')]);
    const result = await change(
      id,
      'reg-a',
      { contract: { value: 50000, startDateTime: '2024-04-01T00:00:00.0000000Z', term: 'FINITE' } },
      etag,
    );
    expect(result).toMatchObject({ __typename: 'DealRegistrationSuccess', referral: { etag } });
    expect(calls()).toEqual([`GET …/${id}`]);
  });
});
