/**
 * `GET /metrics` as Prometheus scrapes it: on its own port (never the GraphQL port), moved by
 * exactly the workload sent between two scrapes, and with label sets that stay bounded whatever
 * operation names clients make up (and that clients without a token cannot fill). A port that is
 * taken, or shared by two servers, stops the start with a one-line reason and leaves nothing
 * listening.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { startGateway } from '../../src/server/startGateway.ts';
import { GatewayMetrics } from '../../src/telemetry/metrics.ts';
import { createUpstreamClient } from '../../src/upstream/httpClient.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../src/upstream/retryPolicy.ts';
import { UpstreamError } from '../../src/upstream/upstreamErrors.ts';
import { tryConnect } from '../helpers/ports.ts';
import { Scrape, scrape } from '../helpers/prometheus.ts';
import { TEST_TOKEN, useStack } from '../helpers/stack.ts';
import { UPDATE_REFERRAL, type UpdateResult } from '../helpers/updateMutation.ts';

/** A retry budget that allows no retry at all. */
const NO_RETRY_BUDGET: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  budget: { ratio: 0, minPerSecond: 0, windowMs: 1000 },
};

const SERVER = 'http_server_request_duration_seconds';
const CLIENT = 'http_client_request_duration_seconds';

/** Each counter and histogram count the workload moves, as `after - before`. */
function delta(before: Scrape, after: Scrape) {
  return (name: string, labels: Record<string, string> = {}) =>
    after.sum(name, labels) - before.sum(name, labels);
}

describe('metrics', () => {
  const stack = useStack();

  test('are served on METRICS_PORT, not on the GraphQL port', async () => {
    const metricsUrl = new URL(stack.gateway.metricsUrl);
    expect(metricsUrl.pathname).toBe('/metrics');
    expect(Number(metricsUrl.port)).toBe(stack.gateway.metricsPort);
    expect(stack.gateway.metricsPort).not.toBe(stack.gateway.port);

    const res = await fetch(stack.gateway.metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    // Process metrics and event-loop delay (prom-client's defaults) are there too.
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);

    const onGraphqlPort = await fetch(stack.gateway.url.replace(/\/graphql$/, '/metrics'));
    expect(onGraphqlPort.status).toBe(404);
    expect(await onGraphqlPort.text()).not.toContain('http_server_request_duration_seconds');

    const elsewhere = await fetch(stack.gateway.metricsUrl.replace(/\/metrics$/, '/graphql'));
    expect(elsewhere.status).toBe(404);
  });

  test('move by exactly the workload between two scrapes', async () => {
    const referral = stack.emulator.listReferrals()[0] as { id: string; eTag: string };
    const staleEtag = referral.eTag;
    const apqQuery = 'query ApqProbe { __typename }';
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(apqQuery).digest('hex') };
    const postRaw = async (body: unknown) => {
      const res = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        body: (await res.json()) as { errors?: { extensions?: { code?: string } }[] },
      };
    };

    const before = await scrape(stack.gateway.metricsUrl);
    stack.emulator.clearRequests();

    // 7 queries; the first list call answers 503 once and is retried.
    stack.emulator.injectFault({
      method: 'GET',
      pathIncludes: '/engagements/referrals?',
      times: 1,
      fault: { kind: 'status', status: 503 },
    });
    for (let i = 0; i < 7; i += 1) {
      const res = await stack.gql('query MetricsList { referrals(first: 2) { edges { node { id } } } }');
      expect(res.body.errors).toBeUndefined();
    }
    // 3 successful updates, each with the etag the previous one answered.
    let etag = staleEtag;
    for (let i = 0; i < 3; i += 1) {
      const res = await stack.gql<{ updateReferral: UpdateResult }>(UPDATE_REFERRAL, {
        id: referral.id,
        input: { statusReason: `metrics ${i}` },
        etag,
      });
      const result = res.body.data?.updateReferral;
      expect(result?.__typename).toBe('UpdateReferralSuccess');
      etag = result?.referral?.etag as string;
    }
    // 2 updates with the first, now stale, etag.
    for (let i = 0; i < 2; i += 1) {
      const res = await stack.gql<{ updateReferral: UpdateResult }>(UPDATE_REFERRAL, {
        id: referral.id,
        input: { statusReason: 'stale' },
        etag: staleEtag,
      });
      expect(res.body.data?.updateReferral.__typename).toBe('ReferralPreconditionFailed');
    }
    // 1 request refused by a limit: 16 aliases where 15 are allowed.
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: referral(id: "${i}") { id }`).join(' ');
    const refused = await stack.gql(`query TooManyAliases { ${aliases} }`);
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded/);
    // APQ: a miss, the registration the client then sends, and a hit.
    const miss = await postRaw({ extensions: { persistedQuery } });
    expect(miss.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await postRaw({ query: apqQuery, extensions: { persistedQuery } })).status).toBe(200);
    const hit = await postRaw({ extensions: { persistedQuery } });
    expect(hit.status).toBe(200);
    expect(hit.body.errors).toBeUndefined();

    const after = await scrape(stack.gateway.metricsUrl);
    const moved = delta(before, after);

    // Server: every GraphQL request once, by operation type, name and outcome.
    const count = `${SERVER}_count`;
    expect(moved(count)).toBe(7 + 3 + 2 + 1 + 3);
    expect(
      moved(count, {
        graphql_operation_type: 'query',
        graphql_operation_name: 'MetricsList',
        outcome: 'success',
        http_response_status_code: '200',
        http_request_method: 'POST',
      }),
    ).toBe(7);
    expect(
      moved(count, {
        graphql_operation_type: 'mutation',
        graphql_operation_name: 'Update',
        outcome: 'success',
      }),
    ).toBe(5);
    expect(
      moved(count, {
        graphql_operation_type: 'unknown',
        outcome: 'GRAPHQL_VALIDATION_FAILED',
        http_response_status_code: '400',
      }),
    ).toBe(1);
    expect(moved(count, { graphql_operation_type: 'unknown', outcome: 'PERSISTED_QUERY_NOT_FOUND' })).toBe(1);
    expect(moved(count, { graphql_operation_name: 'ApqProbe', outcome: 'success' })).toBe(2);
    expect(moved(`${SERVER}_sum`)).toBeGreaterThan(0);
    // Every histogram bucket above the slowest request holds every request.
    expect(moved(`${SERVER}_bucket`, { le: '+Inf' })).toBe(16);
    expect(after.sum('http_server_active_requests')).toBe(0);

    // Mutations: each result union member, and the conflicts among them.
    expect(
      moved('referrals_gateway_mutation_results_total', {
        mutation: 'updateReferral',
        result: 'UpdateReferralSuccess',
      }),
    ).toBe(3);
    expect(
      moved('referrals_gateway_mutation_results_total', {
        mutation: 'updateReferral',
        result: 'ReferralPreconditionFailed',
      }),
    ).toBe(2);
    expect(moved('referrals_gateway_mutation_results_total')).toBe(5);
    expect(moved('referrals_gateway_write_conflicts_total', { mutation: 'updateReferral' })).toBe(2);

    // Limits, APQ.
    expect(moved('referrals_gateway_limit_refusals_total', { limit: 'aliases' })).toBe(1);
    expect(moved('referrals_gateway_limit_refusals_total')).toBe(1);
    expect(moved('referrals_gateway_apq_requests_total', { result: 'miss' })).toBe(1);
    expect(moved('referrals_gateway_apq_requests_total', { result: 'registered' })).toBe(1);
    expect(moved('referrals_gateway_apq_requests_total', { result: 'hit' })).toBe(1);

    // Upstream: one observation per attempt the emulator received, by route template and status.
    const upstream = `${CLIENT}_count`;
    const received = stack.emulator.requests;
    expect(moved(upstream)).toBe(received.length);
    const listCalls = received.filter((r) => r.method === 'GET' && r.url.includes('/engagements/referrals?'));
    expect(listCalls).toHaveLength(8);
    expect(
      moved(upstream, {
        http_request_method: 'GET',
        url_template: '/engagements/referrals',
        http_response_status_code: '200',
        error_type: '',
      }),
    ).toBe(7);
    expect(
      moved(upstream, {
        http_request_method: 'GET',
        url_template: '/engagements/referrals',
        http_response_status_code: '503',
        error_type: 'UPSTREAM_UNAVAILABLE',
      }),
    ).toBe(1);
    const gets = received.filter((r) => r.method === 'GET' && r.url.includes(`/${referral.id}`)).length;
    const puts = received.filter((r) => r.method === 'PUT').length;
    expect(gets).toBe(5);
    expect(puts).toBe(3);
    expect(moved(upstream, { http_request_method: 'GET', url_template: '/engagements/referrals/{id}' })).toBe(
      gets,
    );
    expect(
      moved(upstream, {
        http_request_method: 'PUT',
        url_template: '/engagements/referrals/{id}',
        http_response_status_code: '200',
      }),
    ).toBe(puts);
    expect(
      moved('referrals_gateway_upstream_retries_total', {
        http_request_method: 'GET',
        url_template: '/engagements/referrals',
      }),
    ).toBe(1);
    expect(moved('referrals_gateway_upstream_retry_budget_refusals_total')).toBe(0);

    // No id in any label.
    expect(after.text).not.toContain(referral.id);
  });
});

describe('metric labels under 1,000 distinct operation names', () => {
  const stack = useStack({ METRICS_MAX_OPERATION_NAMES: '10' });

  test('keep 10 names and count the rest as `other`', async () => {
    const names = Array.from({ length: 1000 }, (_, i) => `Invented${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(
        names.slice(i, i + 20).map(async (name) => {
          const res = await stack.gql(`query ${name} { __typename }`);
          expect(res.status).toBe(200);
        }),
      );
    }
    const after = await scrape(stack.gateway.metricsUrl);
    const counts = after.select(`${SERVER}_count`);
    const labelled = new Set(counts.map((s) => s.labels.graphql_operation_name));
    expect(labelled.size).toBe(11);
    expect(labelled.has('other')).toBe(true);
    expect(after.sum(`${SERVER}_count`, { graphql_operation_name: 'other' })).toBe(990);
    expect(after.sum(`${SERVER}_count`)).toBe(1000);
    // 11 label sets × (14 buckets + +Inf) bucket lines, whatever the names sent.
    expect(after.select(`${SERVER}_bucket`)).toHaveLength(11 * 15);
    // The whole scrape stays small: no series per name sent.
    expect(after.samples.length).toBeLessThan(400);
    for (const name of names.slice(10)) expect(after.text).not.toContain(name);
  });
});

/** A port nothing listens on (a moment ago the kernel gave it out, then it was released). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A listener holding a port, as another process would. */
async function occupy(): Promise<{ port: number; release(): Promise<void> }> {
  const blocker = createNetServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as AddressInfo;
  return { port, release: () => new Promise((resolve) => blocker.close(() => resolve())) };
}

const UNUSED_UPSTREAM = 'http://127.0.0.1:9/v1.0';

function gatewayConfig(env: Record<string, string>) {
  return loadConfig({ HOST: '127.0.0.1', PARTNER_API_URL: UNUSED_UPSTREAM, LOG_LEVEL: 'silent', ...env });
}

describe('a port already in use', () => {
  test('METRICS_PORT: the start fails with a reason that names it, and the GraphQL port is not left listening', async () => {
    const blocker = await occupy();
    const graphqlPort = await freePort();
    const config = gatewayConfig({ PORT: String(graphqlPort), METRICS_PORT: String(blocker.port) });
    try {
      await expect(
        startGateway({ config, partnerApiUrl: UNUSED_UPSTREAM, logger: createLogger('silent') }),
      ).rejects.toThrow(
        `METRICS_PORT ${blocker.port} on 127.0.0.1 is already in use: set METRICS_PORT to a free port (0 picks one)`,
      );
    } finally {
      await blocker.release();
    }
    expect(await tryConnect(graphqlPort)).toBe('ECONNREFUSED');
  });

  test('PORT: the start fails with a reason that names PORT (not the metrics port bound first), and the metrics port is closed again', async () => {
    const blocker = await occupy();
    const metricsPort = await freePort();
    const config = gatewayConfig({ PORT: String(blocker.port), METRICS_PORT: String(metricsPort) });
    try {
      await expect(
        startGateway({ config, partnerApiUrl: UNUSED_UPSTREAM, logger: createLogger('silent') }),
      ).rejects.toMatchObject({
        name: 'PortUnavailableError',
        message: `PORT ${blocker.port} on 127.0.0.1 is already in use: set PORT to a free port (0 picks one)`,
      });
    } finally {
      await blocker.release();
    }
    expect(await tryConnect(metricsPort)).toBe('ECONNREFUSED');
  });

  test('stop() closes the metrics port', async () => {
    const gateway = await startGateway({
      config: gatewayConfig({ PORT: '0', METRICS_PORT: '0' }),
      partnerApiUrl: UNUSED_UPSTREAM,
      logger: createLogger('silent'),
    });
    expect((await fetch(gateway.metricsUrl)).status).toBe(200);
    await gateway.stop();
    expect(await tryConnect(gateway.metricsPort)).toBe('ECONNREFUSED');
  });
});

describe('a real node src/main.ts refused its ports', () => {
  /** Runs `node src/main.ts` until it exits: its exit code and stderr. */
  async function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const proc = spawn(process.execPath, ['src/main.ts'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) =>
      proc.on('exit', (exitCode) => resolve(exitCode)),
    );
    return { code, stderr };
  }

  test('METRICS_PORT equal to PORT: exit 1 with a one-line reason, before binding anything', async () => {
    const port = await freePort();
    const run = await runMain({
      PORT: String(port),
      METRICS_PORT: String(port),
      PARTNER_API_URL: UNUSED_UPSTREAM,
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `referrals-gateway: Invalid METRICS_PORT: ${port} is also PORT; each server needs a port of its own (0 picks a free one)`,
    ]);
  });

  test('PORT taken by another process: exit 1 with a one-line reason naming PORT, no stack trace', async () => {
    const blocker = await occupy();
    try {
      const run = await runMain({
        PORT: String(blocker.port),
        METRICS_PORT: '0',
        PARTNER_API_URL: UNUSED_UPSTREAM,
      });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        `referrals-gateway: PORT ${blocker.port} on 127.0.0.1 is already in use: set PORT to a free port (0 picks one)`,
      ]);
    } finally {
      await blocker.release();
    }
  });
  test('EMULATOR_PORT taken (the embedded emulator, no PARTNER_API_URL): exit 1 with a one-line reason', async () => {
    const blocker = await occupy();
    try {
      const run = await runMain({ PORT: '0', METRICS_PORT: '0', EMULATOR_PORT: String(blocker.port) });
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        `referrals-gateway: EMULATOR_PORT ${blocker.port} on 127.0.0.1 is already in use: set EMULATOR_PORT to a free port (0 picks one)`,
      ]);
    } finally {
      await blocker.release();
    }
  });
});

describe('operation names clients make up', () => {
  const stack = useStack();

  test('60 invented names from clients without a token (or refused) take no label; a real operation after them gets its own', async () => {
    const before = await scrape(stack.gateway.metricsUrl);
    const invented = Array.from({ length: 60 }, (_, i) => `Invented${String(i).padStart(2, '0')}`);
    for (let i = 0; i < invented.length; i += 20) {
      await Promise.all(
        invented.slice(i, i + 20).map(async (name) => {
          // `__typename` needs no Partner API call, hence no token: answered 200 without one.
          const res = await stack.gql(`query ${name} { __typename }`, undefined, {
            authorization: undefined,
          });
          expect(res.status).toBe(200);
          expect(res.body.errors).toBeUndefined();
        }),
      );
    }
    // Not a bearer token: executed, but not admitted.
    const basic = await stack.gql('query WithBasicAuth { __typename }', undefined, {
      authorization: 'Basic eDp5',
    });
    expect(basic.status).toBe(200);
    // With a token, but refused once the operation was resolved (requestGuards.ts), before execution.
    const guarded = await stack.gql(
      'query RefusedBeforeExecution { _entities(representations: [{ __typename: "NoSuchEntity" }]) { __typename } }',
    );
    expect(guarded.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // With a token, refused by validation (an operation never resolved has an empty name label).
    const invalid = await stack.gql('query RefusedByValidation { noSuchField }');
    expect(invalid.status).toBe(400);

    const real = await stack.gql('query RealReferrals { referrals(first: 1) { edges { node { id } } } }');
    expect(real.body.errors).toBeUndefined();

    const after = await scrape(stack.gateway.metricsUrl);
    const moved = delta(before, after);
    const count = `${SERVER}_count`;
    expect(moved(count, { graphql_operation_name: 'RealReferrals', outcome: 'success' })).toBe(1);
    expect(moved(count, { graphql_operation_name: 'other' })).toBe(60 + 1 + 1);
    expect(moved(count, { graphql_operation_name: '', outcome: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    const labelled = new Set(after.select(count).map((sample) => sample.labels.graphql_operation_name));
    for (const name of [...invented, 'WithBasicAuth', 'RefusedBeforeExecution', 'RefusedByValidation']) {
      expect(labelled.has(name)).toBe(false);
    }
  });
});

describe('METRICS_OPERATION_NAMES', () => {
  const stack = useStack({ METRICS_OPERATION_NAMES: 'ListedOperation' });

  test('is the whole label set: a listed name keeps its label, any other is `other`, even with a token', async () => {
    const before = await scrape(stack.gateway.metricsUrl);
    expect((await stack.gql('query ListedOperation { __typename }')).status).toBe(200);
    expect((await stack.gql('query UnlistedOperation { __typename }')).status).toBe(200);
    const moved = delta(before, await scrape(stack.gateway.metricsUrl));
    const count = `${SERVER}_count`;
    expect(moved(count, { graphql_operation_name: 'ListedOperation' })).toBe(1);
    expect(moved(count, { graphql_operation_name: 'other' })).toBe(1);
    expect(moved(count, { graphql_operation_name: 'UnlistedOperation' })).toBe(0);
  });
});

describe('retry metrics', () => {
  const stack = useStack();

  /** A referral whose next read answers 503 once. */
  const referralFailingOnce = (): string => {
    const id = String(stack.emulator.listReferrals()[0]?.id);
    stack.emulator.injectFault({
      method: 'GET',
      idEquals: id,
      times: 1,
      fault: { kind: 'status', status: 503 },
    });
    return id;
  };

  test('count a retryable failure the retry budget refused', async () => {
    const metrics = new GatewayMetrics({ maxOperationNames: 1 });
    // A budget that allows no retry at all.
    const client = createUpstreamClient(loadConfig({}).upstream, NO_RETRY_BUDGET, { observer: metrics });
    const id = referralFailingOnce();
    try {
      await expect(
        client.send({
          method: 'GET',
          url: `${stack.emulator.url}/engagements/referrals/${id}`,
          route: '/engagements/referrals/{id}',
          call: { authorization: TEST_TOKEN, correlationId: 'metrics-retry-budget' },
        }),
      ).rejects.toBeInstanceOf(UpstreamError);
    } finally {
      await client.close();
    }
    const scraped = new Scrape(await metrics.scrape());
    const route = { http_request_method: 'GET', url_template: '/engagements/referrals/{id}' };
    expect(scraped.sum('referrals_gateway_upstream_retry_budget_refusals_total', route)).toBe(1);
    expect(scraped.sum('referrals_gateway_upstream_retries_total', route)).toBe(0);
    expect(scraped.sum(`${CLIENT}_count`, { ...route, http_response_status_code: '503' })).toBe(1);
    expect(stack.emulator.requests).toHaveLength(1);
  });

  test("a gateway whose retry budget is spent: the refusal shows on the gateway's /metrics", async () => {
    const gateway = await startGateway({
      config: gatewayConfig({ PORT: '0', METRICS_PORT: '0', PARTNER_API_URL: stack.emulator.url }),
      partnerApiUrl: stack.emulator.url,
      logger: createLogger('silent'),
      retryPolicy: NO_RETRY_BUDGET,
    });
    try {
      const id = referralFailingOnce();
      const before = await scrape(gateway.metricsUrl);
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
        body: JSON.stringify({
          query: 'query RetryRefused($id: ID!) { referral(id: $id) { id } }',
          variables: { id },
        }),
      });
      const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      const moved = delta(before, await scrape(gateway.metricsUrl));
      const route = { http_request_method: 'GET', url_template: '/engagements/referrals/{id}' };
      expect(moved('referrals_gateway_upstream_retry_budget_refusals_total', route)).toBe(1);
      expect(moved('referrals_gateway_upstream_retries_total', route)).toBe(0);
      expect(stack.emulator.requests).toHaveLength(1);
    } finally {
      await gateway.stop();
    }
  });
});
