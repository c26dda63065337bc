import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { call, REFERRALS } from './call.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ maxRecordedRequests: 5 });
});
afterAll(async () => {
  await emulator.close();
});

describe('the request record', () => {
  test('keeps only the latest maxRecordedRequests, in order, and counts them all', async () => {
    emulator.clearRequests();
    for (let i = 0; i < 12; i++) await call(emulator, 'GET', `${REFERRALS}?$top=${i + 1}`);
    expect(emulator.requestCount).toBe(12);
    expect(emulator.requests.map((r) => r.query.$top)).toEqual(['8', '9', '10', '11', '12']);
  });

  test('clearRequests empties the record and the count', async () => {
    await call(emulator, 'GET', REFERRALS);
    emulator.clearRequests();
    expect(emulator.requests).toEqual([]);
    expect(emulator.requestCount).toBe(0);
  });
});
