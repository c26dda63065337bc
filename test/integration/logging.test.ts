/** What the gateway writes to its logs: one line per request, traceable, and nothing personal. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { createLogger } from '../../src/log/logger.ts';
import { type Gateway, startGateway } from '../../src/server/createGateway.ts';
import { UPDATE_REFERRAL } from '../helpers/updateMutation.ts';

const SECRET_TOKEN = 'Bearer eyJ-very-secret-token-4242';
const lines: Record<string, unknown>[] = [];
let emulator: Emulator;
let gateway: Gateway;

beforeAll(async () => {
  emulator = await startEmulator();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', PARTNER_API_URL: emulator.url });
  gateway = await startGateway({ config, partnerApiUrl: emulator.url, logger: createLogger('info', sink) });
});
afterAll(async () => {
  await gateway.stop();
  await emulator.close();
});

async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: SECRET_TOKEN, ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

describe('logs', () => {
  test('carry request and correlation ids, and never the token or personal data', async () => {
    const referral = emulator.listReferrals()[0] as Record<string, unknown>;
    const id = String(referral.id);
    const res = await post(
      'query One($id: ID!) { referral(id: $id) { id name team { email phoneNumber } } }',
      { id },
      {
        'ms-correlationid': 'corr-logging-1',
      },
    );
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await res.text();

    emulator.injectFault({ method: 'PUT', fault: { kind: 'status', status: 503 } });
    await (
      await post(
        UPDATE_REFERRAL,
        {
          id,
          etag: String(referral.eTag),
          input: { team: [{ email: 'jane.private@example.com', phoneNumber: '+1 555 0100' }] },
        },
        { 'ms-correlationid': 'corr-logging-2' },
      )
    ).text();
    emulator.clearFaults();

    const text = JSON.stringify(lines);
    expect(text).not.toContain('very-secret-token');
    expect(text).not.toContain('jane.private');
    expect(text).not.toContain('555 0100');
    expect(text).not.toContain(String(referral.name));
    expect(text).not.toContain(new URL(emulator.url).host);

    const first = lines.find((l) => l.requestId === requestId);
    expect(first).toMatchObject({
      msg: 'graphql request',
      operationName: 'One',
      correlationId: 'corr-logging-1',
      errors: 0,
    });
    const failure = lines.find((l) => l.msg === 'upstream call failed');
    expect(failure).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      correlationId: 'corr-logging-2',
    });
    expect(failure?.requestId).toEqual(expect.any(String));
  });

  test('a client that hangs up is logged as such, not as an upstream failure', async () => {
    lines.length = 0;
    emulator.injectFault({ method: 'GET', fault: { kind: 'delay', ms: 400 } });
    const abort = new AbortController();
    const id = String(emulator.listReferrals()[1]?.id);
    const hangUp = fetch(gateway.url, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', authorization: SECRET_TOKEN },
      body: JSON.stringify({ query: 'query Gone($id: ID!) { referral(id: $id) { id } }', variables: { id } }),
    }).catch(() => undefined);
    setTimeout(() => abort.abort(), 100);
    await hangUp;
    await new Promise((r) => setTimeout(r, 600));
    emulator.clearFaults();
    expect(
      lines.some((l) => l.msg === 'client went away; upstream calls cancelled' && l.operationName === 'Gone'),
    ).toBe(true);
    expect(lines.some((l) => l.msg === 'upstream call failed')).toBe(false);
  });
});
