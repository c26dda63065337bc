/** What the gateway writes to its logs: one line per request, traceable, and nothing personal. */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { createLogger } from '../../src/log/logger.ts';
import { type Gateway, startGateway } from '../../src/server/startGateway.ts';
import { startBrokenHandler } from '../helpers/brokenHandler.ts';
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
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    PARTNER_API_URL: emulator.url,
    METRICS_PORT: '0',
  });
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

  test('a client that hangs up halfway through its body is an info line without a stack', async () => {
    lines.length = 0;
    const socket = connect(new URL(gateway.url).port ? Number(new URL(gateway.url).port) : 80, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${SECRET_TOKEN}\r\nContent-Length: 100\r\n\r\n{"query":`,
    );
    await sleep(50);
    socket.destroy();
    await sleep(100);
    const line = lines.find((l) => l.msg === 'client closed the connection before the body ended');
    expect(line).toMatchObject({ level: 30, requestId: expect.any(String) });
    expect(line).not.toHaveProperty('err');
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });

  test('requests the client must fix (an unsupported persisted-query version, a refused limit) are info lines, never errors', async () => {
    lines.length = 0;
    const apq = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: SECRET_TOKEN },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } }),
    });
    expect(apq.status).toBe(400);
    const aliases = Array.from({ length: 16 }, (_, i) => `r${i}: referral(id: "x") { id }`).join(' ');
    expect((await post(`{ ${aliases} }`, {})).status).toBe(400);
    const noToken = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ referral(id: "x") { id } }' }),
    });
    expect(noToken.status).toBe(401);
    expect(lines.filter((l) => (l.level as number) >= 40)).toEqual([]);
    const refused = lines.filter((l) => l.msg === 'request refused');
    expect(refused.map((l) => l.status)).toEqual([400, 400, 401]);
    expect(refused.slice(1).map((l) => l.code)).toEqual(['GRAPHQL_VALIDATION_FAILED', 'UNAUTHENTICATED']);
  });
});

describe('server errors', () => {
  test('a 500 is logged at error level with its cause and the request id the client got', async () => {
    const logged: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line.trim()) logged.push(JSON.parse(line));
        done();
      },
    });
    const handler = await startBrokenHandler(
      createLogger('info', sink),
      new Error('pipeline bug at /srv/app/secret-path.ts'),
    );
    try {
      const res = await fetch(handler.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      const requestId = res.headers.get('x-request-id');
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({
        errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
      });
      const line = logged.find((l) => l.msg === 'HTTP handler failed');
      expect(line).toMatchObject({ level: 50, requestId });
      expect(JSON.stringify(line)).toContain('pipeline bug');
    } finally {
      await handler.close();
    }
  });
});
