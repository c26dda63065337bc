/**
 * Two gateways ("replicas") with the same REDIS_URL and key prefix in front of one emulator share
 * their state (README "Shared state (Redis)"): an APQ hash registered through one is served by
 * the other, and one idempotency key sent to both at once makes one POST, every answer naming the
 * same referral. Runs on the machine's Redis (127.0.0.1:6379) under a key prefix of its own,
 * deleted afterwards.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { CREATE_REFERRAL, type CreateResult, newReferralInput } from '../helpers/createMutation.ts';
import { deleteKeys, keysWithPrefix, SHARED_REDIS_URL } from '../helpers/redis.ts';
import { type Replica, startReplica } from '../helpers/replica.ts';

const PREFIX = `test:shared-state:${randomUUID()}:`;

let emulator: Emulator;
let a: Replica;
let b: Replica;

beforeAll(async () => {
  emulator = await startEmulator();
  const env = { REDIS_URL: SHARED_REDIS_URL, REDIS_KEY_PREFIX: PREFIX };
  [a, b] = await Promise.all([startReplica(emulator, env), startReplica(emulator, env)]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await emulator?.close();
  await deleteKeys(SHARED_REDIS_URL, PREFIX);
});

beforeEach(() => {
  emulator.clearRequests();
  emulator.clearFaults();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });

describe('APQ', () => {
  test('a hash registered through one replica is served by the other', async () => {
    const query = `query SharedApq${randomUUID().slice(0, 8)} { referrals(first: 2) { edges { node { id } } } }`;

    const unknown = await b.post({ extensions: persisted(query) });
    expect(unknown.body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);

    const registered = await a.post({ query, extensions: persisted(query) });
    expect(registered.body.errors).toBeUndefined();
    // Apollo stores the document without awaiting it: wait until it is in Redis.
    for (
      let i = 0;
      i < 100 && (await keysWithPrefix(SHARED_REDIS_URL, `${PREFIX}apq:`)).length === 0;
      i += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await keysWithPrefix(SHARED_REDIS_URL, `${PREFIX}apq:`)).toEqual([
      `${PREFIX}apq:${sha256(query)}`,
    ]);

    const served = await b.post({ extensions: persisted(query) });
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data).toEqual(registered.body.data);
  });
});

describe('idempotency keys', () => {
  test('the same key sent to both replicas at once: one POST upstream, one referral in every answer', async () => {
    const input = newReferralInput();
    const key = `shared-${randomUUID()}`;
    // The POST takes a while, so every request arrives while the first is still creating.
    emulator.injectFault({ method: 'POST', fault: { kind: 'delay', ms: 300 } });

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).post({ query: CREATE_REFERRAL, variables: { input, key } }),
      ),
    );

    const results = answers.map((answer) => answer.body.data?.createReferral as CreateResult);
    expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(new Set(results.map((r) => r.__typename))).toEqual(new Set(['CreateReferralSuccess']));
    expect(new Set(results.map((r) => r.referral?.id)).size).toBe(1);
    expect(emulator.listReferrals().filter((r) => r.name === input.name)).toHaveLength(1);
    // The record is on Redis, under the prefix, and holds no key, token or customer data.
    const records = await keysWithPrefix(SHARED_REDIS_URL, `${PREFIX}idempotency:`);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatch(/:idempotency:[0-9a-f]{64}$/);
  });

  test('a repeat of a finished create through the other replica replays it without a POST', async () => {
    const input = newReferralInput();
    const key = `shared-${randomUUID()}`;
    const first = await a.post({ query: CREATE_REFERRAL, variables: { input, key } });
    const again = await b.post({ query: CREATE_REFERRAL, variables: { input, key } });
    const firstResult = first.body.data?.createReferral as CreateResult;
    const againResult = again.body.data?.createReferral as CreateResult;
    expect(againResult.__typename).toBe('CreateReferralSuccess');
    expect(againResult.referral?.id).toBe(firstResult.referral?.id);
    expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});
