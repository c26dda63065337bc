/**
 * The security corpus through the two federation routers of test/helpers/routers.ts
 * (@apollo/gateway and Hive Gateway), with our running gateway and the example accounts subgraph
 * behind them and a recording proxy between the routers and our subgraph (so a test can say what
 * a router actually sent us).
 *
 * - Benign: every client operation passes both routers untouched, with the same data our gateway
 *   answers directly and the same number of Partner API calls. Entries that are not client
 *   operations for a router (`_entities`, `_service`, introspection of the subgraph) are each
 *   replaced, visibly, by what a router does instead.
 * - Hostile: the client gets errors and nothing reaches the Partner API. Routers answer 200 with
 *   errors, so no 4xx is required. Where a router legitimately absorbs a hostile operation
 *   (answers it itself, or rewrites it into a small one before sending it to us), the entry is a
 *   named exception below, with the reason, and the test asserts what our subgraph received was
 *   within its limits instead.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import {
  type DocumentNode,
  type FieldNode,
  type GraphQLFormattedError,
  getIntrospectionQuery,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
} from 'graphql';
import {
  ACCOUNTS_SDL,
  type Account,
  startAccountsSubgraph,
} from '../../supergraph/accounts/accountsSubgraph.ts';
import { report } from '../helpers/report.ts';
import {
  ROUTER_NAMES,
  type RouterName,
  type RouterResponse,
  type Routers,
  startRouters,
} from '../helpers/routers.ts';
import { type Stack, startStack, TEST_TOKEN } from '../helpers/stack.ts';
import { type CorpusEntry, ensureReferrals, loadCorpus, requestBody } from './corpus.ts';

// ---------------------------------------------------------------------------------------------
// What a router does with a hostile entry it does not refuse.
// ---------------------------------------------------------------------------------------------

interface Absorbed {
  /** Why the client gets data rather than errors, and why that is not a hole in our subgraph. */
  readonly reason: string;
  /** At most this many requests reach our subgraph (each must be answered without errors). */
  readonly subgraphRequests: number;
  /** At most this many Partner API calls, all GETs (nothing written). */
  readonly upstreamCalls: number;
}

/** The router answers the whole operation itself; nothing reaches our subgraph. */
function answeredByRouter(reason: string): Absorbed {
  return { reason, subgraphRequests: 0, upstreamCalls: 0 };
}

/**
 * The router's query planner rewrites the operation before sending it (inline fragments on the
 * same type flattened, named fragments inlined, identical fields merged, constant @skip/@include
 * applied), so we receive one small, ordinary operation and answer it. At most one Partner API
 * GET (a `referral(id: "x")` lookup or one list page).
 */
function normalizedByPlanner(reason: string): Absorbed {
  return { reason, subgraphRequests: 1, upstreamCalls: 1 };
}

const ROUTER_ANSWERS_TYPENAME = 'only __typename fields: the router answers them without a subgraph';
const ROUTER_INTROSPECTION =
  "introspection of the router's own API schema, answered by the router (its introspection depth rule lets a linear ofType chain through)";

const ABSORBED: Record<RouterName, Readonly<Record<string, Absorbed>>> = {
  apollo: {
    '01-depth-inline-fragments': normalizedByPlanner(
      'same-type inline fragments flattened: we receive referral(id: "x") { id }',
    ),
    '02-depth-nested-types': normalizedByPlanner(
      'same-type inline fragments flattened: we receive a 7-level referrals(first: 1) page',
    ),
    '03-depth-mutation-union': normalizedByPlanner(
      'same-type inline fragments flattened: we receive a 7-level updateReferral(id: "x"), which finds no referral (one GET, no write)',
    ),
    '05-depth-fragment-chain': normalizedByPlanner(
      'fragment chain inlined: we receive referral(id: "x") { id }',
    ),
    '06-depth-schema-named-operation': normalizedByPlanner(
      'same-type inline fragments flattened: we receive referral(id: "x") { id }',
    ),
    '07-depth-schema-named-fragment': normalizedByPlanner(
      'fragment and same-type inline fragments flattened: we receive referral(id: "x") { id }',
    ),
    '08-depth-untyped-inline': normalizedByPlanner(
      'untyped inline fragments flattened: we receive referral(id: "x") { id }',
    ),
    '12-alias-flood-in-fragments': normalizedByPlanner(
      'the 16 copies of the fragment merged: we receive 4 aliases (a1..a4) on referral(id: "x")',
    ),
    '13-alias-flood-typename': answeredByRouter(ROUTER_ANSWERS_TYPENAME),
    '15-field-duplication-cost': normalizedByPlanner(
      'the 600 duplicated fields merged: we receive referrals(first: 100) { edges { node { name } } }',
    ),
    '17-directive-flood-skip': normalizedByPlanner(
      'the 25 identical `... @skip(if: false) { id }` merged into one: 1 directive',
    ),
    '24-introspection-oftype-chain': answeredByRouter(ROUTER_INTROSPECTION),
    '25-introspection-type-deep': answeredByRouter(ROUTER_INTROSPECTION),
    '29-fragment-explosion': normalizedByPlanner(
      'the 2^15 fragment expansions merged: we receive referrals(first: 1) { edges { node { id name } } }',
    ),
    '30-fragment-explosion-wide': normalizedByPlanner(
      'the 16 fragment paths merged: we receive 6 aliases and 4 directives on referral(id: "x")',
    ),
    '31-long-operation-name': answeredByRouter(
      `${ROUTER_ANSWERS_TYPENAME} (@apollo/server's standalone server has no 1 MiB body limit like ours)`,
    ),
    '35-many-operations': answeredByRouter(`${ROUTER_ANSWERS_TYPENAME} (the router has no token limit)`),
  },
  hive: {
    '11-alias-flood-mutation': {
      reason:
        'mutation root fields run in series, so the router sends each of the 20 aliased updateReferral fields to us as its own request; each has one field, within every limit, and finds no referral (one GET each, no write)',
      subgraphRequests: 20,
      upstreamCalls: 20,
    },
    '13-alias-flood-typename': answeredByRouter(ROUTER_ANSWERS_TYPENAME),
    '15-field-duplication-cost': normalizedByPlanner(
      'the 600 duplicated fields merged: we receive referrals(first: $first) { edges { node { name } } }',
    ),
    '24-introspection-oftype-chain': answeredByRouter(ROUTER_INTROSPECTION),
    '25-introspection-type-deep': answeredByRouter(ROUTER_INTROSPECTION),
    '31-long-operation-name': answeredByRouter(`${ROUTER_ANSWERS_TYPENAME} (the router has no body limit)`),
    '35-many-operations': answeredByRouter(`${ROUTER_ANSWERS_TYPENAME} (the router has no token limit)`),
  },
};

/**
 * @apollo/gateway 2.14 answers introspection from @apollo/federation-internals' own `__Type`,
 * which has no `isOneOf`; graphql-js 16.9+ `getIntrospectionQuery({ oneOf: true })` (Apollo
 * Sandbox's query, benign 12) asks for it, and the gateway answers 500 INVALID_GRAPHQL. A router
 * limitation: the same query without `isOneOf` is asserted to work instead.
 */
const APOLLO_NO_IS_ONE_OF = /Cannot query field "isOneOf" on type "__Type"/;

/** graphql-js getIntrospectionQuery with every option on (benign 12 is its output). */
const ALL_INTROSPECTION = {
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
} as const;

// ---------------------------------------------------------------------------------------------
// Recording proxy between the routers and our subgraph.
// ---------------------------------------------------------------------------------------------

interface SubgraphExchange {
  readonly request: { query?: string; variables?: Record<string, unknown> } | undefined;
  readonly status: number;
  readonly response: { data?: unknown; errors?: GraphQLFormattedError[] } | undefined;
}

interface RecordingProxy {
  readonly url: string;
  readonly exchanges: SubgraphExchange[];
  close(): Promise<void>;
}

function parseJson<T>(buffer: Buffer): T | undefined {
  try {
    return JSON.parse(buffer.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

async function startRecordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetUrl);
  const exchanges: SubgraphExchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const answerBody = Buffer.concat(answerChunks);
            exchanges.push({
              request: parseJson(body),
              status: answer.statusCode ?? 0,
              response: parseJson(answerBody),
            });
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(answerBody);
          });
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The corpus, sorted by what a router can do with it.
// ---------------------------------------------------------------------------------------------

type EntryKind = 'client' | 'entities' | 'service' | 'introspection';

function rootFields(document: DocumentNode): FieldNode[] {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  return (operation?.selectionSet.selections ?? []).filter(
    (selection): selection is FieldNode => selection.kind === Kind.FIELD,
  );
}

function kindOf(entry: CorpusEntry): EntryKind {
  const names = rootFields(parse(entry.query)).map((field) => field.name.value);
  if (names.includes('_entities')) return 'entities';
  if (names.includes('_service')) return 'service';
  if (names.some((name) => name === '__schema' || name === '__type')) return 'introspection';
  return 'client';
}

function isMutation(entry: CorpusEntry): boolean {
  return parse(entry.query).definitions.some(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'mutation',
  );
}

const benign = loadCorpus('benign');
const hostile = loadCorpus('hostile');
const byKind = (kind: EntryKind) =>
  benign.filter((entry) => kindOf(entry) === kind).map((entry) => [entry.name, entry] as const);
const clientEntries = byKind('client');
const entitiesEntries = byKind('entities');
const serviceEntries = byKind('service');
const introspectionEntries = byKind('introspection');

// ---------------------------------------------------------------------------------------------
// One stack, accounts subgraph, proxy and pair of routers for the file.
// ---------------------------------------------------------------------------------------------

let stack: Stack;
let accounts: Awaited<ReturnType<typeof startAccountsSubgraph>>;
let proxy: RecordingProxy;
let routers: Routers;
/** Accounts the accounts subgraph serves: one per `_entities` entry, holding its referral ids. */
const accountList: Account[] = [];
/** The body of each `_entities` entry, built once (its referral ids are its account's). */
const entitiesBodies = new Map<string, string>();

beforeAll(async () => {
  stack = await startStack();
  // 100 distinct referrals, for the 100-representation entry and a true 100-item page.
  ensureReferrals(stack.emulator, 100);
  for (const [name, entry] of entitiesEntries) {
    const body = requestBody(entry, stack.emulator);
    const ids = representationIds(body);
    entitiesBodies.set(name, body);
    accountList.push({ id: `account-${name}`, name: `Holds ${ids.length} referrals`, referralIds: ids });
  }
  accounts = await startAccountsSubgraph({ accounts: accountList, sellerOf: () => null });
  proxy = await startRecordingProxy(stack.gateway.url);
  routers = await startRouters(stack, accounts, { referralsUrl: proxy.url });
});
afterAll(async () => {
  await routers?.stop();
  await proxy?.close();
  await accounts?.stop();
  await stack?.close();
});
beforeEach(() => {
  stack.emulator.clearRequests();
  proxy.exchanges.length = 0;
});

function representationIds(body: string): string[] {
  const { variables } = JSON.parse(body) as { variables: { representations: { id: string }[] } };
  return variables.representations.map((representation) => representation.id);
}

interface Answer {
  status: number;
  body: RouterResponse['body'];
}

async function direct(body: string): Promise<Answer> {
  const res = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
    body,
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

async function viaRouter(name: RouterName, body: string | object): Promise<Answer> {
  const res = await routers[name].post(body, { authorization: TEST_TOKEN });
  return { status: res.status, body: res.body };
}

/**
 * Puts every referral back as it was (the store gives each a fresh eTag), so a mutation sent
 * directly and then through a router starts from the same state.
 */
function restore(snapshot: Record<string, unknown>[]): void {
  for (const referral of snapshot) stack.emulator.putReferral(referral);
}

/** eTags are fresh random tokens on every write: compared as "a string", everything else exactly. */
function withoutEtags(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEtags);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) =>
        /^(etag|currentEtag)$/.test(key) && typeof v === 'string' ? [key, '<etag>'] : [key, withoutEtags(v)],
      ),
    );
  }
  return value;
}

function namedTypes(answer: Answer): Set<string> {
  const schema = answer.body.data?.__schema as { types: { name: string }[] };
  return new Set(schema.types.map((type) => type.name));
}

/** Types only a subgraph has (federation's entry points and link/federation imports). */
function isSubgraphOnlyType(name: string): boolean {
  return /^(_Any|_Entity|_Service|FieldSet|link__.*|federation__.*)$/.test(name);
}

function fieldsOf(sdl: string, typeName: string): string[] {
  return parse(sdl).definitions.flatMap((definition) =>
    (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) &&
    definition.name.value === typeName
      ? (definition.fields ?? []).map((field) => field.name.value)
      : [],
  );
}

// ---------------------------------------------------------------------------------------------
// Tallies for the summary line.
// ---------------------------------------------------------------------------------------------

const tally = {
  benignMatched: 0,
  benignReplaced: 0,
  hostileRefusedByRouter: 0,
  hostileRefusedBySubgraph: 0,
  absorbed: [] as string[],
  upstreamCallsByHostile: 0,
};
afterAll(() => {
  report(
    'routers',
    `benign: ${tally.benignMatched} client operations matched direct answers, ${tally.benignReplaced} subgraph-only entries checked by their router-side equivalent; ` +
      `hostile: ${tally.hostileRefusedByRouter} refused by the router, ${tally.hostileRefusedBySubgraph} refused by our subgraph, ` +
      `${tally.absorbed.length} absorbed (${tally.absorbed.join(', ')}), ${tally.upstreamCallsByHostile} Partner API calls (all absorbed GETs)`,
  );
});

test('every corpus entry is covered: none dropped, every exception names a hostile entry', () => {
  expect(
    clientEntries.length + entitiesEntries.length + serviceEntries.length + introspectionEntries.length,
  ).toBe(benign.length);
  // The router-side `_entities` equivalents: accounts of 20 and of 100 distinct referrals.
  expect(accountList.map((account) => new Set(account.referralIds).size).sort((a, b) => a - b)).toEqual([
    20, 100,
  ]);
  for (const name of ROUTER_NAMES) {
    for (const entry of Object.keys(ABSORBED[name])) expect(hostile.map((e) => e.name)).toContain(entry);
  }
});

describe.each(ROUTER_NAMES)('benign corpus through %s', (name: RouterName) => {
  test.each(clientEntries)(
    '%s: 200, no errors, the same data and Partner API calls as direct',
    async (_n, entry) => {
      const mutation = isMutation(entry);
      const snapshot = mutation ? stack.emulator.listReferrals() : [];
      const body = requestBody(entry, stack.emulator);
      const expected = await direct(body);
      expect(expected.status).toBe(200);
      expect(expected.body.errors).toBeUndefined();
      const directCalls = stack.emulator.requests.length;
      stack.emulator.clearRequests();

      if (mutation) restore(snapshot);
      const answer = await viaRouter(name, mutation ? requestBody(entry, stack.emulator) : body);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      if (mutation) expect(withoutEtags(answer.body.data)).toEqual(withoutEtags(expected.body.data));
      else expect(answer.body.data).toEqual(expected.body.data);
      expect(stack.emulator.requests).toHaveLength(directCalls);
      tally.benignMatched += 1;
    },
  );

  // `_entities` is what a router sends us, not what a client sends a router (it is not in the
  // supergraph's API schema). Its router-side equivalent: an account of the accounts subgraph
  // holding the entry's referral ids, its `openReferrals` resolved by us with the entry's fields.
  test.each(entitiesEntries)(
    '%s (subgraph-only): an account’s openReferrals resolve every referral through the router, one GET per id',
    async (entryName, entry) => {
      const body = entitiesBodies.get(entryName) as string;
      const ids = representationIds(body);
      expect(new Set(ids).size).toBe(ids.length);
      const expected = await direct(body);
      expect(expected.body.errors).toBeUndefined();
      stack.emulator.clearRequests();

      const entities = rootFields(parse(entry.query)).find((field) => field.name.value === '_entities');
      const selection = print(entities?.selectionSet as NonNullable<FieldNode['selectionSet']>);
      const answer = await viaRouter(name, {
        query: `query OpenReferrals($id: ID!) { account(id: $id) { openReferrals ${selection} } }`,
        variables: { id: `account-${entryName}` },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      const open = (answer.body.data as { account: { openReferrals: ({ id: string } | null)[] } }).account
        .openReferrals;
      expect(open.map((referral) => referral?.id)).toEqual(ids);
      expect(open).toEqual((expected.body.data as { _entities: unknown[] })._entities);

      const calls = stack.emulator.requests;
      expect(calls.every((call) => call.method === 'GET')).toBe(true);
      expect(calls.map((call) => call.path).sort()).toEqual(
        ids.map((id) => `/v1.0/engagements/referrals/${id}`).sort(),
      );
      // What the router sent us: one `_entities` request with every representation, within our limits.
      const sent = proxy.exchanges.filter((exchange) => exchange.request?.query?.includes('_entities'));
      expect(sent).toHaveLength(1);
      expect(sent[0]?.status).toBe(200);
      expect(sent[0]?.response?.errors).toBeUndefined();
      expect(Object.values(sent[0]?.request?.variables ?? {})).toEqual([
        ids.map((id) => ({ __typename: 'Referral', id })),
      ]);
      tally.benignReplaced += 1;
    },
  );

  // `_service { sdl }` is how a router learns our schema (here it comes composed in the
  // supergraph, so the routers never ask). A client cannot ask a router for it; the equivalent:
  // every root field of the SDL we serve is in the router's API.
  test.each(serviceEntries)(
    '%s (subgraph-only): refused by the router itself; our SDL’s root fields are in its API',
    async (_n, entry) => {
      const body = requestBody(entry, stack.emulator);
      const expected = await direct(body);
      const sdl = (expected.body.data as { _service: { sdl: string } })._service.sdl;
      stack.emulator.clearRequests();
      proxy.exchanges.length = 0;

      const refused = await viaRouter(name, body);
      expect(refused.body.errors?.[0]?.message).toMatch(/Cannot query field "_service"/);
      expect(proxy.exchanges).toHaveLength(0);

      for (const root of ['Query', 'Mutation']) {
        const ours = fieldsOf(sdl, root).filter((field) => !field.startsWith('_'));
        expect(ours.length).toBeGreaterThan(0);
        const answer = await viaRouter(name, { query: `{ __type(name: "${root}") { fields { name } } }` });
        expect(answer.body.errors).toBeUndefined();
        const theirs = (answer.body.data as { __type: { fields: { name: string }[] } }).__type.fields.map(
          (f) => f.name,
        );
        expect(theirs).toEqual(expect.arrayContaining(ours));
      }
      expect(stack.emulator.requests).toHaveLength(0);
      tally.benignReplaced += 1;
    },
  );

  // Introspection through a router describes the router's own API schema (ours plus the accounts
  // subgraph's, minus federation's entry points), answered without asking us: asserted to be a
  // superset of what we answer directly, not equal to it.
  test.each(introspectionEntries)(
    '%s (subgraph introspection): the router answers its own schema, which holds ours',
    async (_n, entry) => {
      const body = requestBody(entry, stack.emulator);
      const expected = await direct(body);
      expect(expected.body.errors).toBeUndefined();
      proxy.exchanges.length = 0;

      let answer = await viaRouter(name, body);
      if (name === 'apollo' && entry.query.includes('isOneOf')) {
        // Router limitation (see APOLLO_NO_IS_ONE_OF): asserted as is, then without isOneOf.
        expect(answer.status).toBe(500);
        expect(answer.body.errors?.[0]?.message).toMatch(APOLLO_NO_IS_ONE_OF);
        expect(answer.body.errors?.[0]?.extensions?.code).toBe('INVALID_GRAPHQL');
        answer = await viaRouter(name, {
          query: getIntrospectionQuery({ ...ALL_INTROSPECTION, oneOf: false }),
        });
      }
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      if (expected.body.data?.__schema) {
        const theirs = namedTypes(answer);
        const ours = [...namedTypes(expected)].filter((type) => !isSubgraphOnlyType(type));
        expect([...theirs]).toEqual(expect.arrayContaining(ours));
      } else {
        type TypeAnswer = { __type: { name: string; fields: { name: string }[] } };
        const ours = (expected.body.data as TypeAnswer).__type;
        const theirs = (answer.body.data as TypeAnswer).__type;
        expect(theirs.name).toBe(ours.name);
        // Our fields exactly as we describe them, plus the accounts subgraph's on the same type.
        expect(theirs.fields).toEqual(expect.arrayContaining(ours.fields));
        const extra = theirs.fields.map((f) => f.name).filter((f) => !ours.fields.some((o) => o.name === f));
        expect(extra.sort()).toEqual(
          fieldsOf(ACCOUNTS_SDL, ours.name)
            .filter((f) => !ours.fields.some((o) => o.name === f))
            .sort(),
        );
      }
      expect(proxy.exchanges).toHaveLength(0);
      tally.benignReplaced += 1;
    },
  );
});

describe.each(ROUTER_NAMES)('hostile corpus through %s', (name: RouterName) => {
  const refused = hostile.filter((entry) => !(entry.name in ABSORBED[name]));
  const absorbed = hostile.filter((entry) => entry.name in ABSORBED[name]);

  test.each(refused.map((entry) => [entry.name, entry] as const))(
    '%s: the client gets errors, the Partner API no request',
    async (_n, entry) => {
      const answer = await viaRouter(name, requestBody(entry, stack.emulator));
      expect(answer.body.errors?.length).toBeGreaterThan(0);
      expect(stack.emulator.requests).toHaveLength(0);
      // Refused by the router, or by our subgraph: whatever reached us was answered 4xx.
      for (const exchange of proxy.exchanges) {
        expect(exchange.status).toBeGreaterThanOrEqual(400);
        expect(exchange.status).toBeLessThan(500);
      }
      if (proxy.exchanges.length === 0) tally.hostileRefusedByRouter += 1;
      else tally.hostileRefusedBySubgraph += 1;
    },
  );

  test.each(absorbed.map((entry) => [entry.name, entry, ABSORBED[name][entry.name] as Absorbed] as const))(
    '%s: absorbed by the router (named exception); what reached us was within our limits',
    async (_n, entry, expected) => {
      const answer = await viaRouter(name, requestBody(entry, stack.emulator));
      // Still absorbed: if a router starts refusing this entry, drop the exception.
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data).toEqual(expect.any(Object));

      expect(proxy.exchanges).toHaveLength(expected.subgraphRequests);
      for (const exchange of proxy.exchanges) {
        expect(exchange.status).toBe(200);
        expect(exchange.response?.errors).toBeUndefined();
      }
      const calls = stack.emulator.requests;
      expect(calls.length).toBeLessThanOrEqual(expected.upstreamCalls);
      expect(calls.filter((call) => call.method !== 'GET')).toEqual([]);
      tally.upstreamCallsByHostile += calls.length;
      tally.absorbed.push(`${name} ${entry.name}`);
    },
  );
});
