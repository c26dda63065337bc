/**
 * The gateway as a platform team runs it, on loopback: three replicas (real processes) sharing a
 * real Redis, HAProxy in front of them checking `/ready`, a federation router (Hive Gateway)
 * composing them with the accounts subgraph, and the emulator as the Partner API. What must hold
 * across replicas does: one winner per stale-etag race, one POST per idempotency key, APQ and
 * cursors served by any replica, and a rolling restart under load that fails no request.
 * (`npm run test:scale` runs this file alone; `npm test` includes it.)
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { startAccountsSubgraph } from '../../supergraph/accounts/accountsSubgraph.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlpReceiver.ts';
import { deleteKeys, SHARED_REDIS_URL } from '../helpers/redis.ts';
import { report } from '../helpers/report.ts';
import { type Routers, startRouters } from '../helpers/routers.ts';
import { ROUTER_SERVICE_NAMES } from '../helpers/routerTracing.ts';
import type { Stack } from '../helpers/stack.ts';
import {
  type Balancer,
  ensureHaproxy,
  freePort,
  type Replica,
  startBalancer,
  startReplica,
  waitUntil,
} from './cluster.ts';

const TOKEN = 'Bearer scale-test';
/** This run's own keys on the shared Redis; deleted afterwards (never a FLUSH). */
const REDIS_PREFIX = `scale-test:${randomUUID()}:`;
/** Long enough for HAProxy to see `/ready` fail three times at 200 ms intervals, with room to spare. */
const SHUTDOWN_DELAY_MS = 1500;
/** SIGTERM to exit: the delay, then draining requests that take milliseconds here, plus margin. */
const SHUTDOWN_BUDGET_MS = SHUTDOWN_DELAY_MS + 3000;

let emulator: Emulator;
let collector: OtlpReceiver;
let accounts: Awaited<ReturnType<typeof startAccountsSubgraph>>;
let balancer: Balancer;
let routers: Routers;
const replicas: Replica[] = [];
const ports: { name: string; port: number; metricsPort: number }[] = [];

function replicaEnv(): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PARTNER_API_URL: emulator.url,
    CURSOR_SECRET: 'every replica behind one balancer signs cursors with this key',
    REDIS_URL: SHARED_REDIS_URL,
    REDIS_KEY_PREFIX: REDIS_PREFIX,
    SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
}

beforeAll(async () => {
  // First, before anything listens: on a fresh machine this may install HAProxy (cluster.ts).
  ensureHaproxy();
  emulator = await startEmulator();
  collector = await startOtlpReceiver();
  for (const name of ['g1', 'g2', 'g3'])
    ports.push({ name, port: await freePort(), metricsPort: await freePort() });
  replicas.push(
    ...(await Promise.all(ports.map((p) => startReplica(p.name, p.port, p.metricsPort, replicaEnv())))),
  );
  balancer = await startBalancer(ports);
  accounts = await startAccountsSubgraph({ accounts: [], sellerOf: () => null });
  const throughBalancer = { gateway: { url: `${balancer.origin}/graphql` } } as Pick<Stack, 'gateway'>;
  routers = await startRouters(throughBalancer, accounts, { otlpUrl: collector.url });
}, 240_000);

afterAll(async () => {
  await routers?.stop();
  await accounts?.stop();
  await balancer?.stop();
  for (const replica of replicas) replica.process.kill('SIGKILL');
  await emulator?.close();
  await collector?.close();
  await deleteKeys(SHARED_REDIS_URL, REDIS_PREFIX);
});

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function viaRouter(query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await routers.hive.post({ query, variables }, { authorization: TOKEN });
  return res.body;
}

async function direct(
  replica: Pick<Replica, 'origin'>,
  body: Record<string, unknown>,
): Promise<{ status: number; body: Answer }> {
  const res = await fetch(`${replica.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: TOKEN },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

const UPDATE = `mutation($id: ID!, $etag: String!, $notes: String) {
  updateReferral(id: $id, etag: $etag, input: { details: { notes: $notes } }) {
    __typename
    ... on UpdateReferralSuccess { referral { etag } }
  }
}`;

describe('three replicas behind HAProxy and Hive Gateway', () => {
  test('one trace from the router through the balancer and a replica to the Partner API', async () => {
    const SERVER = 2;
    const CLIENT = 3;
    /** Sends the query, and returns the trace the Partner API call carried, once fully exported. */
    async function traced(headers: Record<string, string>) {
      emulator.clearRequests();
      const res = await routers.hive.post(
        { query: '{ referrals(first: 1) { edges { node { id } } } }' },
        { authorization: TOKEN, ...headers },
      );
      expect(res.body.errors).toBeUndefined();
      const calls = emulator.requests;
      expect(calls).toHaveLength(1);
      const [, traceId, parentId] =
        /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(calls[0]?.headers.traceparent ?? '') ?? [];
      const all = await collector.waitFor((received) => {
        const ours = received.filter((span) => span.traceId === traceId);
        return (
          ours.some((span) => span.serviceName === ROUTER_SERVICE_NAMES.hive && span.kind === SERVER) &&
          ours.some((span) => span.serviceName === 'referrals-gateway' && span.kind === CLIENT)
        );
      });
      const spans = all.filter((span) => span.traceId === traceId);
      const router = spans.filter((span) => span.serviceName === ROUTER_SERVICE_NAMES.hive);
      const replica = spans.filter((span) => span.serviceName === 'referrals-gateway');
      const root = router.find((span) => span.kind === SERVER && span.name === 'POST /graphql');
      const fetches = router.filter((span) => span.name === 'http.fetch');
      expect(fetches).toHaveLength(1);
      // The replica's HTTP span hangs under the router's subgraph fetch (a CLIENT span), its
      // operation span under that, and its Partner API call under the operation.
      const http = replica.find((span) => span.kind === SERVER && span.name === 'POST /graphql');
      expect(fetches[0]?.kind).toBe(CLIENT);
      expect(http?.parentSpanId).toBe(fetches[0]?.spanId);
      const operation = replica.find((span) => span.parentSpanId === http?.spanId);
      expect(operation?.attributes['graphql.operation.type']).toBe('query');
      const call = replica.find((span) => span.kind === CLIENT);
      expect(call).toMatchObject({
        parentSpanId: operation?.spanId,
        spanId: parentId,
        attributes: { 'url.template': '/engagements/referrals' },
      });
      return { traceId, root, spans };
    }

    // No traceparent from the client: the router starts the trace, and the Partner API sees its id.
    const started = await traced({});
    expect(started.root?.parentSpanId).toBe('');
    report(
      'scale: trace',
      `${started.spans.length} spans of the router's trace: ${started.spans.map((s) => `${s.serviceName}: ${s.name}`).join(', ')}`,
    );

    // A client's trace is continued by the router, the replica and the Partner API call.
    const clientTraceId = randomUUID().replaceAll('-', '');
    const clientSpanId = '1'.repeat(16);
    const continued = await traced({ traceparent: `00-${clientTraceId}-${clientSpanId}-01` });
    expect(continued.traceId).toBe(clientTraceId);
    expect(continued.root?.parentSpanId).toBe(clientSpanId);
  });

  test('50 clients × 20 rounds racing one etag: exactly one winner a round, spread over every replica', async () => {
    const id = String(emulator.listReferrals()[0]?.id);
    const before = await balancer.sessions();
    for (let round = 0; round < 20; round += 1) {
      const etag = String(emulator.getReferral(id)?.eTag);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, client) =>
          viaRouter(UPDATE, { id, etag, notes: `round ${round} client ${client}` }),
        ),
      );
      const kinds = answers.map(
        (a) => (a.data?.updateReferral as { __typename?: string } | undefined)?.__typename ?? 'error',
      );
      const winners = kinds.flatMap((kind, client) => (kind === 'UpdateReferralSuccess' ? [client] : []));
      expect({
        round,
        winners: winners.length,
        conflicts: kinds.filter((k) => k === 'ReferralPreconditionFailed').length,
      }).toEqual({
        round,
        winners: 1,
        conflicts: 49,
      });
      expect((emulator.getReferral(id)?.details as { notes?: string } | undefined)?.notes).toBe(
        `round ${round} client ${winners[0]}`,
      );
    }
    const after = await balancer.sessions();
    const served = Object.fromEntries(
      ports.map((p) => [p.name, (after[p.name] ?? 0) - (before[p.name] ?? 0)]),
    );
    report(
      'scale: stale-etag race',
      `20 rounds × 50 clients; requests per replica ${JSON.stringify(served)}`,
    );
    for (const p of ports) expect(served[p.name]).toBeGreaterThan(0);
  }, 120_000);

  test('one idempotency key sent at once to every replica makes exactly one POST', async () => {
    emulator.clearRequests();
    const key = randomUUID();
    const input = {
      name: 'Scale test deal',
      type: 'INDEPENDENT',
      customerProfile: { name: 'Contoso', address: { country: 'US' } },
      consent: { consentToContact: true, consentToShareReferralWithMicrosoftSellers: false },
      details: { dealValue: 1000, currency: 'USD' },
    };
    const query = `mutation($input: CreateReferralInput!, $key: String) {
      createReferral(input: $input, idempotencyKey: $key) {
        __typename ... on CreateReferralSuccess { referral { id } }
      }
    }`;
    const answers = await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        direct(replicas[i % 3] as Replica, { query, variables: { input, key } }),
      ),
    );
    const ids = answers.map(
      (a) => (a.body.data?.createReferral as { referral?: { id: string } } | undefined)?.referral?.id,
    );
    expect(new Set(ids)).toEqual(new Set([ids[0]]));
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  test('a persisted query registered through one replica is served by another', async () => {
    const query = '{ referrals(first: 2) { edges { node { id } } } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const persistedQuery = { version: 1, sha256Hash };
    const [a, b] = replicas as [Replica, Replica];
    const unknown = await direct(b, { extensions: { persistedQuery } });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await direct(a, { query, extensions: { persistedQuery } });
    expect(registered.body.errors).toBeUndefined();
    const served = await direct(b, { extensions: { persistedQuery } });
    expect(served.body).toEqual(registered.body);
  });

  test('a page cursor issued by one replica continues on another', async () => {
    const page = `query($after: String) { referrals(first: 5, after: $after) {
      edges { node { id } } pageInfo { endCursor hasNextPage } } }`;
    type Page = { edges: { node: { id: string } }[]; pageInfo: { endCursor: string } };
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    const first = (await direct(a, { query: page })).body.data?.referrals as Page;
    const second = (await direct(b, { query: page, variables: { after: first.pageInfo.endCursor } })).body
      .data?.referrals as Page;
    const both = (await direct(c, { query: page.replace('first: 5', 'first: 10') })).body.data
      ?.referrals as Page;
    expect([...first.edges, ...second.edges].map((e) => e.node.id)).toEqual(both.edges.map((e) => e.node.id));
  });

  test('a rolling restart under steady load fails no request; each replica exits 0 within its budget', async () => {
    let running = true;
    const failures: string[] = [];
    let completed = 0;
    const ids = emulator
      .listReferrals()
      .slice(1, 9)
      .map((r) => String(r.id));
    // Eight clients, each reading and updating its own referral in a loop through the router.
    const clients = ids.map(async (id) => {
      while (running) {
        const read = await viaRouter('query($id: ID!) { referral(id: $id) { id etag } }', { id });
        const etag = (read.data?.referral as { etag?: string } | null)?.etag;
        if (read.errors || !etag) {
          failures.push(`read: ${JSON.stringify(read).slice(0, 200)}`);
          continue;
        }
        const written = await viaRouter(UPDATE, { id, etag, notes: `load ${completed}` });
        const kind = (written.data?.updateReferral as { __typename?: string } | undefined)?.__typename;
        if (kind !== 'UpdateReferralSuccess')
          failures.push(`write: ${JSON.stringify(written).slice(0, 200)}`);
        completed += 2;
      }
    });
    const exits: { name: string; code: number | null; ms: number }[] = [];
    try {
      for (const [index, old] of replicas.entries()) {
        const started = Date.now();
        old.process.kill('SIGTERM');
        const code = await old.exited;
        exits.push({ name: old.name, code, ms: Date.now() - started });
        const slot = ports[index] as (typeof ports)[number];
        replicas[index] = await startReplica(slot.name, slot.port, slot.metricsPort, replicaEnv());
        await waitUntil(
          `HAProxy sends to ${slot.name} again`,
          async () => (await balancer.status())[slot.name] === 'UP',
        );
      }
    } finally {
      running = false;
      await Promise.all(clients);
    }
    report(
      'scale: rolling restart',
      `${completed} requests through the router while 3 replicas restarted one by one; ${failures.length} failed; exits ${JSON.stringify(exits)}`,
    );
    expect(failures).toEqual([]);
    for (const exit of exits) {
      expect(exit.code).toBe(0);
      expect(exit.ms).toBeLessThan(SHUTDOWN_BUDGET_MS);
      expect(exit.ms).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS);
    }
    expect(completed).toBeGreaterThan(100);
  }, 120_000);
});
