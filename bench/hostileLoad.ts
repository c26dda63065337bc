/**
 * `npm run bench:hostile`: does a hostile client hurt everyone else? For each contestant gateway
 * (a git checkout), one after the other, each in a fresh process in front of its own fresh
 * emulator process:
 *   phase 1 (baseline): an open-loop stream of ordinary queries at a fixed rate, alone;
 *   phase 2 (hostile): the same stream while HOSTILE_CONCURRENCY closed-loop clients send
 *   worst-case requests (see `hostileRequests`) as fast as they are answered.
 * In both phases it records the ordinary queries' latency (from each one's due time) and
 * failures, GET /health every 100 ms (does the event loop stay responsive?), the gateway's RSS
 * every 100 ms and its VmHWM, its CPU time, and the requests the emulator received. Prints the
 * tables and writes them to bench/HOSTILE.md.
 *
 * Env:
 *   HOSTILE_CONTESTANTS   comma list (before,after): `before` = HOSTILE_BASELINE, `after` = this
 *                         checkout as it is on disk, `label=/dir` = any other checkout
 *   HOSTILE_BASELINE      commit run as `before` (4b16c25)
 *   HOSTILE_BEFORE_DIR    an existing checkout of it with its own node_modules (e.g. /tmp/before);
 *                         default: a worktree under .bench-baseline/ sharing this node_modules
 *   HOSTILE_SECONDS       length of each phase (10; 2 for a smoke run)
 *   HOSTILE_WARMUP        seconds of ordinary queries before phase 1, not recorded (1)
 *   HOSTILE_NORMAL_RATE   ordinary queries per second (50)
 *   HOSTILE_CONCURRENCY   hostile clients in phase 2 (20)
 *   HOSTILE_TIMEOUT_MS    client-side deadline of one hostile request (30000)
 *   HOSTILE_NOTES_CHARS   length of the notes planted in one referral (500000)
 *   HOSTILE_TEAM_MEMBERS  team members of the hostile mutation (70000; fewer when the body
 *                         would pass HOSTILE_MAX_BODY_BYTES, 1048576 = the gateway's default
 *                         MAX_REQUEST_BYTES, so it is refused for what it holds, not its size)
 *   HOSTILE_PIN           1: gateway on CPU 1, emulator and this load generator on CPU 0 (1)
 *   HOSTILE_OUT           report file (bench/HOSTILE.md); `-` writes none, for smoke runs
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { encodeQueryValue } from '../src/emulator/listPage.ts';
import { EXAMPLE_OPERATION } from '../src/server/exampleOperation.ts';
import { ALL_REFERRAL_FIELDS, MEMBER_FRAGMENT } from '../test/helpers/selections.ts';
import {
  baselineWorktree,
  type Child,
  Children,
  cpuTicks,
  envNumber,
  fmt,
  freePort,
  git,
  machine,
  percentile,
  pin,
  procStatusKb,
  procTicks,
  ROOT,
  startFlags,
  waitFor,
} from './harness.ts';
import { AUTHORIZATION, BenchState } from './state.ts';

const env = process.env;
const BASELINE = env.HOSTILE_BASELINE || '4b16c25';
const SECONDS = Math.max(1, envNumber('HOSTILE_SECONDS', 10));
const WARMUP = envNumber('HOSTILE_WARMUP', 1);
const NORMAL_RATE = Math.max(1, envNumber('HOSTILE_NORMAL_RATE', 50));
const CONCURRENCY = Math.max(1, Math.round(envNumber('HOSTILE_CONCURRENCY', 20)));
const TIMEOUT_MS = Math.max(1000, envNumber('HOSTILE_TIMEOUT_MS', 30_000));
const NOTES_CHARS = Math.round(envNumber('HOSTILE_NOTES_CHARS', 500_000));
const TEAM_MEMBERS = Math.round(envNumber('HOSTILE_TEAM_MEMBERS', 70_000));
const MAX_BODY_BYTES = Math.round(envNumber('HOSTILE_MAX_BODY_BYTES', 1024 * 1024));
const PIN = env.HOSTILE_PIN !== '0';
const OUT = env.HOSTILE_OUT || join(ROOT, 'bench/HOSTILE.md');
/** An ordinary query slower than this has failed: the stream must not wait for ever on a stuck gateway. */
const NORMAL_TIMEOUT_MS = 10_000;
const HEALTH_EVERY_MS = 100;
/** As long as a hostile request may take: a shorter deadline would cap the stall /health shows. */
const HEALTH_TIMEOUT_MS = TIMEOUT_MS;
/** A Kubernetes probe's default timeoutSeconds: a /health answer slower than this fails the probe. */
const PROBE_BUDGET_MS = 1000;
/** `_entities` fields per hostile document: 15 aliased (the default MAX_ALIASES) and one not. */
const ENTITY_FIELDS = 16;
const REPRESENTATIONS = 500;
const PAGE_ALIASES = 15;

const children = new Children();
const log = (s: string) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------- contestants

interface Contestant {
  readonly label: string;
  readonly dir: string;
  /** What it is, for the report. */
  readonly describe: string;
}

function contestants(): Contestant[] {
  const names = (env.HOSTILE_CONTESTANTS ?? 'before,after').split(',').map((n) => n.trim());
  return names.filter((n) => n !== '').map(contestantNamed);
}

function contestantNamed(name: string): Contestant {
  if (name === 'after') return { label: 'after', dir: ROOT, describe: describeCheckout(ROOT) };
  if (name === 'before') {
    const dir = env.HOSTILE_BEFORE_DIR ? resolve(env.HOSTILE_BEFORE_DIR) : baselineWorktree(BASELINE);
    const wanted = git(['rev-parse', `${BASELINE}^{commit}`]);
    // A reused checkout may have moved on; say so rather than report the wrong commit's figures.
    if (wanted !== undefined && git(['rev-parse', 'HEAD'], dir) !== wanted)
      log(`bench: warning: ${dir} is not at ${BASELINE}`);
    return { label: 'before', dir, describe: describeCheckout(dir) };
  }
  const at = name.indexOf('=');
  if (at <= 0) throw new Error(`HOSTILE_CONTESTANTS: "${name}" is not before, after or label=/checkout`);
  const dir = resolve(name.slice(at + 1));
  return { label: name.slice(0, at), dir, describe: describeCheckout(dir) };
}

/** "commit abc1234 at /dir", plus a warning when its src/ has uncommitted changes. */
function describeCheckout(dir: string): string {
  const commit = git(['rev-parse', '--short', 'HEAD'], dir);
  const dirty = git(['status', '--porcelain', '--', 'src'], dir);
  const what = commit ? `commit ${commit}` : 'not a git checkout';
  return `${what} at \`${dir}\`${dirty ? ' (src/ with uncommitted changes)' : ''}`;
}

// ---------------------------------------------------------------- processes

interface Upstream {
  readonly child: Child;
  /** `http://127.0.0.1:PORT/v1.0` */
  readonly url: string;
  /** The emulator's request counter (bench/emulatorWithDelay.ts). */
  readonly control: string;
}

/**
 * The emulator of this checkout, whoever the contestant: every gateway must face the same upstream.
 * bench/emulatorWithDelay.ts counts the requests it receives, so no counting proxy (and no extra
 * hop in every latency) is needed.
 */
async function startUpstream(): Promise<Upstream> {
  const child = children.start('emulator', 'bench/emulatorWithDelay.ts', {
    env: { EMULATOR_PORT: '0', BENCH_CONTROL_PORT: '0' },
  });
  let info: { url: string; control: string } | undefined;
  await waitFor('emulator', async () => {
    const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
    if (line) info = JSON.parse(line) as { url: string; control: string };
    return info !== undefined;
  });
  if (!info) throw new Error('bench: the emulator named no URL');
  if (PIN) pin(child.proc.pid, 0);
  return { child, url: info.url, control: info.control };
}

async function upstreamCount(upstream: Upstream): Promise<number | undefined> {
  try {
    const res = await fetch(`${upstream.control}/__bench/count`);
    return ((await res.json()) as { count: number }).count;
  } catch {
    return undefined;
  }
}

async function resetUpstreamCount(upstream: Upstream): Promise<void> {
  await fetch(`${upstream.control}/__bench/reset`, { method: 'POST' });
}

interface Gateway {
  readonly child: Child;
  readonly origin: string;
  /** How it was started, for the report. */
  readonly command: string;
  /** Its log lines (LOG_LEVEL=warn) grouped by what they say, with how many of each. */
  readonly log: Map<string, number>;
}

/** The contestant's `src/main.ts`, started with its own `npm start` flags, so we measure what ships. */
async function startGateway(contestant: Contestant, upstreamUrl: string): Promise<Gateway> {
  const port = await freePort();
  const flags = startFlags(contestant.dir);
  const log = new Map<string, number>();
  const child = children.start(`gateway ${contestant.label}`, 'src/main.ts', {
    env: { PORT: String(port), HOST: '127.0.0.1', PARTNER_API_URL: upstreamUrl, LOG_LEVEL: 'warn' },
    nodeArgs: flags,
    cwd: contestant.dir,
    onLine: (line) => {
      if (line.trim() !== '') count(log, logKey(line));
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(`gateway ${contestant.label}`, async () => {
    const res = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"query":"{ __typename }"}',
    });
    return res.status === 200;
  });
  if (PIN) pin(child.proc.pid, 1);
  return { child, origin, command: ['node', ...flags, 'src/main.ts'].join(' '), log };
}

/**
 * What a log line says, without what varies per request (ids, times): pino's `msg` with the
 * error `code`/`status` and the error's type and message; any other line (a crash) as it is.
 */
function logKey(line: string): string {
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const err = (entry.err ?? {}) as { type?: string; message?: string };
    const detail = [entry.code, entry.status, entry.upstreamCode, err.type, err.message?.slice(0, 120)]
      .filter((v) => v !== undefined && v !== '')
      .join(', ');
    return `${String(entry.msg ?? '?')}${detail ? ` (${detail})` : ''}`;
  } catch {
    return line.slice(0, 200);
  }
}

// ---------------------------------------------------------------- seed

const JSON_HEADERS = { 'content-type': 'application/json', authorization: AUTHORIZATION };

interface Seed {
  /** Every referral but the one with the long notes: ordinary traffic never reads those. */
  readonly ordinary: readonly { id: string; eTag: string }[];
  readonly notesId: string;
  readonly notesEtag: string;
}

/**
 * Gives the oldest seeded referral `details.notes` of NOTES_CHARS characters, with a PUT straight
 * to the emulator. The oldest sorts last, so the first pages the ordinary stream lists stay as
 * small as they were; only hostile requests ask for it.
 */
async function plantLongNotes(upstreamUrl: string): Promise<Seed> {
  const listing = await fetch(`${upstreamUrl}/engagements/referrals?$top=100`, {
    headers: { authorization: AUTHORIZATION },
  });
  const all = ((await listing.json()) as { value: { id: string; eTag: string }[] }).value;
  const target = all.at(-1);
  if (!target) throw new Error('bench: the emulator holds no referrals');
  const item = `${upstreamUrl}/engagements/referrals/${encodeURIComponent(target.id)}`;
  const read = await fetch(item, { headers: { authorization: AUTHORIZATION } });
  // A PUT carries the referral as read, minus the response-only metadata.
  const {
    links: _links,
    '@odata.context': _context,
    ...referral
  } = (await read.json()) as Record<string, unknown>;
  const details = typeof referral.details === 'object' && referral.details !== null ? referral.details : {};
  referral.details = { ...details, notes: longText(NOTES_CHARS) };
  const put = await fetch(item, {
    method: 'PUT',
    headers: { ...JSON_HEADERS, 'if-match': String(referral.eTag) },
    body: JSON.stringify(referral),
  });
  if (put.status !== 200)
    throw new Error(`bench: planting the long notes: PUT answered ${put.status} ${await put.text()}`);
  const written = (await put.json()) as { eTag: string };
  return { ordinary: all.slice(0, -1), notesId: target.id, notesEtag: written.eTag };
}

/** Plain ASCII prose, so characters and bytes agree and the body stays under the emulator's 1 MiB. */
function longText(chars: number): string {
  const sentence = 'The customer asked for a callback about the renewal of their licences. ';
  return sentence.repeat(Math.ceil(chars / sentence.length)).slice(0, chars);
}

// ---------------------------------------------------------------- requests

interface PreparedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

interface Exchange {
  /**
   * The HTTP status, with the first error's `extensions.code` when the answer carries `errors`
   * (`200`, `200 UNAUTHENTICATED`, `400 GRAPHQL_VALIDATION_FAILED`), or what went wrong instead:
   * timeout, refused, reset, or an error code.
   */
  readonly outcome: string;
  readonly bytes: number;
}

/**
 * How much of an answer is kept to find its errors: Apollo writes `errors` before `data`, so the
 * head of even a 20 MB answer tells, without the load generator holding or parsing it all.
 */
const HEAD_CHARS = 4096;

/** One request, its whole answer read (a hostile client reads what it asked for), within `timeoutMs`. */
async function exchange(pool: Pool, request: PreparedRequest, timeoutMs: number): Promise<Exchange> {
  try {
    const res = await pool.request({
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body ?? null,
      signal: AbortSignal.timeout(timeoutMs),
    });
    let bytes = 0;
    let head = '';
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (head.length < HEAD_CHARS) head += chunk.toString('utf8', 0, HEAD_CHARS - head.length);
    }
    return { outcome: outcomeOf(res.statusCode, head), bytes };
  } catch (error) {
    return { outcome: failureOf(error), bytes: 0 };
  }
}

function outcomeOf(status: number, head: string): string {
  const errorsAt = head.indexOf('"errors":[');
  if (errorsAt < 0) return String(status);
  const code = /"code":"([A-Za-z0-9_]+)"/.exec(head.slice(errorsAt))?.[1];
  return `${status} ${code ?? 'errors'}`;
}

function failureOf(error: unknown): string {
  const e = (error ?? {}) as { name?: string; code?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT')
    return 'timeout';
  if (e.code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timeout';
  const code = e.code ?? e.cause?.code ?? e.name ?? 'error';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'reset';
  return code;
}

const isHttpStatus = (outcome: string) => /^\d{3}\b/.test(outcome);

function count(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

const graphql = (body: unknown, headers: Record<string, string> = JSON_HEADERS): PreparedRequest => ({
  method: 'POST',
  path: '/graphql',
  headers,
  body: JSON.stringify(body),
});

// ---------------------------------------------------------------- ordinary traffic

const ONE_REFERRAL = 'query One($id: ID!) { referral(id: $id) { id name status etag } }';

/** The README's first query (`referrals(first: 5)`) and `referral(id)` with a small selection, in turn. */
function ordinaryRequest(i: number, state: BenchState): PreparedRequest {
  return i % 2 === 0
    ? graphql({ query: EXAMPLE_OPERATION })
    : graphql({ query: ONE_REFERRAL, variables: { id: state.nextId() } });
}

interface NormalStats {
  sent: number;
  ok: number;
  failed: number;
  /** Every operation's latency (ms, from its due time to its answer or failure), sorted. */
  latencies: number[];
  failures: Map<string, number>;
}

/**
 * Open loop at NORMAL_RATE for `seconds`: operation i is due at i / rate s, whatever happened to
 * the ones before, and its latency counts from that due time, so a stalled gateway shows as
 * latency and not as a politely slower client.
 */
async function normalStream(pool: Pool, state: BenchState, seconds: number): Promise<NormalStats> {
  const stats: NormalStats = { sent: 0, ok: 0, failed: 0, latencies: [], failures: new Map() };
  const total = Math.round(NORMAL_RATE * seconds);
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / NORMAL_RATE;
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
    stats.sent++;
    const run = exchange(pool, ordinaryRequest(i, state), NORMAL_TIMEOUT_MS).then((r) => {
      stats.latencies.push(performance.now() - due);
      // A 200 carrying `errors` failed too: the client did not get its data.
      if (r.outcome === '200') stats.ok++;
      else {
        stats.failed++;
        count(stats.failures, r.outcome);
      }
    });
    inflight.push(run);
  }
  await Promise.all(inflight);
  stats.latencies.sort((a, b) => a - b);
  return stats;
}

interface HealthStats {
  probes: number;
  failed: number;
  failures: Map<string, number>;
  /** Sorted, from each probe's due time. */
  latencies: number[];
}

/** GET /health every HEALTH_EVERY_MS until `stop`, each timed from when it was due. */
async function probeHealth(pool: Pool, stop: AbortSignal): Promise<HealthStats> {
  const stats: HealthStats = { probes: 0, failed: 0, failures: new Map(), latencies: [] };
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; !stop.aborted; i++) {
    const due = started + i * HEALTH_EVERY_MS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal: stop }).catch(() => undefined);
    if (stop.aborted) break;
    stats.probes++;
    const probe = { method: 'GET', path: '/health', headers: {} } as const;
    inflight.push(
      exchange(pool, probe, HEALTH_TIMEOUT_MS).then((r) => {
        stats.latencies.push(performance.now() - due);
        if (r.outcome !== '200') {
          stats.failed++;
          count(stats.failures, r.outcome);
        }
      }),
    );
  }
  await Promise.all(inflight);
  stats.latencies.sort((a, b) => a - b);
  return stats;
}

// ---------------------------------------------------------------- hostile traffic

interface HostileRequest {
  readonly kind: string;
  readonly request: PreparedRequest;
}

/** `_entities` ENTITY_FIELDS times, each field with its own list of representations `$r0…`. */
function entitiesDocument(selection: string, fragments = ''): string {
  const variables = Array.from({ length: ENTITY_FIELDS }, (_, k) => `$r${k}: [_Any!]!`).join(', ');
  const fields = Array.from(
    { length: ENTITY_FIELDS },
    (_, k) => `${k === 0 ? '' : `r${k}: `}_entities(representations: $r${k}) { ...E }`,
  ).join(' ');
  return `query Entities(${variables}) { ${fields} } fragment E on _Entity { ... on Referral { ${selection} } } ${fragments}`;
}

function entitiesVariables(idAt: (field: number, index: number) => string): Record<string, unknown> {
  return Object.fromEntries(
    Array.from({ length: ENTITY_FIELDS }, (_, k) => [
      `r${k}`,
      Array.from({ length: REPRESENTATIONS }, (_, i) => ({ __typename: 'Referral', id: idAt(k, i) })),
    ]),
  );
}

const PAGE_FIELDS = Array.from({ length: PAGE_ALIASES }, (_, k) => `p${k}: referrals(first: $n) { ...Page }`);
const PAGES_DOCUMENT = `query Pages($n: Int!) { ${PAGE_FIELDS.join(' ')} }
  fragment Page on ReferralConnection { edges { cursor node { ${ALL_REFERRAL_FIELDS} } } pageInfo { hasNextPage endCursor } }
  ${MEMBER_FRAGMENT}`;

const UPDATE_DOCUMENT = `mutation Update($id: ID!, $etag: String!, $input: UpdateReferralInput!) {
  updateReferral(id: $id, input: $input, etag: $etag) {
    __typename
    ... on ReferralError { message }
    ... on ReferralValidationFailed { fieldErrors { path message code } }
    ... on UpdateReferralSuccess { referral { id etag } }
  }
}`;

/**
 * An update of the long-notes referral, with its current eTag (so nothing short-circuits on a
 * stale one), whose team is as many invalid e-mails as fit under MAX_BODY_BYTES (at most
 * TEAM_MEMBERS): each is one field error to find and to answer.
 */
function teamMutation(seed: Seed): { body: string; members: number } {
  const body = (members: number) =>
    JSON.stringify({
      query: UPDATE_DOCUMENT,
      variables: {
        id: seed.notesId,
        etag: seed.notesEtag,
        input: { team: Array.from({ length: members }, () => ({ email: 'x' })) },
      },
    });
  const base = Buffer.byteLength(body(0));
  const perMember = Buffer.byteLength(body(2)) - Buffer.byteLength(body(1)); // `,{"email":"x"}`
  const members = Math.max(0, Math.min(TEAM_MEMBERS, Math.floor((MAX_BODY_BYTES - base) / perMember)));
  return { body: body(members), members };
}

/**
 * A cursor made by hand in the format of src/graphql/connection.ts at 4b16c25 (`r1:` + base64url
 * JSON {p, s, f}), as anyone who decodes a real cursor can: its page reference asks the upstream
 * for 1,000 items with a long filter nobody was given, and `f` is the hash of "no filter"
 * (`filterKey(undefined)`), which is what the resolver compares it with. Built here rather than
 * with src/'s own code: an attacker has only the format, and src/ may change it.
 */
function forgedCursor(collectionPath: string): string {
  const clause = "(status eq 'Active' and substatus ne 'Pending') or ";
  let filter = "status eq 'New'";
  // Long, but the whole cursor stays under the 4,096 characters decodeCursor accepts.
  while (encodeQueryValue(clause + filter).length < 2400) filter = clause + filter;
  const p = `${collectionPath}?$top=1000&$filter=${encodeQueryValue(filter)}`;
  const f = createHash('sha256').update('').digest('base64url').slice(0, 16);
  return `r1:${Buffer.from(JSON.stringify({ p, s: 0, f })).toString('base64url')}`;
}

const FORGED_DOCUMENT =
  'query Forged($after: String) { referrals(first: 100, after: $after) { edges { cursor node { id name status } } pageInfo { hasNextPage endCursor } } }';

/** The worst-case requests hostile clients send in turn (built once: the load generator must stay cheap). */
function hostileRequests(seed: Seed, upstreamUrl: string): { requests: HostileRequest[]; members: number } {
  const ids = seed.ordinary.map((r) => r.id);
  // Each field starts the cycle at a different id, so no two fields ask for the same list.
  const cycling = entitiesVariables((k, i) => ids[(k * 7 + i) % ids.length] as string);
  const allFields = entitiesDocument(ALL_REFERRAL_FIELDS, MEMBER_FRAGMENT);
  const sameNotes = entitiesVariables(() => seed.notesId);
  const notesOnly = entitiesDocument('id details { notes }');
  const noAuth = { 'content-type': 'application/json' };
  const team = teamMutation(seed);
  const collection = `${new URL(upstreamUrl).pathname}/engagements/referrals`;
  const requests: HostileRequest[] = [
    { kind: 'entities, every field', request: graphql({ query: allFields, variables: cycling }) },
    { kind: 'entities, long notes', request: graphql({ query: notesOnly, variables: sameNotes }) },
    {
      kind: 'entities, every field, no auth',
      request: graphql({ query: allFields, variables: cycling }, noAuth),
    },
    {
      kind: 'entities, long notes, no auth',
      request: graphql({ query: notesOnly, variables: sameNotes }, noAuth),
    },
    { kind: 'pages', request: graphql({ query: PAGES_DOCUMENT, variables: { n: 100 } }) },
    {
      kind: 'team mutation',
      request: { method: 'POST', path: '/graphql', headers: JSON_HEADERS, body: team.body },
    },
    {
      kind: 'forged cursor',
      request: graphql({ query: FORGED_DOCUMENT, variables: { after: forgedCursor(collection) } }),
    },
  ];
  return { requests, members: team.members };
}

interface KindStats {
  sent: number;
  outcomes: Map<string, number>;
  latencies: number[];
  maxBytes: number;
}

/**
 * One closed-loop client: the next request as soon as the last is answered, starting at kind
 * `index` so that every kind is in flight at once.
 */
async function hostileClient(
  index: number,
  pool: Pool,
  requests: readonly HostileRequest[],
  stop: AbortSignal,
  byKind: Map<string, KindStats>,
): Promise<void> {
  for (let n = index; !stop.aborted; n++) {
    const { kind, request } = requests[n % requests.length] as HostileRequest;
    const stats: KindStats = byKind.get(kind) ?? { sent: 0, outcomes: new Map(), latencies: [], maxBytes: 0 };
    byKind.set(kind, stats);
    stats.sent++;
    const t0 = performance.now();
    const r = await exchange(pool, request, TIMEOUT_MS);
    stats.latencies.push(performance.now() - t0);
    count(stats.outcomes, r.outcome);
    stats.maxBytes = Math.max(stats.maxBytes, r.bytes);
    // A dead gateway refuses at once: without a pause the client would spin and starve the others.
    if (!isHttpStatus(r.outcome)) await sleep(100);
  }
}

// ---------------------------------------------------------------- one phase

interface Usage {
  peakRssMb: number;
  /** VmHWM when the phase ended: the process's peak since it started. */
  hwmMb: number;
  /** Gateway CPU, 100 = one core. */
  cpuPct: number;
  /** Busy share of CPU 0, where the emulator and the load generator run: near 100 the floor limits. */
  core0Pct: number;
}

/** Samples the gateway's VmRSS every 100 ms until `stop()`. */
function watchProcess(pid: number): { stop(): Usage } {
  const t0 = performance.now();
  const ticks0 = procTicks(pid);
  const core0 = cpuTicks()[0];
  let peakKb = procStatusKb(pid, 'VmRSS') ?? 0;
  const timer = setInterval(() => {
    peakKb = Math.max(peakKb, procStatusKb(pid, 'VmRSS') ?? 0);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      const ticks1 = procTicks(pid);
      const core1 = cpuTicks()[0];
      return {
        peakRssMb: Math.max(peakKb, procStatusKb(pid, 'VmRSS') ?? 0) / 1024,
        hwmMb: (procStatusKb(pid, 'VmHWM') ?? NaN) / 1024,
        cpuPct: ticks0 !== undefined && ticks1 !== undefined ? (ticks1 - ticks0) / seconds : NaN,
        core0Pct:
          core0 && core1 ? (100 * (core1.busy - core0.busy)) / Math.max(1, core1.total - core0.total) : NaN,
      };
    },
  };
}

interface PhaseResult {
  readonly label: string;
  readonly hostileClients: number;
  readonly normal: NormalStats;
  readonly health: HealthStats;
  readonly byKind: Map<string, KindStats>;
  /** Requests the emulator received from the phase's start until everything sent in it settled. */
  readonly upstream: number | undefined;
  readonly usage: Usage;
  /** This process's own event-loop delay (ms): large values mean the load generator lagged. */
  readonly generatorDelayMaxMs: number;
  /** From the end of the window until every request sent in it had its answer or timed out. */
  readonly drainMs: number;
  /** How the gateway exited, when it did during the phase. */
  readonly gatewayExit: string | undefined;
}

interface Stack {
  readonly gateway: Gateway;
  readonly upstream: Upstream;
  readonly state: BenchState;
  readonly hostile: readonly HostileRequest[];
}

async function runPhase(stack: Stack, label: string, hostileClients: number): Promise<PhaseResult> {
  const { origin, child } = stack.gateway;
  const pid = child.proc.pid as number;
  // A connection for every request that can be in flight at once, so none waits in the client
  // for a free one: a queued request would be timed through stalls that were not its own.
  // Connecting waits for the gateway's event loop too: undici's 10 s connect timeout would cut
  // a stall short of each request's own deadline.
  const normalPool = new Pool(origin, {
    connections: Math.ceil((NORMAL_RATE * NORMAL_TIMEOUT_MS) / 1000) + 1,
    connect: { timeout: NORMAL_TIMEOUT_MS },
  });
  const healthPool = new Pool(origin, {
    connections: Math.ceil(HEALTH_TIMEOUT_MS / HEALTH_EVERY_MS) + 1,
    connect: { timeout: HEALTH_TIMEOUT_MS },
  });
  const hostilePool = new Pool(origin, {
    connections: Math.max(1, hostileClients),
    connect: { timeout: TIMEOUT_MS },
  });
  await resetUpstreamCount(stack.upstream);
  const usage = watchProcess(pid);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const stop = new AbortController();
  const byKind = new Map<string, KindStats>();
  const health = probeHealth(healthPool, stop.signal);
  const hostile = Array.from({ length: hostileClients }, (_, i) =>
    hostileClient(i, hostilePool, stack.hostile, stop.signal, byKind),
  );
  const normal = normalStream(normalPool, stack.state, SECONDS);
  await sleep(SECONDS * 1000);
  stop.abort();
  const windowEnd = performance.now();
  const [normalStats, healthStats] = await Promise.all([normal, health, ...hostile]);
  const drainMs = performance.now() - windowEnd;
  loop.disable();
  const result: PhaseResult = {
    label,
    hostileClients,
    normal: normalStats,
    health: healthStats,
    byKind,
    upstream: await upstreamCount(stack.upstream),
    usage: usage.stop(),
    generatorDelayMaxMs: loop.max / 1e6,
    drainMs,
    gatewayExit: child.exit?.how,
  };
  await Promise.all([normalPool.destroy(), healthPool.destroy(), hostilePool.destroy()]);
  return result;
}

// ---------------------------------------------------------------- one contestant

interface ContestantResult {
  readonly contestant: Contestant;
  readonly phases: PhaseResult[];
  readonly teamMembers: number;
  /** The gateway's command line, once it was started. */
  readonly command?: string;
  /** The gateway's log lines grouped (see `logKey`), with counts. */
  readonly gatewayLog: ReadonlyMap<string, number>;
  readonly error?: string;
}

async function runContestant(contestant: Contestant): Promise<ContestantResult> {
  const phases: PhaseResult[] = [];
  let teamMembers = 0;
  let gateway: Gateway | undefined;
  let upstream: Upstream | undefined;
  try {
    upstream = await startUpstream();
    const seed = await plantLongNotes(upstream.url);
    gateway = await startGateway(contestant, upstream.url);
    const hostile = hostileRequests(seed, upstream.url);
    teamMembers = hostile.members;
    const stack: Stack = {
      gateway,
      upstream,
      state: new BenchState(seed.ordinary),
      hostile: hostile.requests,
    };
    if (WARMUP > 0) {
      const pool = new Pool(gateway.origin, { connections: 64 });
      await normalStream(pool, stack.state, WARMUP);
      await pool.destroy();
    }
    for (const [label, clients] of [
      ['1 ordinary only', 0],
      [`2 ordinary + ${CONCURRENCY} hostile`, CONCURRENCY],
    ] as const) {
      if (gateway.child.exit) break; // nothing left to measure
      const phase = await runPhase(stack, label, clients);
      phases.push(phase);
      log(`bench: ${contestant.label}, phase ${label}:\n${phaseRow(contestant.label, phase)}`);
    }
    return {
      contestant,
      phases,
      teamMembers,
      command: gateway.command,
      gatewayLog: gateway.log,
    };
  } catch (error) {
    log(
      `bench: ${contestant.label} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return {
      contestant,
      phases,
      teamMembers,
      command: gateway?.command,
      gatewayLog: gateway?.log ?? new Map(),
      error: String(error),
    };
  } finally {
    // A fresh pair per contestant: what one gateway did to the emulator must not carry over.
    if (gateway) await children.stop(gateway.child);
    if (upstream) await children.stop(upstream.child);
  }
}

// ---------------------------------------------------------------- report

function histogram(counts: ReadonlyMap<string, number>): string {
  const entries = [...counts].sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([k, n]) => `${k}×${n}`).join(', ') : '–';
}

/** HTTP statuses (error codes left to the table by kind) over every kind. */
function statusHistogram(byKind: ReadonlyMap<string, KindStats>): Map<string, number> {
  const total = new Map<string, number>();
  for (const s of byKind.values()) {
    for (const [outcome, n] of s.outcomes) {
      const status = outcome.split(' ')[0] as string;
      total.set(status, (total.get(status) ?? 0) + n);
    }
  }
  return total;
}

const MAIN_HEADER = [
  '| contestant | phase | ordinary sent / ok / failed | ordinary p50 / p99 / max ms | /health p99 / max ms (probes, > 1 s, failed) | hostile sent | hostile answers | upstream calls | peak RSS MB (VmHWM) | gateway CPU % | core 0 % | drain s |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
];

function phaseRow(label: string, p: PhaseResult): string {
  const n = p.normal;
  const h = p.health;
  const slowProbes = h.latencies.filter((ms) => ms > PROBE_BUDGET_MS).length;
  const hostileSent = [...p.byKind.values()].reduce((a, s) => a + s.sent, 0);
  const died = p.gatewayExit ? ` **gateway exited: ${p.gatewayExit}**` : '';
  return `| ${label} | ${p.label}${died} | ${n.sent} / ${n.ok} / ${n.failed} | ${fmt(percentile(n.latencies, 0.5), 1)} / ${fmt(percentile(n.latencies, 0.99), 1)} / ${fmt(n.latencies.at(-1) ?? NaN, 1)} | ${fmt(percentile(h.latencies, 0.99), 1)} / ${fmt(h.latencies.at(-1) ?? NaN, 1)} (${h.probes}, ${slowProbes}, ${h.failed}) | ${p.hostileClients ? hostileSent : '–'} | ${p.hostileClients ? histogram(statusHistogram(p.byKind)) : '–'} | ${p.upstream ?? '–'} | ${fmt(p.usage.peakRssMb)} (${fmt(p.usage.hwmMb)}) | ${fmt(p.usage.cpuPct)} | ${fmt(p.usage.core0Pct)} | ${fmt(p.drainMs / 1000, 1)} |`;
}

function kindRows(results: readonly ContestantResult[]): string[] {
  const rows = [
    '| contestant | hostile request | sent | answers | p50 / max ms | largest answer |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    for (const p of r.phases) {
      for (const [kind, s] of p.byKind) {
        const sorted = [...s.latencies].sort((a, b) => a - b);
        rows.push(
          `| ${r.contestant.label} | ${kind} | ${s.sent} | ${histogram(s.outcomes)} | ${fmt(percentile(sorted, 0.5))} / ${fmt(sorted.at(-1) ?? NaN)} | ${bytes(s.maxBytes)} |`,
        );
      }
    }
  }
  return rows;
}

function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${n} B`;
}

interface RunInfo {
  readonly startedAt: Date;
  readonly loadAtStart: number;
  readonly seconds: number;
}

function renderReport(results: readonly ContestantResult[], run: RunInfo): string {
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  const members = results.find((r) => r.teamMembers > 0)?.teamMembers ?? TEAM_MEMBERS;
  out('# Hostile-load bench');
  out();
  out(
    'Written by `npm run bench:hostile` (bench/hostileLoad.ts); do not edit by hand. One machine, one run.',
  );
  out();
  out(`- Machine: ${machine()}`);
  out(
    `- Node ${process.version}; started ${run.startedAt.toISOString()}; took ${fmt(run.seconds)} s; 1-min load average ${run.loadAtStart.toFixed(2)} at start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end`,
  );
  out(
    `- Settings: ${SECONDS} s per phase after ${WARMUP} s of unrecorded warm-up; ordinary stream ${NORMAL_RATE} ops/s open loop (10 s deadline each); ${CONCURRENCY} hostile clients in phase 2, ${TIMEOUT_MS / 1000} s deadline each; /health every ${HEALTH_EVERY_MS} ms; notes ${NOTES_CHARS.toLocaleString('en')} characters; CPU pinning ${PIN ? 'on (gateway on CPU 1; emulator and load generator on CPU 0)' : 'off'}.`,
  );
  for (const r of results)
    out(
      `- **${r.contestant.label}**: ${r.contestant.describe}, started as \`${r.command ?? '(not started)'}\` (NODE_ENV=production, LOG_LEVEL=warn), in front of its own fresh emulator process (bench/emulatorWithDelay.ts of this checkout).`,
    );
  out();
  out('## Ordinary traffic with and without hostile clients');
  out();
  for (const l of MAIN_HEADER) out(l);
  for (const r of results) {
    if (r.phases.length === 0) out(`| ${r.contestant.label} | not measured: ${r.error ?? '?'} |||||||||||`);
    for (const p of r.phases) out(phaseRow(r.contestant.label, p));
  }
  out();
  out('## Hostile requests by kind (phase 2)');
  out();
  for (const l of kindRows(results)) out(l);
  out();
  out('## What the hostile clients send');
  out();
  out(
    `Each client sends the next request as soon as the last one is answered (or fails; after a failure without an HTTP answer it waits 100 ms), cycling through these kinds, client i starting at kind i:`,
  );
  out();
  out(
    `- **entities, every field**: ${ENTITY_FIELDS} \`_entities(representations:)\` fields (15 aliased, one not), each with ${REPRESENTATIONS} representations cycling through the seeded ids (the long-notes referral left out), selecting every field (test/helpers/selections.ts).`,
  );
  out(
    `- **entities, long notes**: the same ${ENTITY_FIELDS} × ${REPRESENTATIONS}, every representation the referral whose \`details.notes\` is ${NOTES_CHARS.toLocaleString('en')} characters, selecting \`id details { notes }\`.`,
  );
  out('- **… no auth**: the same two without an `Authorization` header.');
  out(
    `- **pages**: ${PAGE_ALIASES} aliased \`referrals(first: $n)\` with \`n = 100\` (a variable, so a literal-based cost estimate sees 1), every field.`,
  );
  out(
    `- **team mutation**: \`updateReferral\` of the long-notes referral with its current eTag and \`team\` = ${members.toLocaleString('en')} × \`{email: "x"}\` (as many as fit under ${MAX_BODY_BYTES.toLocaleString('en')} bytes of body), selecting every field error.`,
  );
  out(
    '- **forged cursor**: `referrals(first: 100, after:)` with a hand-made `r1:` cursor whose page reference is `/v1.0/engagements/referrals?$top=1000&$filter=<2.4 kB of clauses>` and whose `f` is the hash of no filter.',
  );
  out();
  out('## Notes');
  out();
  out(
    '- **ordinary**: the README query (`referrals(first: 5)`, a few fields) and `referral(id)` (4 fields) in turn; ok = HTTP 200 without `errors`; a failure is named by its status and first error code, as below. Latency of every operation, failed ones included, from its due time to its answer or failure, so a stall shows in full.',
  );
  out(
    '- **answers** (table by kind): the HTTP status, followed by the `extensions.code` of the first error when the answer carries `errors` (read from its first 4 kB: Apollo writes `errors` before `data`); `timeout` = no whole answer within the client deadline, `connect timeout` = not even a connection within it (accepting one needs the gateway’s event loop), `reset` = connection closed without an answer.',
  );
  out(
    `- **/health**: latency from each probe's due time; "> 1 s" counts probes a Kubernetes probe (default timeoutSeconds 1) would have failed; failed = no 200 within ${HEALTH_TIMEOUT_MS / 1000} s.`,
  );
  out(
    '- **upstream calls**: requests the emulator received from the start of the phase until every request sent in it had settled (the drain, last column, lets hostile requests still in flight at the end finish or time out).',
  );
  out(
    '- **peak RSS**: highest VmRSS of the gateway sampled every 100 ms through the phase and its drain; VmHWM is the kernel’s own peak since the process started. **core 0 %**: busy share of the CPU running the emulator and this load generator; near 100 the latencies measure that CPU too.',
  );
  for (const r of results) {
    for (const p of r.phases) {
      if (p.normal.failures.size)
        out(`- ${r.contestant.label}, phase ${p.label}: ordinary failures ${histogram(p.normal.failures)}.`);
      if (p.health.failures.size)
        out(`- ${r.contestant.label}, phase ${p.label}: /health failures ${histogram(p.health.failures)}.`);
      if (p.generatorDelayMaxMs > 50)
        out(
          `- ${r.contestant.label}, phase ${p.label}: the load generator's own event loop lagged up to ${fmt(p.generatorDelayMaxMs)} ms, which adds to the latencies it measured.`,
        );
    }
    const logLines = [...r.gatewayLog.values()].reduce((a, n) => a + n, 0);
    out(
      `- ${r.contestant.label}: gateway log (LOG_LEVEL=warn, stdout and stderr) ${logLines} line(s), most frequent:`,
    );
    const frequent = [...r.gatewayLog].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [what, n] of frequent) out(`  - ${n} × \`${what.replaceAll('`', "'")}\``);
    if (r.error) out(`- ${r.contestant.label}: **the run failed**: ${r.error}`);
  }
  out();
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  // The load generator shares CPU 0 with the emulator; the gateway gets CPU 1 to itself.
  if (PIN) pin(process.pid, 0);
  const results: ContestantResult[] = [];
  for (const contestant of contestants()) results.push(await runContestant(contestant));
  const report = renderReport(results, {
    startedAt,
    loadAtStart,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
  });
  process.stdout.write(`${report}\n`);
  if (OUT !== '-') {
    writeFileSync(OUT, report);
    log(`bench: wrote ${OUT}`);
  }
  if (results.some((r) => r.error)) process.exitCode = 1;
}

children.stopOnExit();
try {
  await main();
} catch (error) {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
} finally {
  await children.stopAll();
}
