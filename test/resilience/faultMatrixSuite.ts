/**
 * The fault matrix: every upstream fault the emulator can inject, against a query and against
 * the mutation's write, 100 requests a cell, in each write mode (faultMatrix.test.ts: PUT, query
 * and mutation cells, then PATCH, mutation cells; one file, so the two never compete for CPU). Each cell has a pinned
 * outcome that all its requests must settle to (`FAULTS` below), and must use the fault it
 * configured. Whatever the Partner API does, every answer must also be valid GraphQL JSON, within
 * the request's deadline (+ DEADLINE_SLACK_MS), with only allowed error codes, and without a stack trace,
 * upstream host, file path or upstream body text; the process must see no crash and no unhandled
 * rejection.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Fault, FaultRule } from '../../src/emulator/emulatorServer.ts';
import { judgeAnswer, leaks, UPSTREAM_SECRET as SECRET, secretBody } from '../helpers/faultAnswers.ts';
import { report } from '../helpers/report.ts';
import { type Stack, useStack } from '../helpers/stack.ts';
import { UPDATE_REFERRAL } from '../helpers/updateMutation.ts';

const REQUEST_TIMEOUT_MS = 5000;
/*
 * The upstream headers and body timeouts. The client, the gateway and the emulator share one event
 * loop here, 50 requests at once: on a busy CI machine 400 ms, and once even 1 s, timed out healthy
 * answers (a 500, a 2 MB body, a reset arriving late), so the margin is wide, and still far below
 * the delay that must pass every timeout (DELAY_PAST_TIMEOUTS_MS).
 */
const UPSTREAM_TIMEOUT_MS = 2000;
const DELAY_PAST_TIMEOUTS_MS = 8000;
/**
 * How late past the deadline an answer may be timed. The timing is taken on that shared event
 * loop, where up to 50 requests (CONCURRENCY) meet their deadline together: in one full-suite run
 * on a loaded machine 11 of 100 were timed 5.25–5.46 s (alone, the cell's slowest was 2.9 s).
 * Still far below what an unbounded request would take (the 8 s delay, then more).
 */
const DEADLINE_SLACK_MS = 1000;
const REQUESTS_PER_CELL = 100;
const CONCURRENCY = 50;

/** What a request settles to: the first error's code, else the result's `__typename`. */
type Outcome =
  | 'Referral'
  | 'UpdateReferralSuccess'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'RATE_LIMITED';

interface FaultCase {
  readonly name: string;
  readonly fault: Fault;
  /** The pinned outcome of every request in the query cell and in the mutation cell. */
  readonly query: Outcome;
  readonly mutation: Outcome;
}

/*
 * A mutation settles to success whenever its write landed, however the answer was lost: the gateway
 * re-reads and finds its own write (reconcile). The faults that answer before the store is touched
 * (stall, reset, a status, raw bytes, wrongShape) leave nothing written, so the failure stands.
 */
const FAULTS: readonly FaultCase[] = [
  {
    name: 'delay 150 ms',
    fault: { kind: 'delay', ms: 150 },
    query: 'Referral',
    mutation: 'UpdateReferralSuccess',
  },
  {
    name: 'delay past the timeouts',
    fault: { kind: 'delay', ms: DELAY_PAST_TIMEOUTS_MS },
    query: 'UPSTREAM_TIMEOUT',
    // The re-read comes long before the delayed write lands, so nothing is written yet.
    mutation: 'UPSTREAM_TIMEOUT',
  },
  {
    name: 'stall before headers',
    fault: { kind: 'stall' },
    query: 'UPSTREAM_TIMEOUT',
    mutation: 'UPSTREAM_TIMEOUT',
  },
  {
    name: 'stall mid-body',
    fault: { kind: 'stallMidBody' },
    query: 'UPSTREAM_TIMEOUT',
    mutation: 'UpdateReferralSuccess',
  },
  {
    name: 'reset before headers',
    fault: { kind: 'reset' },
    query: 'UPSTREAM_UNAVAILABLE',
    mutation: 'UPSTREAM_UNAVAILABLE',
  },
  {
    name: 'reset after headers',
    fault: { kind: 'resetAfterHeaders' },
    query: 'UPSTREAM_UNAVAILABLE',
    mutation: 'UpdateReferralSuccess',
  },
  {
    name: '500',
    fault: { kind: 'status', status: 500, body: secretBody('generalException') },
    query: 'UPSTREAM_UNAVAILABLE',
    mutation: 'UPSTREAM_UNAVAILABLE',
  },
  {
    name: '502',
    fault: { kind: 'status', status: 502, body: secretBody('badGateway') },
    query: 'UPSTREAM_UNAVAILABLE',
    mutation: 'UPSTREAM_UNAVAILABLE',
  },
  {
    name: '503',
    fault: {
      kind: 'status',
      status: 503,
      body: secretBody('serviceNotAvailable'),
      headers: { 'retry-after': '1' },
    },
    query: 'UPSTREAM_UNAVAILABLE',
    mutation: 'UPSTREAM_UNAVAILABLE',
  },
  {
    name: '504',
    fault: { kind: 'status', status: 504, body: secretBody('gatewayTimeout') },
    query: 'UPSTREAM_UNAVAILABLE',
    mutation: 'UPSTREAM_UNAVAILABLE',
  },
  {
    name: '429 with Retry-After',
    fault: { kind: 'status', status: 429, body: secretBody('throttled'), headers: { 'retry-after': '1' } },
    query: 'RATE_LIMITED',
    mutation: 'RATE_LIMITED',
  },
  {
    name: 'wrong content type',
    fault: { kind: 'raw', status: 200, contentType: 'text/html', body: `<html>${SECRET}</html>` },
    query: 'UPSTREAM_BAD_RESPONSE',
    mutation: 'UPSTREAM_BAD_RESPONSE',
  },
  {
    name: 'invalid JSON',
    fault: { kind: 'raw', status: 200, contentType: 'application/json', body: `{"id": "${SECRET}", ` },
    query: 'UPSTREAM_BAD_RESPONSE',
    mutation: 'UPSTREAM_BAD_RESPONSE',
  },
  {
    name: 'truncated JSON',
    fault: { kind: 'truncatedJson' },
    query: 'UPSTREAM_BAD_RESPONSE',
    mutation: 'UpdateReferralSuccess',
  },
  {
    name: 'wrong shape',
    fault: { kind: 'wrongShape' },
    query: 'UPSTREAM_BAD_RESPONSE',
    mutation: 'UPSTREAM_BAD_RESPONSE',
  },
  {
    name: 'missing eTag',
    fault: { kind: 'missingETag' },
    query: 'UPSTREAM_BAD_RESPONSE',
    mutation: 'UpdateReferralSuccess',
  },
  {
    name: 'oversized body',
    fault: { kind: 'oversized', bytes: 2 * 1024 * 1024 },
    query: 'UPSTREAM_BAD_RESPONSE',
    mutation: 'UpdateReferralSuccess',
  },
  {
    name: 'apply then drop',
    fault: { kind: 'applyThenDrop' },
    query: 'UPSTREAM_UNAVAILABLE',
    mutation: 'UpdateReferralSuccess',
  },
];

type Operation = 'query' | 'mutation';

export type WriteMode = 'put' | 'patch';

/**
 * The rule a cell injects. A mutation's write is never retried once it may have been sent, so each
 * mutation meets exactly one faulted write and the rule is sized to be used up. A query's GET may be
 * retried as often as the shared retry budget allows, which no test can count in advance, so its
 * rule is unlimited and the cell checks instead that it faulted every GET the cell caused.
 */
function ruleFor(operation: Operation, fault: Fault, mode: WriteMode): FaultRule {
  return operation === 'query'
    ? { method: 'GET', fault }
    : { method: mode === 'put' ? 'PUT' : 'PATCH', times: REQUESTS_PER_CELL, fault };
}

const crashes: unknown[] = [];
const unhandled: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
const onUnhandled = (reason: unknown) => unhandled.push(reason);

interface CellStats {
  requests: number;
  invalidJson: number;
  leaks: number;
  badCodes: Set<string>;
  overDeadline: number;
  maxMs: number;
  outcomes: Map<string, number>;
  /** Upstream requests the cell's rule matched, and how many of them the emulator faulted. */
  matched: number;
  faulted: number;
  /** Uses of a limited rule left over when the cell ended. */
  usesLeft: number;
}

async function runCell(
  stack: Stack,
  operation: Operation,
  { name, fault }: FaultCase,
  mode: WriteMode,
): Promise<CellStats> {
  const ids = stack.emulator.listReferrals().map((r) => String(r.id));
  if (ids.length < CONCURRENCY) throw new Error(`the matrix needs at least ${CONCURRENCY} referrals`);
  const stats: CellStats = {
    requests: 0,
    invalidJson: 0,
    leaks: 0,
    badCodes: new Set(),
    overDeadline: 0,
    maxMs: 0,
    outcomes: new Map(),
    matched: 0,
    faulted: 0,
    usesLeft: 0,
  };
  stack.emulator.clearFaults();
  stack.emulator.clearRequests();
  const rule = ruleFor(operation, fault, mode);
  stack.emulator.injectFault(rule);
  let next = 0;
  // Each worker owns its own referrals, so no two requests in flight touch the same one: a write
  // always carries the current etag, and every outcome is the fault's doing, not a race's.
  const worker = async (w: number) => {
    const owned = ids.filter((_, j) => j % CONCURRENCY === w);
    for (let turn = 0; next < REQUESTS_PER_CELL; turn += 1) {
      const i = next++;
      const id = owned[turn % owned.length] as string;
      const [query, variables] =
        operation === 'query'
          ? [
              `query($id: ID!) { referral(id: $id) { __typename id name status etag details { dealValue } } }`,
              { id },
            ]
          : [
              UPDATE_REFERRAL,
              {
                id,
                etag: String(stack.emulator.getReferral(id)?.eTag),
                // New notes every time, so no update is a no-op the gateway could skip.
                input: { details: { notes: `${name} × ${operation} #${i}` } },
              },
            ];
      const started = performance.now();
      const res = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer matrix' },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      const ms = performance.now() - started;
      stats.requests += 1;
      stats.maxMs = Math.max(stats.maxMs, ms);
      if (ms > REQUEST_TIMEOUT_MS + DEADLINE_SLACK_MS) stats.overDeadline += 1;
      if (leaks(stack, text)) stats.leaks += 1;
      const { outcome, badCodes } = judgeAnswer(res.status, text);
      if (outcome === 'invalid') {
        stats.invalidJson += 1;
        continue;
      }
      for (const code of badCodes) stats.badCodes.add(code);
      stats.outcomes.set(outcome, (stats.outcomes.get(outcome) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  // A delayed request keeps running after its client gave up, and its write may still land: the
  // next cell must not meet it.
  await stack.emulator.whenIdle();
  stats.matched = stack.emulator.requests.filter((r) => r.method === rule.method).length;
  stats.faulted = stack.emulator.faultsApplied;
  stats.usesLeft = stack.emulator.pendingFaults().reduce((sum, left) => sum + (left.times ?? 0), 0);
  stack.emulator.clearFaults();
  return stats;
}

/** The matrix's cells for `operations`, against a gateway writing in `mode`. */
export function describeFaultMatrix(mode: WriteMode, operations: readonly Operation[]): void {
  // Hooks inside the describe: several matrices in one file start, run and stop one after another.
  describe(`fault matrix (${mode.toUpperCase()} writes)`, () => {
    const stack = useStack({
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      UPSTREAM_HEADERS_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      UPSTREAM_BODY_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      UPSTREAM_MAX_RESPONSE_BYTES: String(512 * 1024),
      PARTNER_API_WRITE_MODE: mode,
    });
    beforeAll(() => {
      process.on('unhandledRejection', onUnhandled);
      process.on('uncaughtException', onCrash);
    });
    const totals = {
      cells: 0,
      requests: 0,
      invalidJson: 0,
      leaks: 0,
      badCodes: new Set<string>(),
      overDeadline: 0,
      maxMs: 0,
      asPinned: 0,
      usedTheirFault: 0,
    };

    afterAll(() => {
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onCrash);
      report(
        `fault matrix (${mode.toUpperCase()} writes)`,
        `${totals.cells} cells (${FAULTS.length} faults × ${operations.join(', ')}) × ${REQUESTS_PER_CELL} = ${totals.requests} requests: ` +
          `${totals.asPinned} of ${totals.cells} cells settled as pinned, ` +
          `${totals.usedTheirFault} of ${totals.cells} used their fault on every upstream call, ` +
          `${crashes.length} crashes, ${unhandled.length} unhandled rejections, ${totals.leaks} leaking responses, ` +
          `${((100 * (totals.requests - totals.invalidJson)) / Math.max(1, totals.requests)).toFixed(1)}% valid GraphQL JSON, ` +
          `codes outside the allowed set: ${totals.badCodes.size === 0 ? 'none' : [...totals.badCodes].join(',')}, ` +
          `${totals.overDeadline} over deadline+${DEADLINE_SLACK_MS} ms (slowest ${Math.round(totals.maxMs)} ms of ${REQUEST_TIMEOUT_MS} ms)`,
      );
    });

    for (const faultCase of FAULTS) {
      for (const operation of operations) {
        const pinned = faultCase[operation];
        test(`${faultCase.name} × ${operation} settles to ${pinned}`, async () => {
          const stats = await runCell(stack, operation, faultCase, mode);
          const outcomes = Object.fromEntries(stats.outcomes);
          const expectedOutcomes = { [pinned]: REQUESTS_PER_CELL };
          const usedItsFault =
            stats.faulted === stats.matched && stats.usesLeft === 0 && stats.faulted >= REQUESTS_PER_CELL;
          totals.cells += 1;
          totals.requests += stats.requests;
          totals.invalidJson += stats.invalidJson;
          totals.leaks += stats.leaks;
          for (const code of stats.badCodes) totals.badCodes.add(code);
          totals.overDeadline += stats.overDeadline;
          totals.maxMs = Math.max(totals.maxMs, stats.maxMs);
          if (isDeepStrictEqual(outcomes, expectedOutcomes)) totals.asPinned += 1;
          if (usedItsFault) totals.usedTheirFault += 1;

          expect(outcomes).toEqual(expectedOutcomes);
          // Every upstream call the rule matched met the fault, each request at least once; with
          // nothing left over, a mutation's rule of 100 uses faulted exactly one write per mutation.
          expect({ faulted: stats.faulted, usesLeft: stats.usesLeft }).toEqual({
            faulted: stats.matched,
            usesLeft: 0,
          });
          expect(stats.faulted).toBeGreaterThanOrEqual(REQUESTS_PER_CELL);
          expect({
            requests: stats.requests,
            invalidJson: stats.invalidJson,
            leaks: stats.leaks,
            badCodes: [...stats.badCodes],
            overDeadline: stats.overDeadline,
            crashes: crashes.length,
            unhandled: unhandled.length,
          }).toEqual({
            requests: REQUESTS_PER_CELL,
            invalidJson: 0,
            leaks: 0,
            badCodes: [],
            overDeadline: 0,
            crashes: 0,
            unhandled: 0,
          });
        }, 60_000);
      }
    }
  });
}
