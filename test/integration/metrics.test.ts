/**
 * `GET /metrics` as Prometheus scrapes it: on its own port (never the GraphQL port), moved by
 * exactly the workload sent between two scrapes, and with label sets that stay bounded whatever
 * operation names clients make up.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { GatewayMetrics } from '../../src/telemetry/metrics.ts';
import { createUpstreamClient } from '../../src/upstream/httpClient.ts';
import { DEFAULT_RETRY_POLICY } from '../../src/upstream/retryPolicy.ts';
import { UpstreamError } from '../../src/upstream/upstreamErrors.ts';
import { Scrape, scrape } from '../helpers/prometheus.ts';
import { TEST_TOKEN, useStack } from '../helpers/stack.ts';
import { UPDATE_REFERRAL, type UpdateResult } from '../helpers/updateMutation.ts';

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

describe('a METRICS_PORT already in use', () => {
  test('fails the start with a reason that names it, and leaves nothing listening', async () => {
    const { createServer } = await import('node:net');
    const { startGateway } = await import('../../src/server/startGateway.ts');
    const { createLogger } = await import('../../src/log/logger.ts');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      PARTNER_API_URL: 'http://127.0.0.1:9/v1.0',
      METRICS_PORT: String(port),
    });
    try {
      await expect(
        startGateway({ config, partnerApiUrl: 'http://127.0.0.1:9/v1.0', logger: createLogger('silent') }),
      ).rejects.toThrow(
        `METRICS_PORT ${port} on 127.0.0.1 is already in use: set METRICS_PORT to a free port`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('retry metrics', () => {
  const stack = useStack();

  test('count a retryable failure the retry budget refused', async () => {
    const metrics = new GatewayMetrics({ maxOperationNames: 1 });
    // A budget that allows no retry at all.
    const client = createUpstreamClient(
      loadConfig({}).upstream,
      { ...DEFAULT_RETRY_POLICY, budget: { ratio: 0, minPerSecond: 0, windowMs: 1000 } },
      { observer: metrics },
    );
    const id = String(stack.emulator.listReferrals()[0]?.id);
    stack.emulator.injectFault({
      method: 'GET',
      idEquals: id,
      times: 1,
      fault: { kind: 'status', status: 503 },
    });
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
});
