import { describe, expect, test } from '@jest/globals';
import { ResponseBudget } from '../../src/graphql/responseBudget.ts';
import type { WirePresenter } from '../../src/graphql/wirePresentation.ts';
import type { CallContext, UpstreamClient, UpstreamRequest } from '../../src/upstream/httpClient.ts';
import { createReferralsApi, wireLength } from '../../src/upstream/referralsApi.ts';
import type { WireReferral } from '../../src/upstream/referralWire.ts';

const call: CallContext = { authorization: 'Bearer t', correlationId: 'c' };

/** A Referrals API over a client that answers every request with `body` as parsed JSON of `length`. */
function apiAnswering(body: () => unknown, length: number) {
  const client: UpstreamClient = {
    async send(_req: UpstreamRequest) {
      return { status: 200, headers: {}, json: body(), length };
    },
    async close() {},
  };
  return createReferralsApi({ baseUrl: 'https://api.partner.microsoft.com/v1.0', client });
}

const wire = (id: string) => ({ id, eTag: `"${id}"`, name: `Referral ${id}`, status: 'New' });

/** A presenter that copies what it presents and counts its calls. */
function countingPresenter() {
  const calls: unknown[] = [];
  const present = <T>(value: T): T => {
    calls.push(value);
    return { ...(value as object), presented: true } as T;
  };
  const presenter: WirePresenter = { referral: present, dealRegistration: present };
  return { presenter, calls };
}

describe('a referral’s size on the wire', () => {
  test('travels with the referral the API read, and its JSON, keys and copies do not show it', async () => {
    const api = apiAnswering(() => wire('r1'), 1234);
    const referral = (await api.getReferral('r1', call)) as WireReferral;

    expect(wireLength(referral)).toBe(1234);
    expect(JSON.stringify(referral)).toBe(JSON.stringify(wire('r1')));
    expect(Object.keys(referral)).toEqual(Object.keys(wire('r1')));
    expect(Object.getOwnPropertySymbols({ ...referral })).toEqual([]);
    expect(structuredClone(referral)).toEqual(wire('r1'));
  });

  test('a page’s items share the page’s length evenly, rounded up', async () => {
    const api = apiAnswering(() => ({ value: [wire('a'), wire('b'), wire('c')] }), 1000);
    const page = await api.listReferrals({ top: 3 }, call);

    expect(page.items.map(wireLength)).toEqual([334, 334, 334]);
  });

  test('a referral the API did not read costs nothing to count', () => {
    expect(wireLength(wire('made here') as WireReferral)).toBe(0);
  });
});

describe('the answer’s budget', () => {
  test('charges every appearance of a referral its wire size, and refuses past the limit', async () => {
    const api = apiAnswering(() => wire('r1'), 400);
    const referral = (await api.getReferral('r1', call)) as WireReferral;
    const budget = new ResponseBudget(1000, countingPresenter().presenter);

    budget.referral(referral);
    budget.referral(referral);
    expect(budget.exceeded).toBe(false);
    let refused: unknown;
    try {
      budget.referral(referral);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ extensions: { code: 'RESPONSE_TOO_LARGE' } });
    expect(budget.exceeded).toBe(true);
  });

  test('presents a wire object once per request, however often it appears in the answer', () => {
    const { presenter, calls } = countingPresenter();
    const budget = new ResponseBudget(1_000_000, presenter);
    const referral = wire('r1') as WireReferral;
    const registration = { id: 'd1' };

    const first = budget.referral(referral);
    const again = budget.referral(referral);
    const deal = budget.registration(registration);

    expect(again).toBe(first);
    expect(first).toEqual({ ...referral, presented: true });
    expect(budget.registration(registration)).toBe(deal);
    expect(calls).toEqual([referral, registration]);
  });

  test('each request presents for itself: nothing is remembered past the request', () => {
    const { presenter, calls } = countingPresenter();
    const referral = wire('r1') as WireReferral;

    const one = new ResponseBudget(1_000_000, presenter).referral(referral);
    const two = new ResponseBudget(1_000_000, presenter).referral(referral);

    expect(two).not.toBe(one);
    expect(calls).toEqual([referral, referral]);
    expect(Object.getOwnPropertySymbols(referral)).toEqual([]);
  });

  test('null and plain values pass through unpresented', () => {
    const { presenter, calls } = countingPresenter();
    const budget = new ResponseBudget(1_000_000, presenter);

    expect(budget.referral(null)).toBeNull();
    expect(budget.registration(null)).toBeNull();
    expect(calls).toEqual([]);
  });
});
