/** The retry policy as the Partner API sees it: which calls are repeated, when, and how often. */
import { describe, expect, test } from '@jest/globals';
import { useStack } from '../helpers/stack.ts';
import { UPDATE_REFERRAL } from '../helpers/updateMutation.ts';

const stack = useStack({ REQUEST_TIMEOUT_MS: '3000' });
const referralQuery = (id: string) => [`{ referral(id: "${id}") { id name } }`] as const;
const firstId = () => String(stack.emulator.listReferrals()[0]?.id);
const calls = (method: string) => stack.emulator.requests.filter((r) => r.method === method);

describe('retries', () => {
  test.each([502, 503, 504])('a read answered %i once is retried and succeeds', async (status) => {
    stack.emulator.injectFault({ method: 'GET', times: 1, fault: { kind: 'status', status } });
    const res = await stack.gql(...referralQuery(firstId()));
    expect(res.body.errors).toBeUndefined();
    expect(calls('GET')).toHaveLength(2);
    // A retry is a new call: its own client-request-id, the same correlation id.
    const [a, b] = calls('GET');
    expect(a?.headers['client-request-id']).not.toBe(b?.headers['client-request-id']);
    expect(a?.headers['ms-correlationid']).toBe(b?.headers['ms-correlationid']);
  });

  test('a reset connection on a read is retried', async () => {
    stack.emulator.injectFault({ method: 'GET', times: 1, fault: { kind: 'reset' } });
    const res = await stack.gql(...referralQuery(firstId()));
    expect(res.body.errors).toBeUndefined();
    expect(calls('GET')).toHaveLength(2);
  });

  test('a persistent 503 gives up after two retries with UPSTREAM_UNAVAILABLE', async () => {
    stack.emulator.injectFault({ method: 'GET', fault: { kind: 'status', status: 503 } });
    const res = await stack.gql(...referralQuery(firstId()));
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(calls('GET')).toHaveLength(3);
  });

  test('a 500 is not retried (it says the request itself failed)', async () => {
    stack.emulator.injectFault({ method: 'GET', fault: { kind: 'status', status: 500 } });
    await stack.gql(...referralQuery(firstId()));
    expect(calls('GET')).toHaveLength(1);
  });

  test('a 429 with a short Retry-After waits that long, then retries', async () => {
    stack.emulator.injectFault({
      method: 'GET',
      times: 1,
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
    });
    const started = Date.now();
    const res = await stack.gql(...referralQuery(firstId()));
    expect(res.body.errors).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(calls('GET')).toHaveLength(2);
  });

  test('a 429 whose Retry-After does not fit fails fast with RATE_LIMITED and retryAfterSeconds', async () => {
    stack.emulator.injectFault({
      method: 'GET',
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '30' } },
    });
    const started = Date.now();
    const res = await stack.gql(...referralQuery(firstId()));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
    expect(calls('GET')).toHaveLength(1);
  });

  test('a write answered 503 is never repeated', async () => {
    const id = firstId();
    const etag = String(stack.emulator.getReferral(id)?.eTag);
    stack.emulator.injectFault({ method: 'PUT', fault: { kind: 'status', status: 503 } });
    const res = await stack.gql(UPDATE_REFERRAL, { id, input: { name: 'x' }, etag });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(calls('PUT')).toHaveLength(1);
    expect(stack.emulator.getReferral(id)?.eTag).toBe(etag);
  });
});
