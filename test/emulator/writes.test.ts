import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { call, REFERRALS } from './call.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => emulator.clearFaults());

const SEVEN_DIGITS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

function referralIn(status: string): Record<string, unknown> {
  const found = emulator.listReferrals().find((r) => r.status === status);
  if (found === undefined) throw new Error(`no ${status} referral`);
  return found;
}

/** What a gateway PUTs: the stored referral with changes, without links. */
async function put(referral: Record<string, unknown>, changes: Record<string, unknown>, ifMatch?: string) {
  return call(emulator, 'PUT', `${REFERRALS}/${referral.id}`, {
    body: { ...referral, ...changes },
    headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
  });
}

describe('PUT (full replace)', () => {
  test('answers 428 preconditionRequired without If-Match and stores nothing', async () => {
    const before = referralIn('New');
    const res = await put(before, { name: 'changed' });
    expect(res.status).toBe(428);
    expect(res.body.error.code).toBe('preconditionRequired');
    expect(emulator.getReferral(String(before.id))).toEqual(before);
  });

  test('answers 412 with the observed body for a stale eTag, and stores nothing', async () => {
    const before = referralIn('New');
    const res = await put(before, { name: 'changed' }, '"00000000-0000-0000-0000-000000000000"');
    expect(res.status).toBe(412);
    expect(res.body).toEqual({
      error: {
        code: 'preconditionFailed',
        message: expect.any(String),
        target: 'ETag',
        innerError: { code: '99918', message: 'Etag value did not Match', details: null },
      },
    });
    expect(emulator.getReferral(String(before.id))).toEqual(before);
  });

  test('does not accept If-Match: * or the tag without its quotes', async () => {
    const before = referralIn('New');
    expect((await put(before, {}, '*')).status).toBe(412);
    expect((await put(before, {}, String(before.eTag).replaceAll('"', ''))).status).toBe(412);
    expect((await put(before, {}, `W/${before.eTag}`)).status).toBe(412);
  });

  test('with the current eTag replaces the referral, keeps unknown fields and answers a new eTag', async () => {
    const before = referralIn('New');
    const res = await put(
      before,
      { name: 'Renamed', someFutureField: { nested: [1, 2] }, links: { self: 'ignored' }, id: 'hijack' },
      String(before.eTag),
    );
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Renamed');
    expect(res.body.someFutureField).toEqual({ nested: [1, 2] });
    expect(res.body.id).toBe(before.id);
    expect(res.body.eTag).not.toBe(before.eTag);
    expect(res.headers.get('etag')).toBe(res.body.eTag);
    expect(res.body.updatedDateTime).toMatch(SEVEN_DIGITS);
    expect(res.body.updatedDateTime > String(before.updatedDateTime)).toBe(true);
    expect(res.body.links.self.method).toBe('GET');
    const stored = emulator.getReferral(String(before.id));
    expect(stored).toMatchObject({
      name: 'Renamed',
      someFutureField: { nested: [1, 2] },
      eTag: res.body.eTag,
    });
    expect(stored).not.toHaveProperty('links');
    // The old tag is now stale.
    expect((await put(before, {}, String(before.eTag))).status).toBe(412);
  });

  test('keeps server-owned fields from the stored copy whatever the body says', async () => {
    const before = referralIn('Active');
    const res = await put(
      before,
      { engagementId: 'x', organizationId: 'y', organizationName: 'z', createdDateTime: 'w' },
      String(before.eTag),
    );
    expect(res.status).toBe(200);
    for (const key of ['engagementId', 'organizationId', 'organizationName', 'createdDateTime']) {
      expect(res.body[key]).toBe(before[key]);
    }
  });

  test('answers 400 invalidRequest naming an illegal status transition, and stores nothing', async () => {
    const before = referralIn('Closed');
    const res = await put(before, { status: 'New', substatus: 'Pending' }, String(before.eTag));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalidRequest');
    expect(res.body.error.message).toContain('"Closed"');
    expect(res.body.error.message).toContain('"New"/"Pending"');
    expect(emulator.getReferral(String(before.id))).toEqual(before);
  });

  test('accepts a legal transition and a substatus that does not fit the new status is refused', async () => {
    const active = referralIn('Active');
    expect((await put(active, { status: 'Closed', substatus: 'Accepted' }, String(active.eTag))).status).toBe(
      400,
    );
    const ok = await put(active, { status: 'Closed', substatus: 'Won' }, String(active.eTag));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'Closed', substatus: 'Won' });
  });

  test('leaves an unchanged None/None referral alone, since only changes are checked', async () => {
    const none = referralIn('None');
    const res = await put(none, { name: 'still none' }, String(none.eTag));
    expect(res.status).toBe(200);
  });

  test('answers 400 for a body that is not a JSON object or not JSON at all', async () => {
    const before = referralIn('New');
    const headers = { 'if-match': String(before.eTag) };
    expect((await call(emulator, 'PUT', `${REFERRALS}/${before.id}`, { body: [1], headers })).status).toBe(
      400,
    );
    const bad = await call(emulator, 'PUT', `${REFERRALS}/${before.id}`, { rawBody: '{"name":', headers });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalidRequest');
  });

  test('answers 404 for an unknown id', async () => {
    const res = await call(emulator, 'PUT', `${REFERRALS}/nope`, {
      body: {},
      headers: { 'if-match': '"x"' },
    });
    expect(res.status).toBe(404);
  });
});

describe('PATCH (JSON Patch)', () => {
  test('without Prefer answers 204 with no body and a new ETag header', async () => {
    const before = referralIn('New');
    const res = await call(emulator, 'PATCH', `${REFERRALS}/${before.id}`, {
      body: [{ op: 'replace', path: '/details/notes', value: 'patched' }],
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const stored = emulator.getReferral(String(before.id));
    expect(stored?.eTag).not.toBe(before.eTag);
    expect(res.headers.get('etag')).toBe(stored?.eTag);
    expect(stored?.details).toMatchObject({ notes: 'patched' });
  });

  test('with Prefer: return=representation answers 200 with the referral', async () => {
    const before = referralIn('New');
    const res = await call(emulator, 'PATCH', `${REFERRALS}/${before.id}`, {
      body: [
        { op: 'replace', path: '/status', value: 'Active' },
        { op: 'replace', path: '/substatus', value: 'Accepted' },
        { op: 'replace', path: '/details/dealValue', value: '10000' },
        { op: 'add', path: '/team/-', value: { email: 'new.member@partner.example.com', firstName: 'New' } },
      ],
      headers: { prefer: 'return=representation', 'if-match': String(before.eTag) },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'Active',
      substatus: 'Accepted',
      details: { dealValue: 10000 },
    });
    expect(res.body.team.at(-1).email).toBe('new.member@partner.example.com');
    expect(res.headers.get('etag')).toBe(res.body.eTag);
  });

  test('answers 412 for a stale If-Match and 400 for an illegal transition or unsupported op', async () => {
    const before = referralIn('Closed');
    const url = `${REFERRALS}/${before.id}`;
    const ops = [{ op: 'replace', path: '/details/notes', value: 'x' }];
    expect(
      (await call(emulator, 'PATCH', url, { body: ops, headers: { 'if-match': '"stale"' } })).status,
    ).toBe(412);
    const illegal = await call(emulator, 'PATCH', url, {
      body: [{ op: 'replace', path: '/status', value: 'Active' }],
    });
    expect(illegal.status).toBe(400);
    const remove = await call(emulator, 'PATCH', url, { body: [{ op: 'remove', path: '/statusReason' }] });
    expect(remove.status).toBe(400);
    const readOnly = await call(emulator, 'PATCH', url, {
      body: [{ op: 'replace', path: '/id', value: 'x' }],
    });
    expect(readOnly.status).toBe(400);
    expect(emulator.getReferral(String(before.id))).toEqual(before);
  });
});

describe('POST (create)', () => {
  test('creates a New/Pending referral with server-assigned fields and answers 201', async () => {
    const res = await call(emulator, 'POST', REFERRALS, {
      body: {
        name: 'Created in a test',
        type: 'Independent',
        customerProfile: { name: 'Fourth Coffee', address: { country: 'US' } },
        consent: { consentToContact: true },
        details: { dealValue: 1, currency: 'USD' },
        extra: 'kept',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'New',
      substatus: 'Pending',
      extra: 'kept',
      name: 'Created in a test',
    });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.engagementId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.createdDateTime).toMatch(SEVEN_DIGITS);
    expect(res.headers.get('etag')).toBe(res.body.eTag);
    expect(emulator.getReferral(res.body.id)).toMatchObject({ eTag: res.body.eTag });
  });

  test('keeps a given engagementId (the shared-referral second step)', async () => {
    const engagementId = String(referralIn('Active').engagementId);
    const res = await call(emulator, 'POST', REFERRALS, {
      body: { engagementId, type: 'Shared', customerProfile: {}, consent: {}, details: {} },
    });
    expect(res.body.engagementId).toBe(engagementId);
  });

  test('answers 400 invalidRequest when a required field is missing', async () => {
    const res = await call(emulator, 'POST', REFERRALS, {
      body: { type: 'Shared', consent: {}, details: {} },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('customerProfile');
  });
});

describe('putReferral', () => {
  test('stores raw JSON as given, odd values included, with a fresh eTag', async () => {
    const base = referralIn('New');
    const stored = emulator.putReferral({ ...base, id: 'odd-one', status: 'Archived', eTag: 'mine' });
    expect(stored.status).toBe('Archived');
    expect(stored.eTag).not.toBe('mine');
    const res = await call(emulator, 'GET', `${REFERRALS}/odd-one`);
    expect(res.body.status).toBe('Archived');
    stored.name = 'mutating the copy does nothing';
    expect(emulator.getReferral('odd-one')?.name).toBe(base.name);
  });
});
