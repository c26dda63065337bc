/**
 * A GraphQL request's signal (its deadline, or its client leaving) ends every upstream call it
 * started, and no other: the upstream client hands undici one emitter per signal
 * (src/upstream/httpClient.ts), so these run the real client against the emulator over loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { createUpstreamClient, type UpstreamClient } from '../../src/upstream/httpClient.ts';
import { UpstreamError } from '../../src/upstream/upstreamErrors.ts';
import { TEST_TOKEN } from '../helpers/stack.ts';

let emulator: Emulator;
let client: UpstreamClient;
let ids: string[];

beforeAll(async () => {
  emulator = await startEmulator();
  client = createUpstreamClient(loadConfig({}).upstream);
  ids = emulator.listReferrals().map((r) => String(r.id));
});

afterEach(() => {
  emulator.clearFaults();
  emulator.clearRequests();
});

afterAll(async () => {
  await client.close();
  await emulator.close();
});

function get(id: string, signal: AbortSignal) {
  return client.send({
    method: 'GET',
    url: `${emulator.url}/engagements/referrals/${id}`,
    route: '/engagements/referrals/{id}',
    call: { authorization: TEST_TOKEN, correlationId: 'upstream-abort', signal },
  });
}

async function failure(call: Promise<unknown>): Promise<{ code: string; afterMs: number }> {
  const startedAt = performance.now();
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return { code: (error as UpstreamError).code, afterMs: performance.now() - startedAt };
  }
  throw new Error('the call succeeded');
}

describe('an upstream call and its request signal', () => {
  test('a signal aborted before the call sends nothing and fails UPSTREAM_TIMEOUT', async () => {
    const abort = new AbortController();
    abort.abort(new DOMException('The request deadline passed.', 'TimeoutError'));
    expect((await failure(get(String(ids[0]), abort.signal))).code).toBe('UPSTREAM_TIMEOUT');
    expect(emulator.requests).toHaveLength(0);
  });

  test('aborting one signal ends all of its calls in flight at once, and no call of another signal', async () => {
    emulator.injectFault({ method: 'GET', fault: { kind: 'delay', ms: 800 } });
    const aborted = new AbortController();
    const other = new AbortController();
    const startedAt = performance.now();
    const calls = ids.slice(0, 5).map((id) => failure(get(id, aborted.signal)));
    const untouched = get(String(ids[5]), other.signal);
    setTimeout(() => aborted.abort(), 100);

    const failures = await Promise.all(calls);
    expect(failures.map((f) => f.code)).toEqual(Array(5).fill('UPSTREAM_TIMEOUT'));
    expect(Math.max(...failures.map((f) => f.afterMs))).toBeLessThan(600);
    const answer = await untouched;
    expect(answer.status).toBe(200);
    expect((answer.json as { id: string }).id).toBe(ids[5]);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(750);
    // All six were sent before the abort: it cancelled calls on the wire, not only queued ones.
    expect(emulator.requests.map((r) => r.method)).toEqual(Array(6).fill('GET'));
  });

  test('an abort while the answer body is arriving ends the call', async () => {
    emulator.injectFault({ method: 'GET', fault: { kind: 'stallMidBody' } });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const result = await failure(get(String(ids[0]), abort.signal));
    expect(result.code).toBe('UPSTREAM_TIMEOUT');
    expect(result.afterMs).toBeLessThan(1000);
    expect(emulator.requests).toHaveLength(1);
  });

  test('a signal whose calls all ended can abort later without touching anything, and still ends new calls', async () => {
    const abort = new AbortController();
    for (const id of ids.slice(0, 30)) expect((await get(id, abort.signal)).status).toBe(200);
    abort.abort();
    expect((await failure(get(String(ids[0]), abort.signal))).code).toBe('UPSTREAM_TIMEOUT');
    expect(emulator.requests).toHaveLength(30);
  });
});
