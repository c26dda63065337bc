import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { handleReferralRequest } from '../../src/emulator/referralRoutes.ts';
import { ReferralStore } from '../../src/emulator/store.ts';
import { call, REFERRALS } from './call.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

function first(): Record<string, unknown> {
  const referral = emulator.listReferrals()[0];
  if (referral === undefined) throw new Error('no seed');
  return referral;
}

describe('auth', () => {
  test.each([
    ['no Authorization header', null],
    ['an empty bearer token', 'Bearer '],
    ['a non-bearer scheme', 'Basic dXNlcjpwYXNz'],
  ])('answers 401 unauthenticated for %s, and still records the request', async (_name, token) => {
    emulator.clearRequests();
    const res = await call(emulator, 'GET', REFERRALS, { token });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'unauthenticated', target: 'referral' });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.requests).toHaveLength(1);
  });
});

describe('GET the collection', () => {
  test('following @odata.nextLink as given with $top=7 yields every referral exactly once', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${emulator.url}${REFERRALS}?$top=7`;
    let pages = 0;
    while (url !== undefined) {
      const res = await call(emulator, 'GET', url);
      expect(res.status).toBe(200);
      expect(res.body['@odata.context']).toBe(`${emulator.url}/$metadata#Referrals`);
      expect(res.body['@odata.count']).toBe(res.body.value.length);
      expect(res.body.value.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.value.map((r: { id: string }) => r.id));
      url = res.body['@odata.nextLink'];
      if (url !== undefined) expect(url.startsWith(`${emulator.url}${REFERRALS}?`)).toBe(true);
      pages += 1;
      expect(pages).toBeLessThan(30);
    }
    const all = emulator.listReferrals().map((r) => r.id);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 7));
  });

  test('answers at most 100 items by default and carries eTag and links on each item', async () => {
    const res = await call(emulator, 'GET', REFERRALS);
    expect(res.body.value.length).toBe(Math.min(100, emulator.listReferrals().length));
    const item = res.body.value[0];
    expect(item.eTag).toMatch(/^"[0-9a-f]{8}-0000-0000-0000-[0-9a-f]{12}"$/);
    expect(item.links.self).toEqual({ uri: `${emulator.url}${REFERRALS}/${item.id}`, method: 'GET' });
  });

  test.each(['101', '0', 'ten', '-1', '7.5'])('answers 400 invalidRequest for $top=%s', async (top) => {
    const res = await call(emulator, 'GET', `${REFERRALS}?$top=${top}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalidRequest');
  });

  test('answers 400 for a $skiptoken it did not issue and for an unknown $orderby', async () => {
    expect((await call(emulator, 'GET', `${REFERRALS}?$skiptoken=garbage!`)).status).toBe(400);
    expect((await call(emulator, 'GET', `${REFERRALS}?$skiptoken=bm9wZQ`)).status).toBe(400);
    expect((await call(emulator, 'GET', `${REFERRALS}?$orderby=name`)).status).toBe(400);
  });

  test('answers 400 invalidRequest for a $filter syntax error', async () => {
    const res = await call(emulator, 'GET', `${REFERRALS}?$filter=${encodeURIComponent("status eq 'New")}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalidRequest');
  });

  test('filters by status and substatus', async () => {
    const filter = "status eq 'Closed' and substatus eq 'Won'";
    const res = await call(emulator, 'GET', `${REFERRALS}?$filter=${encodeURIComponent(filter)}`);
    const expected = emulator.listReferrals().filter((r) => r.status === 'Closed' && r.substatus === 'Won');
    expect(res.body.value.map((r: { id: string }) => r.id)).toEqual(expected.map((r) => r.id));
    expect(expected.length).toBeGreaterThan(0);
  });

  test('filters by a nested path and by a team member with any()', async () => {
    const country = (r: Record<string, unknown>) =>
      (r.customerProfile as { address: { country: string } }).address.country;
    const us = await call(
      emulator,
      'GET',
      `${REFERRALS}?$filter=${encodeURIComponent("customerProfile/address/country eq 'US'")}`,
    );
    expect(us.body.value.length).toBe(emulator.listReferrals().filter((r) => country(r) === 'US').length);
    expect(us.body.value.every((r: Record<string, unknown>) => country(r) === 'US')).toBe(true);

    const email = 'liam.obrien@partner.example.com';
    const filter = `team/any(t:t/email eq '${email}')`;
    const mine = await call(emulator, 'GET', `${REFERRALS}?$filter=${encodeURIComponent(filter)}`);
    const expected = emulator
      .listReferrals()
      .filter((r) => (r.team as { email: string }[]).some((m) => m.email === email));
    expect(mine.body.value.map((r: { id: string }) => r.id)).toEqual(expected.map((r) => r.id));
    expect(expected.length).toBeGreaterThan(0);
  });

  test('a nextLink carries the filter and orderby, and pages stay in that order', async () => {
    const filter = "status eq 'New'";
    const res = await call(
      emulator,
      'GET',
      `${REFERRALS}?$filter=${encodeURIComponent(filter)}&$orderby=${encodeURIComponent('updatedDateTime asc')}&$top=3`,
    );
    const next = new URL(res.body['@odata.nextLink']);
    expect(next.searchParams.get('$filter')).toBe(filter);
    expect(next.searchParams.get('$orderby')).toBe('updatedDateTime asc');
    expect(next.searchParams.get('$top')).toBe('3');
    const second = await call(emulator, 'GET', next.href);
    const dates = [...res.body.value, ...second.body.value].map(
      (r: { updatedDateTime: string }) => r.updatedDateTime,
    );
    expect(dates).toEqual([...dates].sort());
    expect(second.body.value.every((r: { status: string }) => r.status === 'New')).toBe(true);
  });
});

describe('GET one referral', () => {
  test('answers the referral with its eTag in the body and the ETag header, plus context and links', async () => {
    const stored = first();
    const res = await call(emulator, 'GET', `${REFERRALS}/${stored.id}`);
    expect(res.status).toBe(200);
    expect(res.body.eTag).toBe(stored.eTag);
    expect(res.headers.get('etag')).toBe(stored.eTag);
    expect(res.body['@odata.context']).toBe(`${emulator.url}${REFERRALS}/$metadata#Referrals/$entity`);
    expect(res.body.links.self).toEqual({ uri: `${emulator.url}${REFERRALS}/${stored.id}`, method: 'GET' });
    const related = new URL(res.body.links.relatedReferrals.uri);
    expect(related.pathname).toBe(`${new URL(emulator.url).pathname}${REFERRALS}`);
    expect(related.searchParams.get('$filter')).toBe(`engagementId eq '${stored.engagementId}'`);
    expect(res.body.links.relatedReferrals.method).toBe('GET');
    const { links: _links, '@odata.context': _context, ...rest } = res.body;
    expect(rest).toEqual(stored);
  });

  test('the relatedReferrals link lists the referrals sharing the engagement', async () => {
    const all = emulator.listReferrals();
    const shared = all.find((r) => all.filter((o) => o.engagementId === r.engagementId).length > 1);
    const res = await call(emulator, 'GET', `${REFERRALS}/${shared?.id}`);
    const related = await call(emulator, 'GET', res.body.links.relatedReferrals.uri);
    expect(related.body.value.length).toBeGreaterThan(1);
    expect(
      related.body.value.every((r: { engagementId: string }) => r.engagementId === shared?.engagementId),
    ).toBe(true);
  });

  test('answers 404 itemNotFound for an unknown id', async () => {
    const res = await call(emulator, 'GET', `${REFERRALS}/00000000-0000-0000-0000-000000000000`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('itemNotFound');
  });

  test('answers 404 for an unknown route and 405 for a wrong method', async () => {
    expect((await call(emulator, 'GET', '/engagements/other')).status).toBe(404);
    expect((await call(emulator, 'GET', `${REFERRALS}/a/b`)).status).toBe(404);
    const res = await call(emulator, 'DELETE', `${REFERRALS}/${first().id}`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, PUT, PATCH');
  });
});

describe('the request log', () => {
  test('records method, path, raw url, decoded query, lower-case headers and the JSON body', async () => {
    emulator.clearRequests();
    // fetch (WHATWG URL) sends ' as %27 in a query, so the test writes it that way.
    const raw = `${REFERRALS}?$filter=status%20eq%20%27New%27&$top=2`;
    await call(emulator, 'GET', raw, { headers: { 'Client-Request-Id': 'abc' } });
    await call(emulator, 'POST', REFERRALS, { body: { hello: 'world' } });
    const [get, post] = emulator.requests;
    const prefix = new URL(emulator.url).pathname;
    expect(get).toMatchObject({
      method: 'GET',
      path: `${prefix}${REFERRALS}`,
      url: `${prefix}${raw}`,
      query: { $filter: "status eq 'New'", $top: '2' },
      body: undefined,
    });
    expect(get?.headers['client-request-id']).toBe('abc');
    expect(post?.body).toEqual({ hello: 'world' });
  });
});

describe('a Referral User (token user:<email>)', () => {
  const email = 'hana.sato@partner.example.com';
  const token = `Bearer user:${email}`;
  const onTeam = (r: Record<string, unknown>) =>
    (r.team as { email: string }[]).some((m) => m.email === email);

  test('lists only referrals whose team includes them', async () => {
    const res = await call(emulator, 'GET', REFERRALS, { token });
    const expected = emulator.listReferrals().filter(onTeam);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(emulator.listReferrals().length);
    expect(res.body.value.map((r: { id: string }) => r.id)).toEqual(expected.map((r) => r.id));
  });

  test('gets 404 for a referral they are not on, 200 for one they are on', async () => {
    const other = emulator.listReferrals().find((r) => !onTeam(r));
    const mine = emulator.listReferrals().find(onTeam);
    expect((await call(emulator, 'GET', `${REFERRALS}/${other?.id}`, { token })).status).toBe(404);
    expect((await call(emulator, 'GET', `${REFERRALS}/${mine?.id}`, { token })).status).toBe(200);
  });

  test('gets 403 accessDenied for every write, even on their own referral', async () => {
    const mine = emulator.listReferrals().find(onTeam) as Record<string, unknown>;
    const put = await call(emulator, 'PUT', `${REFERRALS}/${mine.id}`, {
      token,
      body: mine,
      headers: { 'if-match': String(mine.eTag) },
    });
    const patch = await call(emulator, 'PATCH', `${REFERRALS}/${mine.id}`, {
      token,
      body: [{ op: 'replace', path: '/details/notes', value: 'x' }],
    });
    const post = await call(emulator, 'POST', REFERRALS, { token, body: { type: 'Shared' } });
    for (const res of [put, patch, post]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('accessDenied');
    }
    expect(emulator.getReferral(String(mine.id))).toEqual(mine);
  });
});

describe('a list answer holds copies of what is stored', () => {
  // The list route chooses its page from the stored items themselves (store.ts `forReading`);
  // what it answers must still be cloned, nested members included.
  test('changing a listed referral, down to a team member, changes nothing stored', () => {
    const store = new ReferralStore();
    store.insert({ id: 'r-1', engagementId: 'e-1', team: [{ email: 'a@example.com' }] });
    const answer = handleReferralRequest({
      method: 'GET',
      id: undefined,
      query: new URLSearchParams("$filter=engagementId eq 'e-1'"),
      headers: {},
      body: undefined,
      caller: { role: 'admin' },
      store,
      baseUrl: 'http://127.0.0.1:1/v1.0',
    });
    const listed = (answer.body as { value: { team: { email: string }[]; name?: string }[] }).value;
    expect(listed).toHaveLength(1);
    const [item] = listed;
    if (item === undefined) throw new Error('nothing listed');
    item.name = 'changed';
    item.team.push({ email: 'b@example.com' });
    const [member] = item.team;
    if (member !== undefined) member.email = 'changed@example.com';
    expect(store.get('r-1')).toMatchObject({ team: [{ email: 'a@example.com' }] });
    expect(store.get('r-1')).not.toHaveProperty('name');
  });
});
