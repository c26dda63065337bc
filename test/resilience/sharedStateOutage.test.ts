/**
 * Redis goes away under a running gateway and comes back (README "Shared state (Redis)"), on a
 * `redis-server` this test starts itself on a free port, with the persistence the README advises
 * (`appendonly yes`, `appendfsync always`, in a temporary directory removed afterwards; the
 * machine's shared Redis is never touched). Two ways of going away: frozen (SIGSTOP: connections
 * stay open and nothing answers, so only the command timeout saves a request) and killed
 * (SIGKILL; connections refused). In both:
 *
 * - APQ degrades to misses: a hash alone is PERSISTED_QUERY_NOT_FOUND, the query sent with it
 *   runs, a plain query runs;
 * - a create with an idempotencyKey is refused with SHARED_STATE_UNAVAILABLE and sends nothing,
 *   also the repeat of a key whose create succeeded before the outage; a create without a key
 *   goes through;
 * - every request is answered before its deadline.
 *
 * Then redis-server is started again on the same port, reading its AOF, and the same gateway, not
 * restarted, recovers: a key created before the outage replays without a POST, keyed creates
 * work again (once per key), and APQ registers and serves again.
 *
 * The last test kills Redis while keyed creates are in flight (their POSTs held up by the
 * emulator), each key sent twice at once: at most one POST per key, every answer a documented
 * one within its deadline, and after the restart repeats of those keys send nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { CREATE_REFERRAL, type CreateResult, newReferralInput } from '../helpers/createMutation.ts';
import { type OwnRedis, ownRedis } from '../helpers/redis.ts';
import { type Answer, type Replica, startReplica } from '../helpers/replica.ts';
import { report } from '../helpers/report.ts';

const REQUEST_TIMEOUT_MS = 3_000;

let redis: OwnRedis;
let emulator: Emulator;
let gateway: Replica;
/** Every request's time to its answer, for the "no request past its deadline" check. */
const elapsed: number[] = [];

beforeAll(async () => {
  redis = await ownRedis({ persistence: 'aof' });
  await redis.start();
  emulator = await startEmulator();
  gateway = await startReplica(emulator, {
    REDIS_URL: redis.url,
    REDIS_COMMAND_TIMEOUT_MS: '300',
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  });
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  await emulator?.close();
  await redis?.dispose();
});

/** Posts and times one request; a request still unanswered well past its deadline fails the test. */
async function send(body: Record<string, unknown>): Promise<Answer> {
  const started = performance.now();
  const answer = await gateway.post(body, AbortSignal.timeout(REQUEST_TIMEOUT_MS + 5_000));
  elapsed.push(performance.now() - started);
  return answer;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const withHash = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });
const codes = (answer: Answer) => (answer.body.errors ?? []).map((error) => error.extensions?.code);
const posts = () => emulator.requests.filter((r) => r.method === 'POST').length;

async function create(input: Record<string, unknown>, key?: string): Promise<Answer> {
  return send({ query: CREATE_REFERRAL, variables: key === undefined ? { input } : { input, key } });
}
const result = (answer: Answer) => answer.body.data?.createReferral as CreateResult | undefined;

interface KeyedCreate {
  readonly input: Record<string, unknown>;
  readonly key: string;
}

/**
 * Checks the degraded behaviour while Redis is away; `before` is a key created before the outage.
 * Returns the keyed create it saw refused.
 */
async function expectDegraded(phase: string, before: KeyedCreate): Promise<KeyedCreate> {
  const query = `query Outage${phase} { referrals(first: 1) { edges { node { id } } } }`;
  const postsBefore = posts();

  // APQ: a miss, never an error; the query sent with its hash runs.
  expect(codes(await send({ extensions: withHash(query) }))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  const resent = await send({ query, extensions: withHash(query) });
  expect(resent.body.errors).toBeUndefined();
  expect(resent.body.data).toEqual({ referrals: { edges: [expect.anything()] } });
  expect((await send({ query: '{ referrals(first: 1) { edges { cursor } } }' })).body.errors).toBeUndefined();

  // A keyed create is refused before anything is sent, a repeat of an earlier key too.
  const refusedCreate = { input: newReferralInput(), key: `outage-${randomUUID()}` };
  const refused = await create(refusedCreate.input, refusedCreate.key);
  expect(refused.body.data).toBeNull();
  expect(refused.body.errors).toEqual([
    expect.objectContaining({
      message: expect.stringMatching(/not sent/),
      extensions: { code: 'SHARED_STATE_UNAVAILABLE' },
    }),
  ]);
  expect(codes(await create(before.input, before.key))).toEqual(['SHARED_STATE_UNAVAILABLE']);
  expect(posts()).toBe(postsBefore);

  // Without a key, a create does not need the shared state.
  expect(result(await create(newReferralInput()))?.__typename).toBe('CreateReferralSuccess');
  expect(posts()).toBe(postsBefore + 1);
  return refusedCreate;
}

/** Sends a keyed create until it is no longer refused for want of Redis (10 s at most). */
async function untilRecovered(): Promise<{ keyed: KeyedCreate; answer: Answer }> {
  const keyed = { input: newReferralInput(), key: `recovery-${randomUUID()}` };
  for (let attempt = 0; ; attempt += 1) {
    const answer = await create(keyed.input, keyed.key);
    if (!codes(answer).includes('SHARED_STATE_UNAVAILABLE') || attempt === 100) return { keyed, answer };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function expectCreatesOnce(keyed: KeyedCreate): Promise<void> {
  const postsBefore = posts();
  const first = result(await create(keyed.input, keyed.key));
  expect(first?.__typename).toBe('CreateReferralSuccess');
  expect(result(await create(keyed.input, keyed.key))?.referral?.id).toBe(first?.referral?.id);
  expect(posts()).toBe(postsBefore + 1);
}

test('Redis frozen, then killed, then back: degraded as documented, no request past its deadline, recovery without a restart', async () => {
  // Healthy: a keyed create and an APQ registration.
  const before = { input: newReferralInput(), key: `before-${randomUUID()}` };
  const created = result(await create(before.input, before.key));
  expect(created?.__typename).toBe('CreateReferralSuccess');
  expect(posts()).toBe(1);

  redis.pause();
  const frozenFrom = elapsed.length;
  const refusedWhileFrozen = await expectDegraded('Frozen', before);
  // Frozen for longer: the connection, owed replies for 10 command timeouts, is dropped and made
  // anew (which cannot finish while Redis is frozen); meanwhile requests fail fast.
  const dropped = () => gateway.logLines.some((line) => /Socket timeout/.test(String(line.error)));
  for (let waited = 0; waited < 100 && !dropped(); waited += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(dropped()).toBe(true);
  const refusedAfterDrop = await expectDegraded('FrozenLong', before);
  const frozen = elapsed.slice(frozenFrom);
  redis.resume();
  // The claims that timed out reach Redis now, late, if at all; the gateway forgot them (nothing
  // was sent), so their keys are free: each create goes through, once.
  await untilRecovered();
  await expectCreatesOnce(refusedWhileFrozen);
  await expectCreatesOnce(refusedAfterDrop);

  await redis.stop();
  const downFrom = elapsed.length;
  const refusedWhileDown = await expectDegraded('Down', before);
  const down = elapsed.slice(downFrom);

  // Back on the same port, with what its AOF kept. The gateway reconnects by itself.
  await redis.start();
  const restartedAt = performance.now();
  const { keyed: firstCreate, answer: recovered } = await untilRecovered();
  const recoveryMs = performance.now() - restartedAt;
  expect(result(recovered)?.__typename).toBe('CreateReferralSuccess');

  // The key created before the outage survived the SIGKILL: its repeat replays, no POST.
  const postsBeforeReplay = posts();
  const replayed = result(await create(before.input, before.key));
  expect(replayed?.__typename).toBe('CreateReferralSuccess');
  expect(replayed?.referral?.id).toBe(created?.referral?.id);
  expect(posts()).toBe(postsBeforeReplay);

  // Keys work again, once per key: a repeat replays.
  const postsNow = posts();
  const repeat = result(await create(firstCreate.input, firstCreate.key));
  expect(repeat?.referral?.id).toBe(result(recovered)?.referral?.id);
  expect(posts()).toBe(postsNow);

  // A key refused while Redis was down sent nothing: its create goes through, once.
  await expectCreatesOnce(refusedWhileDown);

  // APQ registers and serves again.
  const query = `query AfterOutage { referrals(first: 1) { edges { node { id } } } }`;
  expect(codes(await send({ extensions: withHash(query) }))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  expect((await send({ query, extensions: withHash(query) })).body.errors).toBeUndefined();
  let served: Answer | undefined;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    served = await send({ extensions: withHash(query) });
    if (served.body.errors === undefined) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(served?.body.errors).toBeUndefined();

  // No request outlived its deadline, frozen Redis included.
  expect(Math.max(...elapsed)).toBeLessThan(REQUEST_TIMEOUT_MS);
  // The outage is in the logs, at warn, without a line per request.
  const warnings = gateway.logLines.filter((line) => line.level === 40);
  expect(warnings.some((line) => line.msg.startsWith('APQ lookup on Redis failed'))).toBe(true);
  expect(warnings.some((line) => line.msg.startsWith('idempotency records on Redis unavailable'))).toBe(true);
  expect(warnings.length).toBeLessThan(elapsed.length);

  const slowest = (list: number[]) => Math.round(Math.max(...list));
  report(
    'shared state outage',
    `${elapsed.length} requests; slowest answer with Redis frozen ${slowest(frozen)} ms, killed ${slowest(down)} ms (deadline ${REQUEST_TIMEOUT_MS} ms); keyed creates refused with 0 POSTs; recovered ${Math.round(recoveryMs)} ms after redis-server was back; ${warnings.length} warn lines`,
  );
}, 60_000);

test("Redis refuses the outcome after the POST left: the answer is still the Partner API's, the failure is logged, and repeats never POST again", async () => {
  // A gateway with a short deadline, so the claim's lease (deadline + 5 s) ends within the test.
  const short = await startReplica(emulator, { REDIS_URL: redis.url, REQUEST_TIMEOUT_MS: '1500' });
  const admin = new Redis(redis.url);
  try {
    const input = newReferralInput();
    const key = `after-post-${randomUUID()}`;
    const body = { query: CREATE_REFERRAL, variables: { input, key } };
    const postsBefore = posts();
    emulator.injectFault({ method: 'POST', times: 1, fault: { kind: 'delay', ms: 500 } });

    const first = short.post(body);
    // Once the POST is on its way, Redis refuses every write (out of memory under `noeviction`).
    while (posts() === postsBefore) await new Promise((resolve) => setTimeout(resolve, 10));
    await admin.config('SET', 'maxmemory', '1');
    const created = result(await first);
    await admin.config('SET', 'maxmemory', '0');

    expect(created?.__typename).toBe('CreateReferralSuccess');
    expect(
      short.logLines.some(
        (line) => line.level === 50 && line.msg.startsWith("could not record a create's outcome on Redis"),
      ),
    ).toBe(true);

    // Within the lease the claim is still in flight: a repeat waits, then says so; nothing is sent.
    expect(result(await short.post(body))?.__typename).toBe('ReferralCreationUncertain');
    // After it, the create counts as uncertain: a repeat looks for the referral and finds it.
    let repeat: CreateResult | undefined;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      repeat = result(await short.post(body));
      if (repeat?.__typename === 'CreateReferralSuccess') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(repeat?.referral?.id).toBe(created?.referral?.id);
    expect(posts()).toBe(postsBefore + 1);
    expect(emulator.listReferrals().filter((r) => r.name === input.name)).toHaveLength(1);
  } finally {
    admin.disconnect();
    await short.close();
  }
}, 30_000);

test('Redis killed while keyed creates are in flight: at most one POST per key, every answer documented and in time, no POST for their repeats after the restart', async () => {
  const KEYS = 6;
  const keyed = Array.from({ length: KEYS }, (_, i) => ({
    input: newReferralInput(),
    key: `in-flight-${i}-${randomUUID()}`,
  }));
  const postsBefore = posts();
  const errorsBefore = gateway.logLines.filter((line) => line.level === 50).length;
  const firstElapsed = elapsed.length;
  // Every POST is held up by the emulator for a second: Redis dies while they are on their way.
  emulator.injectFault({ method: 'POST', times: KEYS, fault: { kind: 'delay', ms: 1_000 } });
  // Each key twice at once: one request owns it and POSTs, the other waits for it.
  const inFlight = keyed.flatMap(({ input, key }) => [create(input, key), create(input, key)]);
  for (let waited = 0; posts() < postsBefore + KEYS && waited < 500; waited += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(posts()).toBe(postsBefore + KEYS);
  await redis.stop();
  const answers = await Promise.all(inFlight);

  const outcome = (answer: Answer) => result(answer)?.__typename ?? codes(answer).join(',');
  const outcomes = answers.map(outcome);
  for (const seen of outcomes) {
    expect(['CreateReferralSuccess', 'ReferralCreationUncertain', 'SHARED_STATE_UNAVAILABLE']).toContain(
      seen,
    );
  }
  const inFlightPosts = posts() - postsBefore;
  expect(inFlightPosts).toBeLessThanOrEqual(KEYS);
  for (const { input } of keyed) {
    expect(emulator.listReferrals().filter((r) => r.name === input.name)).toHaveLength(1);
  }
  const inFlightElapsed = elapsed.slice(firstElapsed);
  expect(Math.max(...inFlightElapsed)).toBeLessThan(REQUEST_TIMEOUT_MS);
  // Each owner's outcome could not be recorded: an error line each, as documented.
  const created = outcomes.filter((seen) => seen === 'CreateReferralSuccess').length;
  expect(gateway.logLines.filter((line) => line.level === 50).length - errorsBefore).toBe(created);

  // Back with its AOF: the claims in flight are still there. Repeats wait for them (their lease
  // outlives the deadline), then answer uncertain or, once the lease is over, find the referral;
  // nothing is POSTed again.
  await redis.start();
  await untilRecovered();
  const postsAfterRestart = posts();
  const repeats = (await Promise.all(keyed.map(({ input, key }) => create(input, key)))).map(outcome);
  for (const seen of repeats) expect(['CreateReferralSuccess', 'ReferralCreationUncertain']).toContain(seen);
  expect(posts()).toBe(postsAfterRestart);

  const count = (list: string[]) =>
    Object.entries(Object.groupBy(list, (seen) => seen))
      .map(([seen, all]) => `${all?.length} ${seen}`)
      .join(', ');
  report(
    'shared state, Redis killed mid-create',
    `${KEYS} keys × 2 requests in flight: ${inFlightPosts} POSTs; answers ${count(outcomes)}; slowest ${Math.round(Math.max(...inFlightElapsed))} ms (deadline ${REQUEST_TIMEOUT_MS} ms); repeats after the restart: ${count(repeats)}, 0 POSTs`,
  );
}, 60_000);
