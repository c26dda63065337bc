/**
 * The bench scenarios as typed data: what each operation is (its GraphQL document and its REST
 * equivalent), which contestants run it, how many upstream calls one operation costs, and the
 * expectations (issue #14's targets) the report checks against every run. Plain data, no I/O and
 * no functions: bench/operations.ts turns a scenario into requests, bench/expectations.ts checks
 * the expectations generically.
 */
import { ALL_REFERRAL_FIELDS, MEMBER_FRAGMENT } from '../test/helpers/selections.ts';
import type { ContestantName, ExtraContestant } from './contestants.ts';

export const REPRESENTATIONS = 20;
export const LIST_SIZE = 50;
/** Page size of the `relatedReferrals` scenario. */
export const RELATED_PAGE_SIZE = 20;
/**
 * Distinct engagements among the seed's newest `RELATED_PAGE_SIZE` referrals (the emulator's
 * deterministic seed, src/emulator/seed.ts); bench/run.ts checks it against the seed it gets.
 */
export const RELATED_PAGE_ENGAGEMENTS = 17;

const UPDATE_DOC = `mutation Update($id: ID!, $input: UpdateReferralInput!, $etag: String!) {
  updateReferral(id: $id, input: $input, etag: $etag) {
    __typename
    ... on UpdateReferralSuccess { referral { id etag name status } }
    ... on ReferralPreconditionFailed { currentEtag currentReferral { id etag } }
    ... on ReferralError { message }
  }
}`;

export type ScenarioId = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** How an operation's answer is judged (bench/operations.ts). */
export type ResultCheck =
  /** HTTP 200 and no `errors`. */
  | 'noErrors'
  /** `updateReferral` answered `UpdateReferralSuccess`; `ReferralPreconditionFailed` is a conflict. */
  | 'updateSuccess'
  /** `createReferral` answered `CreateReferralSuccess`. */
  | 'createSuccess';

/** Upstream calls one operation of the gateway costs. */
export type UpstreamCalls = { readonly exactly: number } | { readonly atMost: number };

/**
 * One expectation, checked generically against a run (bench/expectations.ts). `target` is the
 * number of the target in issue #14 it stands for.
 */
export type Expectation =
  /** CPU per operation (CPU % ÷ ops/s, instant upstream, closed loop) ≤ `maxRatio` × the baseline's. */
  | {
      readonly kind: 'cpuPerOp';
      readonly target: number;
      readonly contestant: ContestantName;
      readonly baseline: ContestantName;
      readonly maxRatio: number;
      /** Where the cost is a feature's (contestant = baseline + feature): the same feature on a floor. */
      readonly floor?: FeatureFloor;
    }
  /** Added p50/p99 over `rest` at the fixed rate ≤ the baseline's added p50/p99 + the slack. */
  | {
      readonly kind: 'addedLatency';
      readonly target: number;
      readonly contestant: ContestantName;
      readonly baseline: ContestantName;
      readonly p50SlackMs: number;
      readonly p99SlackMs: number;
    }
  /** More operations per second than `rival` (instant upstream, medians). */
  | {
      readonly kind: 'ahead';
      readonly target: number;
      readonly contestant: ContestantName;
      readonly rival: ContestantName;
    }
  /** Upstream requests per operation (fixed rate, every operation counted; worst run). */
  | ({
      readonly kind: 'upstreamCalls';
      readonly target: number;
      readonly contestant: ContestantName;
    } & UpstreamCalls)
  /** Peak RSS (instant upstream, highest of the runs) ≤ the baseline's + `maxExtraMb`. */
  | {
      readonly kind: 'peakRss';
      readonly target: number;
      readonly contestant: ContestantName;
      readonly baseline: ContestantName;
      readonly maxExtraMb: number;
    };

/**
 * A feature measured on a floor: `contestant` is `baseline` with the feature on, nothing else of
 * the gateway's work in it. When the gateway's feature costs more than its budget
 * ((maxRatio − 1) × the gateway's CPU per operation), and the feature alone on the floor already
 * costs more than that budget, the miss is held by `layer`.
 */
export interface FeatureFloor {
  readonly contestant: ContestantName;
  readonly baseline: ContestantName;
  /** Who does the feature's work on the floor, e.g. "OpenTelemetry's SDK". */
  readonly layer: string;
}

export interface RestEquivalent {
  /** REST requests one operation costs at the floor (what rest/proxy/proxy+json send). */
  readonly requests: number;
  /** How they are sent (closed loop: autocannon is always serial per connection). */
  readonly shape: string;
}

export interface Scenario {
  readonly id: ScenarioId;
  /** Stable name (BENCH_SCENARIOS accepts it as well as the id). */
  readonly key: string;
  readonly title: string;
  /** A chart label. */
  readonly short: string;
  /** The GraphQL document every GraphQL contestant is sent. */
  readonly document: string;
  readonly check: ResultCheck;
  /** The REST equivalent, or `null`: rest, proxy and proxy+json do not run this scenario. */
  readonly rest: RestEquivalent | null;
  /**
   * Environment added to the GraphQL contestants' processes for this scenario (a process of its
   * own per distinct environment), e.g. the gateway's write mode.
   */
  readonly graphqlEnv?: Readonly<Record<string, string>>;
  /** Extra gateways measured on this scenario. */
  readonly extras: readonly ExtraContestant[];
  /**
   * Closed-loop connections, when the default (BENCH_CONNECTIONS) would only queue at the
   * emulator: each operation of the relatedReferrals page is 18 list calls, which the emulator
   * answers at about 500 a second on its core.
   */
  readonly connections?: number;
  /** Operations write (eTags are read again from the emulator before each window). */
  readonly writes?: boolean;
  /** Operations add referrals: the emulator is put back to its seed after each window. */
  readonly growsStore?: boolean;
  readonly upstreamCalls: UpstreamCalls;
  readonly expectations: readonly Expectation[];
}

/** Issue #14's targets 1, 2, 3 and 5, which hold on every scenario. */
function everyScenario(upstream: UpstreamCalls): Expectation[] {
  return [
    { kind: 'cpuPerOp', target: 1, contestant: 'gateway', baseline: 'proxy+json', maxRatio: 1.5 },
    {
      kind: 'addedLatency',
      target: 2,
      contestant: 'gateway',
      baseline: 'proxy+json',
      p50SlackMs: 1,
      p99SlackMs: 5,
    },
    { kind: 'ahead', target: 3, contestant: 'gateway', rival: 'datasource-rest' },
    { kind: 'upstreamCalls', target: 3, contestant: 'gateway', ...upstream },
    { kind: 'peakRss', target: 5, contestant: 'gateway', baseline: 'proxy+json', maxExtraMb: 50 },
  ];
}

/** Issue #14 target 4: tracing (100 % sampled, exporting) costs at most 15 % CPU per operation. */
const TRACING_COST: Expectation = {
  kind: 'cpuPerOp',
  target: 4,
  contestant: 'gateway+tracing',
  baseline: 'gateway',
  maxRatio: 1.15,
  floor: { contestant: 'apollo-floor+tracing', baseline: 'apollo-floor', layer: "OpenTelemetry's SDK" },
};
/**
 * Issue #14 target 4: Redis APQ costs at most 5 % CPU per operation on a cache hit, against the
 * same hash-only operation answered from the in-memory APQ cache (a hash-only request skips the
 * document's bytes and hashing, so against full documents Redis APQ would look free).
 */
const REDIS_APQ_COST: Expectation = {
  kind: 'cpuPerOp',
  target: 4,
  contestant: 'gateway+redis-apq',
  baseline: 'gateway+apq',
  maxRatio: 1.05,
};

function scenario(s: Omit<Scenario, 'expectations'> & { readonly more?: readonly Expectation[] }): Scenario {
  const { more = [], ...rest } = s;
  return { ...rest, expectations: [...everyScenario(s.upstreamCalls), ...more] };
}

export const SCENARIOS: readonly Scenario[] = [
  scenario({
    id: 1,
    key: 'referral-small',
    title: 'referral(id), small selection',
    short: '1 referral small',
    document: 'query One($id: ID!) { referral(id: $id) { id name status etag } }',
    check: 'noErrors',
    rest: { requests: 1, shape: 'GET /referrals/{id}' },
    extras: ['apollo-floor+tracing', 'gateway+tracing', 'gateway+apq', 'gateway+redis-apq'],
    upstreamCalls: { exactly: 1 },
    more: [TRACING_COST, REDIS_APQ_COST],
  }),
  scenario({
    id: 2,
    key: 'referral-full',
    title: 'referral(id), every field',
    short: '2 referral full',
    document: `query Full($id: ID!) { referral(id: $id) { ${ALL_REFERRAL_FIELDS} } } ${MEMBER_FRAGMENT}`,
    check: 'noErrors',
    rest: { requests: 1, shape: 'GET /referrals/{id}' },
    extras: [],
    upstreamCalls: { exactly: 1 },
  }),
  scenario({
    id: 3,
    key: 'page-50',
    title: `referrals(first: ${LIST_SIZE}), every field`,
    short: `3 page of ${LIST_SIZE}`,
    document: `query List { referrals(first: ${LIST_SIZE}) { edges { node { ${ALL_REFERRAL_FIELDS} } } pageInfo { hasNextPage endCursor } } } ${MEMBER_FRAGMENT}`,
    check: 'noErrors',
    rest: { requests: 1, shape: `GET /referrals?$top=${LIST_SIZE}` },
    extras: ['apollo-floor+tracing', 'gateway+tracing', 'gateway+apq', 'gateway+redis-apq'],
    upstreamCalls: { exactly: 1 },
    more: [TRACING_COST, REDIS_APQ_COST],
  }),
  scenario({
    id: 4,
    key: 'update-put',
    title: 'updateReferral (name), put mode',
    short: '4 update (put)',
    document: UPDATE_DOC,
    check: 'updateSuccess',
    rest: { requests: 2, shape: 'GET then PUT If-Match' },
    extras: [],
    writes: true,
    upstreamCalls: { exactly: 2 },
  }),
  scenario({
    id: 5,
    key: 'entities-20',
    title: `_entities × ${REPRESENTATIONS}`,
    short: `5 _entities × ${REPRESENTATIONS}`,
    document:
      'query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { id name status } } }',
    check: 'noErrors',
    rest: { requests: REPRESENTATIONS, shape: `${REPRESENTATIONS} × GET (parallel in open loop)` },
    extras: ['apollo-floor+tracing', 'gateway+tracing'],
    upstreamCalls: { atMost: REPRESENTATIONS },
    more: [TRACING_COST],
  }),
  scenario({
    id: 6,
    key: 'create',
    title: 'createReferral (new referral, idempotency key)',
    short: '6 createReferral',
    document: `mutation Create($input: CreateReferralInput!, $key: String) {
  createReferral(input: $input, idempotencyKey: $key) {
    __typename
    ... on CreateReferralSuccess { referral { id etag name status } }
    ... on ReferralError { message }
  }
}`,
    check: 'createSuccess',
    rest: { requests: 1, shape: 'POST /referrals (the body the gateway sends)' },
    extras: [],
    writes: true,
    growsStore: true,
    upstreamCalls: { exactly: 1 },
  }),
  scenario({
    id: 7,
    key: 'page-20-related',
    title: `referrals(first: ${RELATED_PAGE_SIZE}) with relatedReferrals`,
    short: `7 page of ${RELATED_PAGE_SIZE} + related`,
    document: `query Related { referrals(first: ${RELATED_PAGE_SIZE}) { edges { node { id name status engagementId relatedReferrals { id name status } } } pageInfo { hasNextPage endCursor } } }`,
    check: 'noErrors',
    rest: {
      requests: 1 + RELATED_PAGE_ENGAGEMENTS,
      shape: `GET /referrals?$top=${RELATED_PAGE_SIZE}, then one GET /referrals?$filter=engagementId eq '…' per distinct engagement (${RELATED_PAGE_ENGAGEMENTS}; parallel in open loop)`,
    },
    extras: ['apollo-floor+tracing', 'gateway+tracing'],
    connections: 8,
    upstreamCalls: { exactly: 1 + RELATED_PAGE_ENGAGEMENTS },
    more: [TRACING_COST],
  }),
  scenario({
    id: 8,
    key: 'update-patch',
    title: 'updateReferral (externalReferenceId), patch mode',
    short: '8 update (patch)',
    document: UPDATE_DOC,
    check: 'updateSuccess',
    rest: { requests: 2, shape: 'GET then PATCH If-Match (JSON Patch, Prefer: return=representation)' },
    graphqlEnv: { PARTNER_API_WRITE_MODE: 'patch' },
    extras: [],
    writes: true,
    upstreamCalls: { exactly: 2 },
  }),
];
