import { connect } from 'node:net';
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

interface RawAnswer {
  /** Status line and headers, header names lower-cased. */
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Body bytes received (no chunked decoding: used only for content-length answers). */
  readonly body: Buffer;
  /** Whether the server closed the connection before `waitMs` ran out. */
  readonly closed: boolean;
}

/**
 * One request over a raw socket, collecting whatever arrives for up to `waitMs`: fetch would hide a
 * body cut short or a socket left open behind a generic error or a hang.
 */
function rawRequest(method: string, path: string, waitMs: number, body?: unknown): Promise<RawAnswer> {
  const { hostname, port, pathname } = new URL(`${emulator.url}${path}`);
  const payload = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let finished = false;
    const finish = (closed: boolean): void => {
      // Destroying the socket after the wait emits 'close' too; only the first outcome counts.
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end === -1) {
        reject(new Error(`no complete head in ${JSON.stringify(all.toString())}`));
        return;
      }
      const [statusLine = '', ...lines] = all.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: all.subarray(end + 4), closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
    socket.write(
      `${method} ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: ${ADMIN}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
    );
  });
}

async function bytesOf(path: string): Promise<Buffer> {
  const res = await fetch(`${emulator.url}${path}`, { headers: { authorization: ADMIN } });
  return Buffer.from(await res.arrayBuffer());
}

/** The stored referral as a PUT body with one field changed, and its current eTag for if-match. */
function replacement(name: string): { body: Record<string, unknown>; eTag: string } {
  const stored = emulator.getReferral(id) as Record<string, unknown>;
  return { body: { ...stored, name }, eTag: String(stored.eTag) };
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

  test('status 429 sends its retry-after header', async () => {
    emulator.injectFault({
      times: 1,
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
    });
    const res = await call(emulator, 'GET', REFERRALS);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(typeof res.body.error.code).toBe('string');
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

  test('stallMidBody sends the headers with the full content-length and half the body, then nothing', async () => {
    const whole = await bytesOf(`${REFERRALS}/${id}`);
    emulator.injectFault({ times: 1, fault: { kind: 'stallMidBody' } });
    const raw = await rawRequest('GET', `${REFERRALS}/${id}`, 150);
    expect(raw.status).toBe(200);
    expect(raw.headers['content-length']).toBe(String(whole.length));
    expect(raw.body).toEqual(whole.subarray(0, Math.floor(whole.length / 2)));
    expect(raw.closed).toBe(false);
  });

  test('stallMidBody leaves a fetch body read hanging until the client gives up', async () => {
    emulator.injectFault({ times: 1, fault: { kind: 'stallMidBody' } });
    const res = await fetch(`${emulator.url}${REFERRALS}`, {
      headers: { authorization: ADMIN },
      signal: AbortSignal.timeout(150),
    });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  test('resetAfterHeaders sends the headers and a few body bytes, then closes the connection', async () => {
    const whole = await bytesOf(`${REFERRALS}/${id}`);
    emulator.injectFault({ times: 1, fault: { kind: 'resetAfterHeaders' } });
    const raw = await rawRequest('GET', `${REFERRALS}/${id}`, 1000);
    expect(raw.closed).toBe(true);
    expect(raw.status).toBe(200);
    expect(raw.headers['content-length']).toBe(String(whole.length));
    expect(raw.body.length).toBeGreaterThan(0);
    expect(raw.body.length).toBeLessThan(whole.length);
    expect(raw.body).toEqual(whole.subarray(0, raw.body.length));
  });

  test('resetAfterHeaders makes a fetch body read fail after the response resolved', async () => {
    emulator.injectFault({ times: 1, fault: { kind: 'resetAfterHeaders' } });
    const res = await fetch(`${emulator.url}${REFERRALS}`, { headers: { authorization: ADMIN } });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  test('truncatedJson delivers the first half of the real JSON as a complete, correctly framed answer', async () => {
    const whole = await bytesOf(`${REFERRALS}/${id}`);
    emulator.injectFault({ times: 1, fault: { kind: 'truncatedJson' } });
    const res = await fetch(`${emulator.url}${REFERRALS}/${id}`, { headers: { authorization: ADMIN } });
    const received = Buffer.from(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-length')).toBe(String(received.length));
    expect(received).toEqual(whole.subarray(0, Math.floor(whole.length / 2)));
    expect(() => JSON.parse(received.toString('utf8'))).toThrow(SyntaxError);
  });

  test('wrongShape answers 200 JSON with a numeric id and no eTag for one referral, before auth', async () => {
    emulator.injectFault({ times: 2, fault: { kind: 'wrongShape' } });
    const get = await call(emulator, 'GET', `${REFERRALS}/${id}`, { token: null });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(get.body).toEqual({ id: 42, status: ['x'] });
    const { body, eTag } = replacement('Never stored');
    const put = await call(emulator, 'PUT', `${REFERRALS}/${id}`, { body, headers: { 'if-match': eTag } });
    expect(put.body).toEqual({ id: 42, status: ['x'] });
    expect(emulator.getReferral(id)?.eTag).toBe(eTag);
  });

  test('wrongShape answers a list whose value is not an array', async () => {
    emulator.injectFault({ times: 1, fault: { kind: 'wrongShape' } });
    const res = await call(emulator, 'GET', REFERRALS);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ value: { not: 'an array' } });
  });

  test('missingETag answers the real referral without eTag in the body or the ETag header', async () => {
    const normal = await call(emulator, 'GET', `${REFERRALS}/${id}`);
    emulator.injectFault({ times: 1, fault: { kind: 'missingETag' } });
    const res = await call(emulator, 'GET', `${REFERRALS}/${id}`);
    expect(normal.headers.get('etag')).not.toBeNull();
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeNull();
    const { eTag: _eTag, ...rest } = normal.body;
    expect(res.body).toEqual(rest);
  });

  test('missingETag strips eTag from every item of a list', async () => {
    emulator.injectFault({ times: 1, fault: { kind: 'missingETag' } });
    const res = await call(emulator, 'GET', REFERRALS);
    expect(res.body.value.length).toBeGreaterThan(1);
    for (const item of res.body.value) {
      expect(item).not.toHaveProperty('eTag');
      expect(item).toHaveProperty('id');
    }
  });

  test('oversized streams a valid JSON document of at least `bytes` bytes, chunked, keeping the real answer', async () => {
    const bytes = 300_000;
    emulator.injectFault({ times: 1, fault: { kind: 'oversized', bytes } });
    const res = await fetch(`${emulator.url}${REFERRALS}`, { headers: { authorization: ADMIN } });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(bytes);
    const body = JSON.parse(text);
    expect(Array.isArray(body.value)).toBe(true);
    expect(typeof body.padding).toBe('string');
  });

  test('applyThenDrop lands the write in the store although the client sees the connection drop', async () => {
    const { body, eTag } = replacement('Landed unseen');
    emulator.injectFault({ method: 'PUT', times: 1, fault: { kind: 'applyThenDrop' } });
    const attempt = fetch(`${emulator.url}${REFERRALS}/${id}`, {
      method: 'PUT',
      headers: { authorization: ADMIN, 'content-type': 'application/json', 'if-match': eTag },
      body: JSON.stringify(body),
    });
    await expect(attempt).rejects.toThrow();
    const stored = emulator.getReferral(id);
    expect(stored?.name).toBe('Landed unseen');
    expect(stored?.eTag).not.toBe(eTag);
    expect(emulator.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  test('a body over 1 MiB answers 413', async () => {
    const res = await call(emulator, 'POST', REFERRALS, { rawBody: `"${'x'.repeat(1024 * 1024 + 10)}"` });
    expect(res.status).toBe(413);
  });
});

describe('fault bookkeeping', () => {
  test('pendingFaults lists the rules with uses left, counting down, and drops a rule once used up', async () => {
    emulator.injectFault({ method: 'GET', times: 2, fault: { kind: 'status', status: 503 } });
    emulator.injectFault({ method: 'PUT', fault: { kind: 'reset' } });
    await call(emulator, 'GET', REFERRALS);
    expect(emulator.pendingFaults()).toEqual([
      { method: 'GET', times: 1, fault: { kind: 'status', status: 503 } },
      { method: 'PUT', fault: { kind: 'reset' } },
    ]);
    await call(emulator, 'GET', REFERRALS);
    expect(emulator.pendingFaults()).toEqual([{ method: 'PUT', fault: { kind: 'reset' } }]);
  });

  test('pendingFaults hands out copies, so changing one changes no rule', async () => {
    emulator.injectFault({ times: 1, fault: { kind: 'status', status: 500 } });
    const [copy] = emulator.pendingFaults();
    if (copy !== undefined) copy.times = 0;
    expect((await call(emulator, 'GET', REFERRALS)).status).toBe(500);
  });

  test('faultsApplied counts the requests a fault was applied to, and clearFaults starts it over', async () => {
    emulator.injectFault({ method: 'GET', times: 2, fault: { kind: 'status', status: 502 } });
    for (let i = 0; i < 3; i += 1) await call(emulator, 'GET', REFERRALS);
    expect(emulator.requestCount).toBe(3);
    expect(emulator.faultsApplied).toBe(2);
    emulator.clearFaults();
    expect(emulator.faultsApplied).toBe(0);
    expect(emulator.pendingFaults()).toEqual([]);
  });

  test('whenIdle waits for a delayed write whose client gave up, which still lands', async () => {
    const { body, eTag } = replacement('Landed late');
    emulator.injectFault({ method: 'PUT', times: 1, fault: { kind: 'delay', ms: 300 } });
    const gaveUp = new AbortController();
    const attempt = fetch(`${emulator.url}${REFERRALS}/${id}`, {
      method: 'PUT',
      headers: { authorization: ADMIN, 'content-type': 'application/json', 'if-match': eTag },
      body: JSON.stringify(body),
      signal: gaveUp.signal,
    });
    // The client gives up once the emulator has the whole request (not before: a request cut
    // mid-body is no request), while the delay still holds the write back.
    while (!emulator.requests.some((r) => r.method === 'PUT')) await new Promise((r) => setTimeout(r, 5));
    gaveUp.abort();
    await expect(attempt).rejects.toThrow();
    expect(emulator.getReferral(id)?.name).not.toBe('Landed late');
    await emulator.whenIdle();
    expect(emulator.getReferral(id)?.name).toBe('Landed late');
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

  test('finishes promptly with a response stalled mid-body pending', async () => {
    const local = await startEmulator();
    local.injectFault({ fault: { kind: 'stallMidBody' } });
    const res = await fetch(`${local.url}${REFERRALS}`, { headers: { authorization: ADMIN } });
    const rest = res.text().then(settled, failed);
    const started = performance.now();
    await local.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await rest).toBe('failed');
  });
});
