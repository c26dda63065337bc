/**
 * Turns a scenario (bench/scenarios.ts) into requests: (a) autocannon request lists for the
 * closed loop and (b) one async operation on an undici Pool for the open loop, for a REST target
 * (the emulator itself or a proxy) and for a GraphQL target, and judges every answer the same
 * way in both (counting failures and conflicts in the shared BenchState).
 */
import { createHash } from 'node:crypto';
import type { AutocannonRequest } from 'autocannon';
import type { Pool } from 'undici';
import { LIST_SIZE, RELATED_PAGE_SIZE, REPRESENTATIONS, type Scenario } from './scenarios.ts';
import { AUTHORIZATION, type BenchState } from './state.ts';

export interface Target {
  /** The contestant's name. */
  readonly name: string;
  readonly kind: 'rest' | 'graphql';
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** GraphQL endpoint path, or the REST prefix (`/v1.0`). */
  readonly path: string;
  /** GraphQL: send each operation as an APQ hash only (registered by the first one). */
  readonly apq?: boolean;
}

const JSON_HEADERS = { 'content-type': 'application/json', authorization: AUTHORIZATION };
const GET_HEADERS = { authorization: AUTHORIZATION };

/** The wire body the gateway POSTs for `createInput` (captured from it), sent by the REST contestants. */
const WIRE_CREATE = {
  name: '',
  externalReferenceId: 'CRM-bench',
  status: 'New',
  substatus: 'Pending',
  type: 'Independent',
  qualification: 'SalesQualified',
  customerProfile: {
    name: 'Contoso Ltd',
    address: { addressLine1: '1 Main St', city: 'Seattle', state: 'WA', postalCode: '98052', country: 'US' },
    size: 'Size51to250employees',
    team: [
      { firstName: 'Ada', lastName: 'Lovelace', phoneNumber: '+1 555 0100', email: 'ada@contoso.example' },
    ],
  },
  consent: {
    consentToToShareInfoWithOthers: true,
    consentToContact: true,
    consentToShareReferralWithMicrosoftSellers: true,
  },
  details: {
    notes: 'Wants a landing zone before the quarter ends',
    dealValue: 125000.5,
    currency: 'USD',
    closingDateTime: '2026-06-30T00:00:00Z',
    requirements: { products: [{ id: 'Azure' }], solutions: [{ id: 'CloudMigration', type: 'Category' }] },
  },
  team: [{ firstName: 'Priya', lastName: 'Raman', email: 'priya@partner.example.com' }],
};

/** The same referral as a `CreateReferralInput` (GraphQL enum names). */
function createInput(name: string): Record<string, unknown> {
  const { status: _s, substatus: _ss, ...rest } = WIRE_CREATE;
  return {
    ...rest,
    name,
    type: 'INDEPENDENT',
    qualification: 'SALES_QUALIFIED',
    details: {
      ...WIRE_CREATE.details,
      requirements: { products: [{ id: 'Azure' }], solutions: [{ id: 'CloudMigration', type: 'CATEGORY' }] },
    },
  };
}

/** Unique per bench process, so idempotency keys never repeat across runs against one gateway. */
const RUN_TAG = `${process.pid}-${Date.now().toString(36)}`;

const hashes = new Map<string, string>();
function sha256(document: string): string {
  let hash = hashes.get(document);
  if (hash === undefined) {
    hash = createHash('sha256').update(document).digest('hex');
    hashes.set(document, hash);
  }
  return hash;
}

function variablesOf(scenario: Scenario, state: BenchState): Record<string, unknown> | undefined {
  switch (scenario.id) {
    case 1:
    case 2:
      return { id: state.nextId() };
    case 3:
    case 7:
      return undefined;
    case 4:
    case 8: {
      const id = state.nextId();
      const n = state.serial();
      const input =
        scenario.id === 4 ? { name: `Bench referral ${n}` } : { externalReferenceId: `bench-${n}` };
      return { id, etag: state.etags.get(id), input };
    }
    case 5:
      return { r: state.nextIds(REPRESENTATIONS).map((id) => ({ __typename: 'Referral', id })) };
    case 6: {
      const n = state.serial();
      return { input: createInput(`Bench referral ${n}`), key: `bench-${RUN_TAG}-${n}` };
    }
  }
}

export function graphqlBody(scenario: Scenario, state: BenchState, target: Target): string {
  const variables = variablesOf(scenario, state);
  if (!target.apq) return JSON.stringify({ query: scenario.document, variables });
  const sha256Hash = sha256(scenario.document);
  const extensions = { persistedQuery: { version: 1, sha256Hash } };
  const registered = `${target.name} ${sha256Hash}`;
  if (state.apqRegistered.has(registered)) return JSON.stringify({ variables, extensions });
  state.apqRegistered.add(registered);
  return JSON.stringify({ query: scenario.document, variables, extensions });
}

interface MutationAnswer {
  data?: Record<
    string,
    | {
        __typename: string;
        referral?: { id: string; etag: string };
        currentEtag?: string;
        currentReferral?: { id: string; etag: string };
      }
    | undefined
  >;
}

export function checkGraphql(scenario: Scenario, status: number, text: string, state: BenchState): boolean {
  if (status !== 200) {
    state.counters.badStatus++;
    return false;
  }
  if (scenario.check === 'noErrors') {
    if (text.includes('"errors"')) {
      state.counters.gqlErrors++;
      return false;
    }
    return true;
  }
  const data = (JSON.parse(text) as MutationAnswer).data;
  if (scenario.check === 'createSuccess') {
    if (data?.createReferral?.__typename === 'CreateReferralSuccess') return true;
    state.counters.gqlErrors++;
    return false;
  }
  const result = data?.updateReferral;
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

const collectionPath = (target: Target) => `${target.path}/engagements/referrals`;
const itemPath = (target: Target, id: string) => `${collectionPath(target)}/${encodeURIComponent(id)}`;
const pagePath = (target: Target, top: number) => `${collectionPath(target)}?$top=${top}`;
/** The list of one engagement's referrals, as the referral's `links.relatedReferrals` names it. */
const engagementPath = (target: Target, engagementId: string) =>
  `${collectionPath(target)}?$filter=${encodeURIComponent(`engagementId eq '${engagementId.replaceAll("'", "''")}'`)}`;

/** The write a REST client sends after its GET: a PUT of the referral as read with a new name, or a JSON Patch. */
function writeAfterRead(
  scenario: Scenario,
  current: string,
  state: BenchState,
): { method: 'PUT' | 'PATCH'; body: string; id: string; headers: Record<string, string> } {
  const referral = JSON.parse(current) as Record<string, unknown> & { id: string; eTag: string };
  const n = state.serial();
  if (scenario.id === 8) {
    const patch = [{ op: 'replace', path: '/externalReferenceId', value: `bench-${n}` }];
    return {
      method: 'PATCH',
      body: JSON.stringify(patch),
      id: referral.id,
      headers: { ...JSON_HEADERS, 'if-match': referral.eTag, prefer: 'return=representation' },
    };
  }
  referral.name = `Bench referral ${n}`;
  return {
    method: 'PUT',
    body: JSON.stringify(referral),
    id: referral.id,
    headers: { ...JSON_HEADERS, 'if-match': referral.eTag },
  };
}

function keepWritten(body: string, state: BenchState): void {
  const written = JSON.parse(body) as { id: string; eTag: string };
  state.etags.set(written.id, written.eTag);
}

const createBody = (state: BenchState) =>
  JSON.stringify({ ...WIRE_CREATE, name: `Bench referral ${state.serial()}` });

/** Autocannon's request list for one scenario on one target (the list repeats per connection). */
export function autocannonRequests(
  scenario: Scenario,
  target: Target,
  state: BenchState,
): AutocannonRequest[] {
  if (target.kind === 'graphql') {
    return [
      {
        method: 'POST',
        path: target.path,
        headers: JSON_HEADERS,
        setupRequest: (req) => ({ ...req, body: graphqlBody(scenario, state, target) }),
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
  const list = (path: string): AutocannonRequest => ({
    method: 'GET',
    path,
    headers: GET_HEADERS,
    onResponse: (status) => void checkRest(status, state),
  });
  switch (scenario.id) {
    case 1:
    case 2:
      return [get(() => state.nextId())];
    case 3:
      return [list(pagePath(target, LIST_SIZE))];
    case 4:
    case 8:
      return [
        get(() => state.nextId()),
        {
          method: scenario.id === 8 ? 'PATCH' : 'PUT',
          setupRequest: (req, context) => {
            const write = writeAfterRead(scenario, String(context.current), state);
            return {
              ...req,
              method: write.method,
              path: itemPath(target, write.id),
              headers: write.headers,
              body: write.body,
            };
          },
          onResponse: (status, body) => {
            if (checkRest(status, state)) keepWritten(body, state);
          },
        },
      ];
    case 5:
      return Array.from({ length: REPRESENTATIONS }, () => get(() => state.nextId()));
    case 6:
      return [
        {
          method: 'POST',
          path: collectionPath(target),
          headers: JSON_HEADERS,
          setupRequest: (req) => ({ ...req, body: createBody(state) }),
          onResponse: (status) => void checkRest(status, state),
        },
      ];
    case 7:
      return [
        list(pagePath(target, RELATED_PAGE_SIZE)),
        ...state.engagementIds.map((e) => list(engagementPath(target, e))),
      ];
  }
}

async function send(
  pool: Pool,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  const res = await pool.request({ method, path, headers, body: body ?? null });
  return { status: res.statusCode, text: await res.body.text() };
}

/** One operation of the scenario; resolves true when it succeeded (checked like the closed loop). */
export async function runOperation(
  scenario: Scenario,
  target: Target,
  state: BenchState,
  pool: Pool,
): Promise<boolean> {
  if (target.kind === 'graphql') {
    const res = await send(pool, 'POST', target.path, JSON_HEADERS, graphqlBody(scenario, state, target));
    return checkGraphql(scenario, res.status, res.text, state);
  }
  const getAll = async (paths: readonly string[]) => {
    const answers = await Promise.all(paths.map((p) => send(pool, 'GET', p, GET_HEADERS)));
    return answers.map((a) => checkRest(a.status, state)).every(Boolean);
  };
  switch (scenario.id) {
    case 1:
    case 2:
      return getAll([itemPath(target, state.nextId())]);
    case 3:
      return getAll([pagePath(target, LIST_SIZE)]);
    case 4:
    case 8: {
      const read = await send(pool, 'GET', itemPath(target, state.nextId()), GET_HEADERS);
      if (!checkRest(read.status, state)) return false;
      const write = writeAfterRead(scenario, read.text, state);
      const written = await send(pool, write.method, itemPath(target, write.id), write.headers, write.body);
      if (!checkRest(written.status, state)) return false;
      keepWritten(written.text, state);
      return true;
    }
    case 5:
      return getAll(state.nextIds(REPRESENTATIONS).map((id) => itemPath(target, id)));
    case 6: {
      const res = await send(pool, 'POST', collectionPath(target), JSON_HEADERS, createBody(state));
      return checkRest(res.status, state);
    }
    case 7: {
      if (!(await getAll([pagePath(target, RELATED_PAGE_SIZE)]))) return false;
      return getAll(state.engagementIds.map((e) => engagementPath(target, e)));
    }
  }
}
