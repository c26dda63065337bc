import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { call, REFERRALS } from './call.ts';

let emulator: Emulator;
let seededWithRegistrations: string[] = [];
beforeAll(async () => {
  emulator = await startEmulator();
  seededWithRegistrations = emulator
    .listReferrals()
    .filter((r) => Array.isArray(r.registrations) && r.registrations.length > 0)
    .map((r) => String(r.id));
});
afterAll(async () => {
  await emulator.close();
});

const SEVEN_DIGITS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const REGISTRATION = {
  type: 'AzureIPCoSell',
  solutionDetails: [{ id: 'SOL-1', value: 100, currency: 'USD', isDeployedOnAzure: true }],
  contract: { value: 100, currency: 'USD', term: 'Perpetual' },
};

/** A referral seeded with a deal registration; `k` picks another one, so tests do not share. */
function registered(k: number): Record<string, unknown> {
  const id = seededWithRegistrations[k];
  const found = id === undefined ? undefined : emulator.getReferral(id);
  if (found === undefined) throw new Error(`no seeded referral #${k} with a registration`);
  return found;
}

function unregistered(): Record<string, unknown> {
  const found = emulator.listReferrals().find((r) => r.registrations === undefined);
  if (found === undefined) throw new Error('no seeded referral without registrations');
  return found;
}

function patch(referral: Record<string, unknown>, ops: unknown[], ifMatch = String(referral.eTag)) {
  return call(emulator, 'PATCH', `${REFERRALS}/${referral.id}`, {
    body: ops,
    headers: { 'if-match': ifMatch, prefer: 'return=representation' },
  });
}

describe('PATCH add /registrations/- (create a deal registration)', () => {
  test('appends the registration with a server id, registration time and ReviewPending status', async () => {
    const before = registered(0);
    const res = await patch(before, [
      { op: 'add', path: '/registrations/-', value: { ...REGISTRATION, id: 'mine', status: 'Approved' } },
    ]);
    expect(res.status).toBe(200);
    const list = res.body.registrations as Record<string, unknown>[];
    expect(list).toHaveLength((before.registrations as unknown[]).length + 1);
    const created = list.at(-1) as Record<string, unknown>;
    expect(created).toMatchObject({ ...REGISTRATION, status: 'ReviewPending', statusReason: null });
    expect(created.id).toMatch(GUID);
    expect(created.registrationDateTime).toMatch(SEVEN_DIGITS);
    expect(created.statusHistory).toMatchObject({ reviewPendingDateTime: created.registrationDateTime });
    expect(res.body.registrationStatus).toBe('ReviewPending');
  });

  test('starts the list on a referral that has none, and defaults the type', async () => {
    const before = unregistered();
    const { type: _type, ...untyped } = REGISTRATION;
    const res = await patch(before, [{ op: 'add', path: '/registrations/-', value: untyped }]);
    expect(res.status).toBe(200);
    expect(res.body.registrations).toEqual([expect.objectContaining({ type: 'AzureIPCoSell' })]);
  });

  test('refuses a registration type the connector does not define, and stores nothing', async () => {
    const before = registered(1);
    const res = await patch(before, [
      { op: 'add', path: '/registrations/-', value: { ...REGISTRATION, type: 'Other' } },
    ]);
    expect(res.status).toBe(400);
    expect(emulator.getReferral(String(before.id))).toEqual(before);
  });
});

describe('PATCH on a registration’s documented paths (change a deal registration)', () => {
  test('replaces the contract’s and a solution’s documented leaves', async () => {
    const before = registered(2);
    const res = await patch(before, [
      { op: 'replace', path: '/registrations/0/contract/value', value: 123 },
      { op: 'replace', path: '/registrations/0/solutionDetails/0/pricingModel', value: 'Other' },
      {
        op: 'replace',
        path: '/registrations/0/solutionDetails/0/marketplaceTransactionDetails/isMarketplaceTransacted',
        value: true,
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.registrations[0]).toMatchObject({
      contract: { value: 123 },
      solutionDetails: [
        { pricingModel: 'Other', marketplaceTransactionDetails: { isMarketplaceTransacted: true } },
      ],
    });
  });

  test.each([
    ['the status the service sets', '/registrations/0/status'],
    ['the registration’s id', '/registrations/0/id'],
    ['the contract’s currency', '/registrations/0/contract/currency'],
    ['a whole registration', '/registrations/0'],
    ['the whole list', '/registrations'],
  ])('refuses %s (%s) with 400, storing nothing', async (_what, path) => {
    const before = registered(3);
    const res = await patch(before, [{ op: 'replace', path, value: 'x' }]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalidRequest');
    expect(emulator.getReferral(String(before.id))).toEqual(before);
  });
});
