/**
 * The five bench scenarios, each as (a) autocannon request lists (closed-loop throughput) and
 * (b) one async operation on an undici Pool (open-loop fixed rate), for a REST target (the
 * emulator itself or the bare proxy) and for a GraphQL target. Shared state keeps the ids of the
 * seed and the current eTag of each referral, and counts what went wrong.
 */
import type { AutocannonRequest } from 'autocannon';
import type { Pool } from 'undici';
import { ALL_REFERRAL_FIELDS, MEMBER_FRAGMENT } from '../test/helpers/selections.ts';

export const AUTHORIZATION = 'Bearer bench';
export const REPRESENTATIONS = 20;
export const LIST_SIZE = 50;

const DOCS = {
  1: 'query One($id: ID!) { referral(id: $id) { id name status etag } }',
  2: `query Full($id: ID!) { referral(id: $id) { ${ALL_REFERRAL_FIELDS} } } ${MEMBER_FRAGMENT}`,
  3: `query List { referrals(first: ${LIST_SIZE}) { edges { node { ${ALL_REFERRAL_FIELDS} } } pageInfo { hasNextPage endCursor } } } ${MEMBER_FRAGMENT}`,
  4: `mutation Update($id: ID!, $input: UpdateReferralInput!, $etag: String!) {
  updateReferral(id: $id, input: $input, etag: $etag) {
    __typename
    ... on UpdateReferralSuccess { referral { id etag name status } }
    ... on ReferralPreconditionFailed { currentEtag currentReferral { id etag } }
    ... on ReferralError { message }
  }
}`,
  5: 'query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on Referral { id name status } } }',
} as const;

export type ScenarioId = 1 | 2 | 3 | 4 | 5;

export interface Scenario {
  readonly id: ScenarioId;
  readonly title: string;
  /** REST requests one operation costs at the floor (what the rest/proxy contestants send). */
  readonly restRequests: number;
  /** How the rest floor sends them (closed loop: autocannon is always serial per connection). */
  readonly restShape: string;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 1, title: 'referral(id), small selection', restRequests: 1, restShape: 'GET /referrals/{id}' },
  { id: 2, title: 'referral(id), every field', restRequests: 1, restShape: 'GET /referrals/{id}' },
  {
    id: 3,
    title: `referrals(first: ${LIST_SIZE}), every field`,
    restRequests: 1,
    restShape: `GET /referrals?$top=${LIST_SIZE}`,
  },
  { id: 4, title: 'updateReferral (name)', restRequests: 2, restShape: 'GET then PUT If-Match' },
  {
    id: 5,
    title: `_entities × ${REPRESENTATIONS}`,
    restRequests: REPRESENTATIONS,
    restShape: `${REPRESENTATIONS} × GET (parallel in open loop)`,
  },
];

export interface Target {
  readonly name: string;
  readonly kind: 'rest' | 'graphql';
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** GraphQL endpoint path, or the REST prefix (`/v1.0`). */
  readonly path: string;
}

export interface Counters {
  /** Non-2xx (GraphQL: non-200) answers; 412s of scenario 4 are counted as conflicts instead. */
  badStatus: number;
  /** 200 answers carrying `errors` (or an unexpected mutation result). */
  gqlErrors: number;
  /** Scenario 4: stale eTag (GraphQL ReferralPreconditionFailed, REST 412). */
  conflicts: number;
}

export class BenchState {
  readonly ids: readonly string[];
  readonly etags = new Map<string, string>();
  #cursor = 0;
  counters: Counters = { badStatus: 0, gqlErrors: 0, conflicts: 0 };

  constructor(referrals: readonly { id: string; eTag: string }[]) {
    this.ids = referrals.map((r) => r.id);
    this.refresh(referrals);
  }

  refresh(referrals: readonly { id: string; eTag: string }[]): void {
    for (const r of referrals) this.etags.set(r.id, r.eTag);
  }

  resetCounters(): Counters {
    const previous = this.counters;
    this.counters = { badStatus: 0, gqlErrors: 0, conflicts: 0 };
    return previous;
  }

  nextId(): string {
    const id = this.ids[this.#cursor % this.ids.length] as string;
    this.#cursor = (this.#cursor + 1) % 1_000_000_000;
    return id;
  }

  /** `count` consecutive distinct ids (count ≤ the seed size). */
  nextIds(count: number): string[] {
    return Array.from({ length: count }, () => this.nextId());
  }
}

const JSON_HEADERS = { 'content-type': 'application/json', authorization: AUTHORIZATION };
const GET_HEADERS = { authorization: AUTHORIZATION };

function graphqlBody(scenario: ScenarioId, state: BenchState): string {
  switch (scenario) {
    case 1:
    case 2:
      return JSON.stringify({ query: DOCS[scenario], variables: { id: state.nextId() } });
    case 3:
      return JSON.stringify({ query: DOCS[3] });
    case 4: {
      const id = state.nextId();
      return JSON.stringify({
        query: DOCS[4],
        variables: {
          id,
          etag: state.etags.get(id),
          input: { name: `Bench referral ${Date.now() % 100000}` },
        },
      });
    }
    case 5:
      return JSON.stringify({
        query: DOCS[5],
        variables: { r: state.nextIds(REPRESENTATIONS).map((id) => ({ __typename: 'Referral', id })) },
      });
  }
}

interface UpdateAnswer {
  data?: {
    updateReferral?: {
      __typename: string;
      referral?: { id: string; etag: string };
      currentEtag?: string;
      currentReferral?: { id: string; etag: string };
    };
  };
}

function checkGraphql(scenario: ScenarioId, status: number, text: string, state: BenchState): boolean {
  if (status !== 200) {
    state.counters.badStatus++;
    return false;
  }
  if (scenario !== 4) {
    if (text.includes('"errors"')) {
      state.counters.gqlErrors++;
      return false;
    }
    return true;
  }
  const result = (JSON.parse(text) as UpdateAnswer).data?.updateReferral;
  if (result?.__typename === 'UpdateReferralSuccess' && result.referral) {
    state.etags.set(result.referral.id, result.referral.etag);
    return true;
  }
  if (result?.__typename === 'ReferralPreconditionFailed') {
    state.counters.conflicts++;
    if (result.currentReferral && result.currentEtag)
      state.etags.set(result.currentReferral.id, result.currentEtag);
    return false;
  }
  state.counters.gqlErrors++;
  return false;
}

function checkRest(status: number, state: BenchState): boolean {
  if (status === 412) {
    state.counters.conflicts++;
    return false;
  }
  if (status < 200 || status > 299) {
    state.counters.badStatus++;
    return false;
  }
  return true;
}

const itemPath = (target: Target, id: string) =>
  `${target.path}/engagements/referrals/${encodeURIComponent(id)}`;

/** The PUT body a REST client sends after its GET: the referral as read, with a new name. */
function putBody(current: string): { body: string; id: string; etag: string } {
  const referral = JSON.parse(current) as Record<string, unknown> & { id: string; eTag: string };
  referral.name = `Bench referral ${Date.now() % 100000}`;
  return { body: JSON.stringify(referral), id: referral.id, etag: referral.eTag };
}

/** Autocannon's request list for one scenario on one target (the list repeats per connection). */
export function autocannonRequests(
  scenario: ScenarioId,
  target: Target,
  state: BenchState,
): AutocannonRequest[] {
  if (target.kind === 'graphql') {
    return [
      {
        method: 'POST',
        path: target.path,
        headers: JSON_HEADERS,
        setupRequest: (req) => ({ ...req, body: graphqlBody(scenario, state) }),
        onResponse: (status, body) => void checkGraphql(scenario, status, body, state),
      },
    ];
  }
  const get = (pick: (context: Record<string, unknown>) => string): AutocannonRequest => ({
    method: 'GET',
    headers: GET_HEADERS,
    setupRequest: (req, context) => ({ ...req, path: itemPath(target, pick(context)) }),
    onResponse: (status, body, context) => {
      if (checkRest(status, state)) context.current = body;
    },
  });
  switch (scenario) {
    case 1:
    case 2:
      return [get(() => state.nextId())];
    case 3:
      return [
        {
          method: 'GET',
          path: `${target.path}/engagements/referrals?$top=${LIST_SIZE}`,
          headers: GET_HEADERS,
          onResponse: (status) => void checkRest(status, state),
        },
      ];
    case 4:
      return [
        get(() => state.nextId()),
        {
          method: 'PUT',
          setupRequest: (req, context) => {
            const put = putBody(String(context.current));
            return {
              ...req,
              path: itemPath(target, put.id),
              headers: { ...JSON_HEADERS, 'if-match': put.etag },
              body: put.body,
            };
          },
          onResponse: (status, body) => {
            if (checkRest(status, state)) {
              const written = JSON.parse(body) as { id: string; eTag: string };
              state.etags.set(written.id, written.eTag);
            }
          },
        },
      ];
    case 5:
      return Array.from({ length: REPRESENTATIONS }, () => get(() => state.nextId()));
  }
}

async function send(
  pool: Pool,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  const res = await pool.request({ method, path, headers, body: body ?? null });
  return { status: res.statusCode, text: await res.body.text() };
}

/** One operation of the scenario; resolves true when it succeeded (checked like the closed loop). */
export async function runOperation(
  scenario: ScenarioId,
  target: Target,
  state: BenchState,
  pool: Pool,
): Promise<boolean> {
  if (target.kind === 'graphql') {
    const res = await send(pool, 'POST', target.path, JSON_HEADERS, graphqlBody(scenario, state));
    return checkGraphql(scenario, res.status, res.text, state);
  }
  switch (scenario) {
    case 1:
    case 2:
      return checkRest(
        (await send(pool, 'GET', itemPath(target, state.nextId()), GET_HEADERS)).status,
        state,
      );
    case 3: {
      const path = `${target.path}/engagements/referrals?$top=${LIST_SIZE}`;
      return checkRest((await send(pool, 'GET', path, GET_HEADERS)).status, state);
    }
    case 4: {
      const read = await send(pool, 'GET', itemPath(target, state.nextId()), GET_HEADERS);
      if (!checkRest(read.status, state)) return false;
      const put = putBody(read.text);
      const headers = { ...JSON_HEADERS, 'if-match': put.etag };
      const written = await send(pool, 'PUT', itemPath(target, put.id), headers, put.body);
      if (!checkRest(written.status, state)) return false;
      const w = JSON.parse(written.text) as { id: string; eTag: string };
      state.etags.set(w.id, w.eTag);
      return true;
    }
    case 5: {
      const answers = await Promise.all(
        state.nextIds(REPRESENTATIONS).map((id) => send(pool, 'GET', itemPath(target, id), GET_HEADERS)),
      );
      return answers.map((a) => checkRest(a.status, state)).every(Boolean);
    }
  }
}
