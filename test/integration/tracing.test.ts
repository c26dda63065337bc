/**
 * One trace from the caller through the gateway to the Partner API: a loopback OTLP receiver gets
 * the HTTP, operation and upstream spans, linked parent to child under the caller's trace id, and
 * the emulator sees a `traceparent` of that trace on every call. Through either router, the
 * router traces too (exporting to the same receiver): it starts the trace or continues the
 * client's, and the gateway's spans hang under the router's span for the subgraph request.
 * Without an OTLP endpoint no span is made and no `traceparent` is sent.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { startAccountsSubgraph } from '../../supergraph/accounts/accountsSubgraph.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../helpers/otlpReceiver.ts';
import { ROUTER_NAMES, type RouterName, type Routers, startRouters } from '../helpers/routers.ts';
import { ROUTER_SERVICE_NAMES } from '../helpers/routerTracing.ts';
import { type Stack, startStack, TEST_TOKEN } from '../helpers/stack.ts';
import { UPDATE_REFERRAL } from '../helpers/updateMutation.ts';

const INTERNAL = 1;
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

function newTraceparent(): { traceId: string; parentId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
}

/** The upstream requests the emulator received, with their `traceparent` split up. */
function upstreamTraceparents(stack: Stack): { url: string; traceId?: string; spanId?: string }[] {
  return stack.emulator.requests.map((r) => {
    const parts = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(r.headers.traceparent ?? '');
    return parts ? { url: r.url, traceId: parts[1], spanId: parts[2] } : { url: r.url };
  });
}

let receiver: OtlpReceiver;
let traced: Stack;
let untraced: Stack;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  traced = await startStack(
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'referrals-gateway-test',
      OTEL_BSP_SCHEDULE_DELAY: '20',
    },
    {},
    { captureLogs: true },
  );
  untraced = await startStack();
});
afterAll(async () => {
  await traced?.close();
  await untraced?.close();
  await receiver?.close();
});
beforeEach(() => {
  traced.emulator.clearRequests();
  traced.emulator.clearFaults();
  untraced.emulator.clearRequests();
  receiver.clear();
});

describe('with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  test("continues the caller's trace: HTTP → operation → each Partner API call, and the calls carry it", async () => {
    const { traceId, parentId, header } = newTraceparent();
    const id = String(traced.emulator.listReferrals()[0]?.id);
    const res = await traced.gql(
      'query TracedRead($id: ID!) { referral(id: $id) { id name } referrals(first: 2) { edges { node { id } } } }',
      { id },
      { traceparent: header, tracestate: 'router=abc', baggage: 'user=someone' },
    );
    expect(res.body.errors).toBeUndefined();

    const spans = await receiver.waitFor((all) => all.filter((s) => s.traceId === traceId).length >= 4);
    const inTrace = spans.filter((s) => s.traceId === traceId);
    expect(inTrace).toHaveLength(4);
    for (const span of inTrace) expect(span.serviceName).toBe('referrals-gateway-test');

    const http = inTrace.find((s) => s.parentSpanId === parentId) as ReceivedSpan;
    expect(http).toMatchObject({
      name: 'POST /graphql',
      kind: SERVER,
      attributes: {
        'http.request.method': 'POST',
        'url.path': '/graphql',
        'http.route': '/graphql',
        'http.response.status_code': 200,
      },
    });

    const operation = inTrace.find((s) => s.parentSpanId === http.spanId) as ReceivedSpan;
    expect(operation).toMatchObject({
      name: 'query',
      kind: SERVER,
      attributes: { 'graphql.operation.type': 'query', 'graphql.operation.name': 'TracedRead' },
      statusCode: 0,
    });
    // The document only when TRACE_GRAPHQL_DOCUMENT asks for it.
    expect(operation.attributes).not.toHaveProperty('graphql.document');

    const calls = inTrace.filter((s) => s.parentSpanId === operation.spanId);
    expect(calls.map((s) => s.name).sort()).toEqual([
      'GET /engagements/referrals',
      'GET /engagements/referrals/{id}',
    ]);
    const port = Number(new URL(traced.emulator.url).port);
    for (const call of calls) {
      expect(call.kind).toBe(CLIENT);
      expect(call.attributes).toMatchObject({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'server.address': '127.0.0.1',
        'server.port': port,
      });
      expect(call.attributes['url.template']).toBe(call.name.replace('GET ', ''));
      // The Partner API's request-id (a GUID the emulator sends, docs/partner-api.md §4).
      expect(call.attributes['http.response.header.request-id']).toEqual([
        expect.stringMatching(/^[0-9a-f-]{36}$/),
      ]);
      expect(call.attributes).not.toHaveProperty('http.request.resend_count');
    }

    // What the Partner API saw: this trace, each call as the child of its own client span.
    const upstream = upstreamTraceparents(traced);
    expect(upstream).toHaveLength(2);
    for (const call of upstream) expect(call.traceId).toBe(traceId);
    expect(upstream.map((c) => c.spanId).sort()).toEqual(calls.map((s) => s.spanId).sort());
    for (const request of traced.emulator.requests) {
      expect(request.headers.tracestate).toBe('router=abc');
      // Baggage is the caller's business, not Microsoft's.
      expect(request.headers).not.toHaveProperty('baggage');
    }

    // OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: the exporter posts to its /v1/traces.
    for (const exported of receiver.exports) {
      expect(exported.path).toBe('/v1/traces');
      expect(exported.contentType).toBe('application/json');
    }
    // The request's log line names the trace, so logs and traces meet.
    const logged = traced.logLines.find(
      (l) => l.msg === 'graphql request' && l.operationName === 'TracedRead',
    );
    expect(logged?.traceId).toBe(traceId);
    // No token, no id, no body in any span.
    const exported = receiver.exports.map((e) => e.body.toString('utf8')).join('\n');
    expect(exported).not.toContain(TEST_TOKEN.replace('Bearer ', ''));
    expect(exported).not.toContain(id);
  });

  test('a retried call is one span per attempt, the failed one marked with its public code', async () => {
    const { traceId, header } = newTraceparent();
    const id = String(traced.emulator.listReferrals()[1]?.id);
    traced.emulator.injectFault({
      method: 'GET',
      idEquals: id,
      times: 1,
      fault: { kind: 'status', status: 503 },
    });
    const res = await traced.gql(
      'query Retried($id: ID!) { referral(id: $id) { id } }',
      { id },
      { traceparent: header },
    );
    expect(res.body.errors).toBeUndefined();

    const spans = await receiver.waitFor((all) => all.filter((s) => s.traceId === traceId).length >= 4);
    const attempts = spans.filter((s) => s.traceId === traceId && s.kind === CLIENT);
    expect(attempts).toHaveLength(2);
    const [failed, retried] = attempts.sort(
      (a, b) =>
        Number(a.attributes['http.request.resend_count'] ?? 0) -
        Number(b.attributes['http.request.resend_count'] ?? 0),
    ) as [ReceivedSpan, ReceivedSpan];
    expect(failed).toMatchObject({
      statusCode: ERROR,
      statusMessage: 'UPSTREAM_UNAVAILABLE',
      attributes: { 'http.response.status_code': 503, 'error.type': 'UPSTREAM_UNAVAILABLE' },
    });
    expect(retried).toMatchObject({
      statusCode: 0,
      attributes: { 'http.request.resend_count': 1, 'http.response.status_code': 200 },
    });
    expect(upstreamTraceparents(traced).map((c) => c.spanId)).toEqual([failed.spanId, retried.spanId]);
  });

  test('records errors on the operation span by their public code, never their text', async () => {
    const { traceId, header } = newTraceparent();
    const referral = traced.emulator.listReferrals()[2] as { id: string; eTag: string };
    traced.emulator.injectFault({
      method: 'GET',
      idEquals: referral.id,
      fault: { kind: 'status', status: 403 },
    });
    const res = await traced.gql(
      UPDATE_REFERRAL,
      { id: referral.id, input: { statusReason: 'traced' }, etag: referral.eTag },
      { traceparent: header },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const spans = await receiver.waitFor((all) =>
      all.some((s) => s.traceId === traceId && s.name === 'mutation'),
    );
    const operation = spans.find((s) => s.traceId === traceId && s.name === 'mutation') as ReceivedSpan;
    expect(operation).toMatchObject({
      statusCode: ERROR,
      statusMessage: 'FORBIDDEN',
      attributes: {
        'graphql.operation.type': 'mutation',
        'graphql.operation.name': 'Update',
        'error.type': 'FORBIDDEN',
        'referrals.graphql.error.codes': ['FORBIDDEN'],
      },
    });
    const call = spans.find((s) => s.traceId === traceId && s.kind === CLIENT) as ReceivedSpan;
    expect(call.attributes).toMatchObject({ 'error.type': 'FORBIDDEN', 'http.response.status_code': 403 });
    const exported = receiver.exports.map((e) => e.body.toString('utf8')).join('\n');
    expect(exported).not.toContain(String(res.body.errors?.[0]?.message));
  });

  test('a request without traceparent starts a trace, and the Partner API gets it', async () => {
    const res = await traced.gql('query Fresh { referrals(first: 1) { edges { node { id } } } }');
    expect(res.body.errors).toBeUndefined();
    const spans = await receiver.waitFor((all) => all.some((s) => s.kind === CLIENT));
    const root = spans.find((s) => s.kind === SERVER && s.parentSpanId === '') as ReceivedSpan;
    expect(root.name).toBe('POST /graphql');
    const [upstream] = upstreamTraceparents(traced);
    expect(upstream?.traceId).toBe(root.traceId);
  });

  test('a caller that does not sample: no span is exported, the Partner API still gets the trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await traced.gql(
      'query Unsampled { referrals(first: 1) { edges { node { id } } } }',
      undefined,
      {
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-00`,
      },
    );
    expect(res.body.errors).toBeUndefined();
    const [call] = traced.emulator.requests;
    expect(call?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    // A sampled request after it is exported; the unsampled one never is.
    const { traceId: sampled, header } = newTraceparent();
    await traced.gql('query Sampled { __typename }', undefined, { traceparent: header });
    const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === sampled));
    expect(spans.filter((s) => s.traceId === traceId)).toHaveLength(0);
  });

  test('a document the parser refuses still gets its HTTP and operation spans', async () => {
    const { traceId, header } = newTraceparent();
    const res = await traced.gql('query Broken {', undefined, { traceparent: header });
    expect(res.status).toBe(400);
    const spans = await receiver.waitFor((all) => all.filter((s) => s.traceId === traceId).length >= 2);
    const operation = spans.find((s) => s.traceId === traceId && s.name === 'GraphQL Operation');
    expect(operation).toMatchObject({
      statusCode: ERROR,
      attributes: { 'error.type': 'GRAPHQL_PARSE_FAILED' },
    });
    expect(operation?.attributes).not.toHaveProperty('graphql.operation.type');
    expect(traced.emulator.requests).toHaveLength(0);
  });
});

describe('a collector that takes spans and never answers', () => {
  test('delays no request, and stop() gives up on it after SPAN_FLUSH_CAP_MS, not its 60 s export timeout', async () => {
    const { createServer } = await import('node:http');
    const { SPAN_FLUSH_CAP_MS } = await import('../../src/server/shutdown.ts');
    const held: import('node:http').ServerResponse[] = [];
    const silent = createServer((_req, res) => held.push(res));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const stack = await startStack(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_TIMEOUT: '60000',
        OTEL_BSP_SCHEDULE_DELAY: '20',
      },
      {},
      { captureLogs: true },
    );
    let stopMs = Number.NaN;
    try {
      for (let i = 0; i < 3; i += 1) {
        const res = await stack.gql(
          'query WhileCollectorHangs { referrals(first: 1) { edges { node { id } } } }',
        );
        expect(res.body.errors).toBeUndefined();
      }
    } finally {
      const stopping = performance.now();
      await stack.gateway.stop();
      stopMs = performance.now() - stopping;
      await stack.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
    expect(held.length).toBeGreaterThan(0);
    // The flush waited min(OTEL_EXPORTER_OTLP_TIMEOUT, SPAN_FLUSH_CAP_MS) and said so; stop()
    // ended within that plus a generous margin (not a benchmark: the 60 s timeout is the contrast).
    expect(
      stack.logLines.find((l) => l.msg === 'stopping without the spans the OTLP endpoint did not take'),
    ).toMatchObject({ waitedMs: SPAN_FLUSH_CAP_MS });
    expect(stopMs).toBeLessThan(SPAN_FLUSH_CAP_MS + 3_000);
  });
});

describe('without an OTLP endpoint', () => {
  test('no traceparent reaches the Partner API, whatever the caller sent', async () => {
    const { header } = newTraceparent();
    const res = await untraced.gql(
      'query Plain { referrals(first: 1) { edges { node { id } } } }',
      undefined,
      {
        traceparent: header,
      },
    );
    expect(res.body.errors).toBeUndefined();
    expect(untraced.emulator.requests.length).toBeGreaterThan(0);
    for (const request of untraced.emulator.requests) {
      expect(request.headers).not.toHaveProperty('traceparent');
      expect(request.headers).not.toHaveProperty('tracestate');
    }
  });

  test('an endpoint with OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none makes no span', async () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: 'none' }).tracing,
    ).toBeUndefined();
    const disabled = await startStack({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SDK_DISABLED: 'true',
      OTEL_BSP_SCHEDULE_DELAY: '20',
    });
    try {
      const { header } = newTraceparent();
      const res = await disabled.gql('{ referrals(first: 1) { edges { node { id } } } }', undefined, {
        traceparent: header,
      });
      expect(res.body.errors).toBeUndefined();
      expect(disabled.emulator.requests[0]?.headers).not.toHaveProperty('traceparent');
    } finally {
      // stop() would flush any queued span to the receiver.
      await disabled.close();
    }
    expect(receiver.exports).toHaveLength(0);
  });
});

describe('OTLP over protobuf (the default protocol), with the document asked for', () => {
  test('exports application/x-protobuf to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, the document in it', async () => {
    const protobuf = await startStack({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/traces`,
      OTEL_BSP_SCHEDULE_DELAY: '20',
      TRACE_GRAPHQL_DOCUMENT: 'true',
    });
    try {
      const { header } = newTraceparent();
      const document = 'query WithDocument { referrals(first: 1) { edges { node { id } } } }';
      expect((await protobuf.gql(document, undefined, { traceparent: header })).body.errors).toBeUndefined();
      await protobuf.close();
    } catch (error) {
      await protobuf.close();
      throw error;
    }
    expect(receiver.exports.length).toBeGreaterThan(0);
    for (const exported of receiver.exports) {
      expect(exported.path).toBe('/custom/traces');
      expect(exported.contentType).toBe('application/x-protobuf');
    }
    const bytes = Buffer.concat(receiver.exports.map((e) => e.body));
    // Protobuf keeps ids as raw bytes and strings as UTF-8.
    expect(bytes.includes(Buffer.from('graphql.document'))).toBe(true);
    expect(bytes.includes(Buffer.from('query WithDocument { referrals(first: 1)'))).toBe(true);
    expect(bytes.includes(Buffer.from('GET /engagements/referrals'))).toBe(true);
  });
});

/**
 * The spans each test router makes (test/helpers/routers.ts, routerTracing.ts): its root, and its
 * span for one subgraph request, whose context it sends the subgraph. Hive Gateway's OpenTelemetry
 * plugin opens an HTTP SERVER span and an `http.fetch` CLIENT span per subgraph fetch.
 * @apollo/gateway's built-in spans have no HTTP server or client span: its root is
 * `gateway.request`, and `gateway.fetch` (INTERNAL) is its span for one subgraph request.
 */
const ROUTER_SPANS: Record<RouterName, { root: string; subgraphRequest: string; kind: number }> = {
  hive: { root: 'POST /graphql', subgraphRequest: 'http.fetch', kind: CLIENT },
  apollo: { root: 'gateway.request', subgraphRequest: 'gateway.fetch', kind: INTERNAL },
};

describe.each(ROUTER_NAMES)('through %s, tracing, in front of the gateway', (routerName) => {
  const ROUTER_QUERY = 'query ViaRouter { referrals(first: 2) { edges { node { id name } } } }';
  const expected = ROUTER_SPANS[routerName];
  let accounts: Awaited<ReturnType<typeof startAccountsSubgraph>>;
  let routers: Routers;
  beforeAll(async () => {
    accounts = await startAccountsSubgraph({ accounts: [], sellerOf: () => null });
    routers = await startRouters(traced, accounts, { otlpUrl: receiver.url });
  });
  afterAll(async () => {
    await routers?.stop();
    await accounts?.stop();
  });

  /**
   * Waits for the whole trace (the router's root ends last) and checks the chain every trace
   * through this router has: router root → … → the router's subgraph-request span → the gateway's
   * HTTP span → its operation span → its Partner API calls, whose `traceparent`s the emulator got.
   */
  async function routerTrace(traceId: string): Promise<{ root: ReceivedSpan; spans: ReceivedSpan[] }> {
    const all = await receiver.waitFor((received) => {
      const inTrace = received.filter((s) => s.traceId === traceId);
      return (
        inTrace.some((s) => s.serviceName === ROUTER_SERVICE_NAMES[routerName] && s.name === expected.root) &&
        inTrace.some((s) => s.serviceName === 'referrals-gateway-test' && s.kind === CLIENT)
      );
    });
    const spans = all.filter((s) => s.traceId === traceId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const routerSpans = spans.filter((s) => s.serviceName === ROUTER_SERVICE_NAMES[routerName]);
    const root = routerSpans.find((s) => s.name === expected.root) as ReceivedSpan;

    // One subgraph request (the query touches only ours): the router's span for it, under its root.
    const subgraphRequests = routerSpans.filter((s) => s.name === expected.subgraphRequest);
    expect(subgraphRequests).toHaveLength(1);
    const subgraphRequest = subgraphRequests[0] as ReceivedSpan;
    expect(subgraphRequest.kind).toBe(expected.kind);
    let ancestor: ReceivedSpan | undefined = subgraphRequest;
    while (ancestor !== undefined && ancestor !== root) ancestor = byId.get(ancestor.parentSpanId);
    expect(ancestor).toBe(root);

    // The gateway's HTTP span hangs under the router's subgraph-request span, and no other.
    const gatewaySpans = spans.filter((s) => s.serviceName === 'referrals-gateway-test');
    const http = gatewaySpans.find((s) => s.name === 'POST /graphql') as ReceivedSpan;
    expect(http).toMatchObject({ kind: SERVER, parentSpanId: subgraphRequest.spanId });
    const operation = gatewaySpans.find((s) => s.parentSpanId === http.spanId) as ReceivedSpan;
    expect(operation).toMatchObject({
      name: 'query',
      attributes: { 'graphql.operation.type': 'query' },
    });
    const calls = gatewaySpans.filter((s) => s.kind === CLIENT);
    expect(calls.map((s) => s.name)).toEqual(['GET /engagements/referrals']);
    for (const call of calls) expect(call.parentSpanId).toBe(operation.spanId);
    expect(gatewaySpans).toHaveLength(3);

    // The Partner API got this trace, each call as the child of the gateway's span for it.
    const upstream = upstreamTraceparents(traced);
    expect(upstream.map((c) => c.traceId)).toEqual([traceId]);
    expect(upstream.map((c) => c.spanId)).toEqual(calls.map((s) => s.spanId));
    return { root, spans };
  }

  test("without a client traceparent the router starts the trace: the Partner API sees the router's trace id", async () => {
    const res = await routers[routerName].post({ query: ROUTER_QUERY }, { authorization: TEST_TOKEN });
    expect(res.body.errors).toBeUndefined();
    const [call] = upstreamTraceparents(traced);
    const traceId = call?.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const { root, spans } = await routerTrace(traceId);
    // The trace is the router's: its root has no parent, and the router's spans carry its id.
    expect(root).toMatchObject({ parentSpanId: '', serviceName: ROUTER_SERVICE_NAMES[routerName] });
    if (routerName === 'hive') expect(root.kind).toBe(SERVER);
    const routerSpans = spans.filter((s) => s.serviceName === ROUTER_SERVICE_NAMES[routerName]);
    expect(routerSpans.map((s) => s.name)).toEqual(
      expect.arrayContaining([expected.root, expected.subgraphRequest]),
    );
    // No `tracestate`: the client sent none, and the router adds none.
    for (const request of traced.emulator.requests) expect(request.headers).not.toHaveProperty('tracestate');
  });

  test("a client's traceparent is continued by the router, the gateway and the Partner API call", async () => {
    const { traceId, parentId, header } = newTraceparent();
    const res = await routers[routerName].post(
      { query: ROUTER_QUERY },
      { authorization: TEST_TOKEN, traceparent: header, tracestate: 'client=abc' },
    );
    expect(res.body.errors).toBeUndefined();

    const { root, spans } = await routerTrace(traceId);
    // The router's root is the client's span's child; everything else hangs under the router.
    expect(root.parentSpanId).toBe(parentId);
    expect(spans.filter((s) => s.parentSpanId === parentId)).toEqual([root]);
    for (const request of traced.emulator.requests) expect(request.headers.tracestate).toBe('client=abc');
  });

  test('a client that does not sample: the router records nothing, and its trace id still reaches the Partner API', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await routers[routerName].post(
      { query: ROUTER_QUERY },
      { authorization: TEST_TOKEN, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-00` },
    );
    expect(res.body.errors).toBeUndefined();
    expect(upstreamTraceparents(traced).map((c) => c.traceId)).toEqual([traceId]);
    // A sampled request after it is exported; nothing of the unsampled one ever is.
    const { traceId: sampled, header } = newTraceparent();
    await routers[routerName].post(
      { query: ROUTER_QUERY },
      { authorization: TEST_TOKEN, traceparent: header },
    );
    await receiver.waitFor((all) =>
      all.some(
        (s) =>
          s.traceId === sampled &&
          s.serviceName === ROUTER_SERVICE_NAMES[routerName] &&
          s.name === expected.root,
      ),
    );
    expect(receiver.spans().filter((s) => s.traceId === traceId)).toEqual([]);
  });
});

describe('configuration from the standard OTEL_* variables', () => {
  const endpoint = 'http://collector.example:4318';

  test('reads the endpoint, protocol, headers, service name, resource and sampler', () => {
    const tracing = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: `${endpoint}/`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret%20one,x-tenant=a',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=b',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment.name=staging',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    }).tracing;
    expect(tracing).toMatchObject({
      url: `${endpoint}/v1/traces`,
      protocol: 'http/json',
      headers: { 'api-key': 'secret one', 'x-tenant': 'b' },
      serviceName: 'from-resource',
      resourceAttributes: { 'deployment.environment.name': 'staging' },
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      includeDocument: false,
    });
  });

  test('defaults: protobuf, parent-based always-on, referrals-gateway; the traces endpoint as given', () => {
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/otlp/traces`,
        OTEL_SERVICE_NAME: 'referrals-eu',
        OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored',
      }).tracing,
    ).toMatchObject({
      url: `${endpoint}/otlp/traces`,
      protocol: 'http/protobuf',
      serviceName: 'referrals-eu',
      sampler: 'parentbased_always_on',
      scheduleDelayMs: 5000,
    });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).tracing?.serviceName).toBe(
      'referrals-gateway',
    );
    expect(loadConfig({}).metrics).toEqual({ port: 9464, maxOperationNames: 50 });
  });

  test.each([
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_TRACES_SAMPLER', 'sometimes'],
    ['OTEL_TRACES_SAMPLER_ARG', '2'],
    ['OTEL_SDK_DISABLED', 'yes'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'no-equals-sign'],
    ['OTEL_TRACES_EXPORTER', 'zipkin'],
    ['METRICS_PORT', '70000'],
  ])('%s=%s stops the start with a one-line reason', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid ${name}:`));
  });
});
