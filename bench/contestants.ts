/**
 * The bench's contestants as typed data: what each one is (for the report), whether it answers
 * REST or GraphQL, whether it is a process of its own (so its CPU and RSS can be read), and on
 * which scenarios it runs. No I/O: bench/processes.ts starts them, bench/report.ts describes them.
 */
import type { Scenario } from './scenarios.ts';

export const CONTESTANT_NAMES = [
  'rest',
  'proxy',
  'proxy+json',
  'graphql-floor',
  'apollo-floor',
  'apollo-floor+tracing',
  'datasource-rest',
  'before',
  'gateway',
  'gateway+tracing',
  'gateway+apq',
  'gateway+redis-apq',
] as const;
export type ContestantName = (typeof CONTESTANT_NAMES)[number];

/** Contestants with a feature switched on (the gateway, or a floor making the same spans), measured only on the scenarios that list them. */
export type ExtraContestant =
  | 'apollo-floor+tracing'
  | 'gateway+tracing'
  | 'gateway+apq'
  | 'gateway+redis-apq';

export interface ContestantSpec {
  readonly name: ContestantName;
  /** What it answers: the scenario's REST calls, or its GraphQL operation. */
  readonly kind: 'rest' | 'graphql';
  /** A process (CPU and RSS measured); `rest` is the emulator itself. */
  readonly process: boolean;
  /** `extra`: runs only where a scenario lists it (`Scenario.extras`). */
  readonly family: 'floor' | 'peer' | 'gateway' | 'extra';
  /** One line for the report. */
  readonly summary: string;
}

export const CONTESTANTS: Readonly<Record<ContestantName, ContestantSpec>> = {
  rest: {
    name: 'rest',
    kind: 'rest',
    process: false,
    family: 'floor',
    summary: 'the REST calls straight to the emulator (the latency floor; no process of its own)',
  },
  proxy: {
    name: 'proxy',
    kind: 'rest',
    process: true,
    family: 'floor',
    summary: 'bench/peers/bareProxy.ts: node:http in, undici Pool out, answers streamed',
  },
  'proxy+json': {
    name: 'proxy+json',
    kind: 'rest',
    process: true,
    family: 'floor',
    summary:
      'the same proxy reading each JSON answer whole, parsing and re-serializing it: the least any layer that reads the data, as GraphQL must, can cost (the floor the targets of issue #14 are set against)',
  },
  'graphql-floor': {
    name: 'graphql-floor',
    kind: 'graphql',
    process: true,
    family: 'floor',
    summary:
      'bench/peers/graphqlFloor.ts (FLOOR=graphql): node:http in, each document parsed, validated and compiled with graphql-jit once, naive resolvers (bench/peers/naiveResolvers.ts) on an undici Pool, JSON.stringify out; no checks, limits, masking or telemetry: what GraphQL itself adds to proxy+json',
  },
  'apollo-floor': {
    name: 'apollo-floor',
    kind: 'graphql',
    process: true,
    family: 'floor',
    summary:
      "the same behind Apollo Server 5's request pipeline (executeHTTPGraphQLRequest on node:http, the gateway's graphql-jit executor, Apollo's plugins off as the gateway has them): the least an Apollo Server layer costs, and what Apollo adds to graphql-floor",
  },
  'apollo-floor+tracing': {
    name: 'apollo-floor+tracing',
    kind: 'graphql',
    process: true,
    family: 'extra',
    summary:
      "apollo-floor with the gateway's tracing set-up (src/telemetry/tracing.ts, configured as `gateway+tracing`) making the gateway's spans and nothing else (bench/peers/floorTracing.ts: the HTTP request's, the operation's and each upstream call's, with their attributes and `traceparent`): what OpenTelemetry's SDK itself costs for the spans of one operation, the floor of target 4's tracing cost",
  },
  'datasource-rest': {
    name: 'datasource-rest',
    kind: 'graphql',
    process: true,
    family: 'peer',
    summary:
      'bench/peers/datasourceRest.ts: Apollo Server 5 standalone with defaults + RESTDataSource + buildSubgraphSchema, naive resolvers (what most teams would write)',
  },
  before: {
    name: 'before',
    kind: 'graphql',
    process: true,
    family: 'gateway',
    summary: 'this gateway at the baseline commit (BENCH_BASELINE; a git worktree sharing node_modules)',
  },
  gateway: {
    name: 'gateway',
    kind: 'graphql',
    process: true,
    family: 'gateway',
    summary: 'this checkout, started with the Node flags of `npm start`',
  },
  'gateway+tracing': {
    name: 'gateway+tracing',
    kind: 'graphql',
    process: true,
    family: 'extra',
    summary:
      'the gateway with tracing on: OTEL_EXPORTER_OTLP_ENDPOINT at a loopback receiver (bench/peers/otlpSink.ts, answers 200 and counts), OTEL_TRACES_SAMPLER=always_on (100 % sampled), protobuf export',
  },
  'gateway+apq': {
    name: 'gateway+apq',
    kind: 'graphql',
    process: true,
    family: 'extra',
    summary:
      "a gateway process of its own, started as `gateway` is, sent every operation as an APQ hash only (registered once before measuring): a hit on the in-memory APQ cache, the default without REDIS_URL, and the baseline of Redis APQ's cost. It runs exactly the scenarios `gateway+redis-apq` runs: a process's heap, and with it what GC costs, grows with what it has run, so the two are compared with the same history",
  },
  'gateway+redis-apq': {
    name: 'gateway+redis-apq',
    kind: 'graphql',
    process: true,
    family: 'extra',
    summary:
      "the gateway with REDIS_URL (its own REDIS_KEY_PREFIX, deleted afterwards); every operation sent as an APQ hash only (registered once before measuring), so each one is a hit. After the first lookup the replica's local tier answers (src/state/redisApqCache.ts: a hash names its document), so this measures what a Redis-backed gateway costs on a hit, not a Redis round trip per operation",
  },
};

/** Whether `name` is this gateway's own process (src/main.ts, at this checkout or the baseline), whose log the report shows. */
export function isGatewayProcess(name: ContestantName): boolean {
  return CONTESTANTS[name].family === 'gateway' || name.startsWith('gateway+');
}

/** Whether `name` runs on `scenario` (REST contestants need a REST equivalent; extras must be listed). */
export function appliesTo(scenario: Scenario, name: ContestantName): boolean {
  const spec = CONTESTANTS[name];
  if (spec.family === 'extra') return scenario.extras.includes(name as ExtraContestant);
  if (spec.kind === 'rest') return scenario.rest !== null;
  return true;
}
