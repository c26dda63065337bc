import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { ADMIN, call, REFERRALS } from './call.ts';

let emulator: Emulator;
let id: string;
beforeAll(async () => {
  emulator = await startEmulator();
  id = String(emulator.listReferrals()[0]?.id);
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.clearRequests();
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition never became true');
}

describe('fault injection', () => {
  test('status answers that status, JSON body and headers, before auth is checked', async () => {
    const body = { error: { code: 'serviceNotAvailable', message: 'try later', target: 'referral' } };
    emulator.injectFault({ fault: { kind: 'status', status: 503, body, headers: { 'retry-after': '7' } } });
    const res = await call(emulator, 'GET', REFERRALS, { token: null });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(body);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(emulator.requests).toHaveLength(1);
  });

  test('status without a body answers a Partner API error envelope', async () => {
    emulator.injectFault({ fault: { kind: 'status', status: 500 } });
    const res = await call(emulator, 'GET', REFERRALS);
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('generalException');
  });

  test('a rule applies `times` times, then requests are handled normally', async () => {
    emulator.injectFault({ times: 2, fault: { kind: 'status', status: 401 } });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await call(emulator, 'GET', REFERRALS)).status);
    expect(statuses).toEqual([401, 401, 200]);
  });

  test('a rule matches only its method, id and path', async () => {
    emulator.injectFault({ method: 'put', idEquals: id, fault: { kind: 'status', status: 500 } });
    emulator.injectFault({ pathIncludes: '$top=3', fault: { kind: 'status', status: 502 } });
    expect((await call(emulator, 'GET', `${REFERRALS}/${id}`)).status).toBe(200);
    expect((await call(emulator, 'GET', `${REFERRALS}?$top=2`)).status).toBe(200);
    expect((await call(emulator, 'GET', `${REFERRALS}?$top=3`)).status).toBe(502);
    const stored = emulator.getReferral(id) as Record<string, unknown>;
    const put = await call(emulator, 'PUT', `${REFERRALS}/${id}`, {
      body: stored,
      headers: { 'if-match': String(stored.eTag) },
    });
    expect(put.status).toBe(500);
  });

  test('delay waits, then answers normally', async () => {
    emulator.injectFault({ fault: { kind: 'delay', ms: 150 } });
    const started = performance.now();
    const res = await call(emulator, 'GET', `${REFERRALS}/${id}`);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('stall never sends headers, so the client times out', async () => {
    emulator.injectFault({ times: 1, fault: { kind: 'stall' } });
    const attempt = fetch(`${emulator.url}${REFERRALS}`, {
      headers: { authorization: ADMIN },
      signal: AbortSignal.timeout(200),
    });
    await expect(attempt).rejects.toThrow();
    expect(emulator.requests).toHaveLength(1);
  });

  test('reset drops the connection without an answer', async () => {
    emulator.injectFault({ times: 1, fault: { kind: 'reset' } });
    await expect(
      fetch(`${emulator.url}${REFERRALS}`, { headers: { authorization: ADMIN } }),
    ).rejects.toThrow();
    expect((await call(emulator, 'GET', REFERRALS)).status).toBe(200);
  });

  test('raw sends the bytes as given', async () => {
    emulator.injectFault({
      fault: { kind: 'raw', status: 200, contentType: 'application/json', body: '{"value":[' },
    });
    const res = await fetch(`${emulator.url}${REFERRALS}`, { headers: { authorization: ADMIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.text()).toBe('{"value":[');
  });

  test('concurrentWrite lands between a read and a write, so the write gets 412', async () => {
    const read = await call(emulator, 'GET', `${REFERRALS}/${id}`);
    emulator.injectFault({
      method: 'PUT',
      idEquals: id,
      times: 1,
      fault: { kind: 'concurrentWrite', changes: { name: 'Written by someone else' } },
    });
    const { links: _links, '@odata.context': _context, ...body } = read.body;
    const res = await call(emulator, 'PUT', `${REFERRALS}/${id}`, {
      body: { ...body, name: 'Mine' },
      headers: { 'if-match': read.body.eTag },
    });
    expect(res.status).toBe(412);
    const stored = emulator.getReferral(id);
    expect(stored?.name).toBe('Written by someone else');
    expect(stored?.eTag).not.toBe(read.body.eTag);
    expect(stored?.updatedDateTime).not.toBe(read.body.updatedDateTime);
  });

  test('a body over 1 MiB answers 413', async () => {
    const res = await call(emulator, 'POST', REFERRALS, { rawBody: `"${'x'.repeat(1024 * 1024 + 10)}"` });
    expect(res.status).toBe(413);
  });
});

const settled = () => 'answered';
const failed = () => 'failed';

describe('close()', () => {
  test('finishes promptly with a stalled and a delayed request pending', async () => {
    const local = await startEmulator();
    local.injectFault({ pathIncludes: 'stall', fault: { kind: 'stall' } });
    local.injectFault({ pathIncludes: 'slow', fault: { kind: 'delay', ms: 60_000 } });
    const headers = { authorization: ADMIN };
    const stalled = fetch(`${local.url}${REFERRALS}?stall=1`, { headers }).then(settled, failed);
    const delayed = fetch(`${local.url}${REFERRALS}?slow=1`, { headers }).then(settled, failed);
    await waitFor(() => local.requests.length === 2);
    const started = performance.now();
    await local.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await stalled).toBe('failed');
    expect(await delayed).toBe('failed');
  });
});
