/**
 * The fault matrix: every upstream fault the emulator can inject, against a query and against
 * the mutation's write, 100 requests a cell. Whatever the Partner API does, every answer must
 * be valid GraphQL JSON, within the request's deadline (+250 ms), with only allowed error
 * codes, and without a stack trace, upstream host, file path or upstream body text; the process
 * must see no crash and no unhandled rejection.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Fault } from '../../src/emulator/emulatorServer.ts';
import { report } from '../helpers/report.ts';
import { useStack } from '../helpers/stack.ts';
import { UPDATE_REFERRAL } from '../helpers/updateMutation.ts';

const REQUEST_TIMEOUT_MS = 2000;
const REQUESTS_PER_CELL = 100;
const CONCURRENCY = 50;
const SECRET = 'upstream-secret-diagnostic-93ab';
const ALLOWED_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
]);

const stack = useStack({
  REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  UPSTREAM_HEADERS_TIMEOUT_MS: '400',
  UPSTREAM_BODY_TIMEOUT_MS: '400',
  UPSTREAM_MAX_RESPONSE_BYTES: String(512 * 1024),
});

const secretBody = (code: string) => ({ error: { code, message: SECRET, target: 'referral' } });
const FAULTS: readonly (readonly [string, Fault])[] = [
  ['delay 150 ms', { kind: 'delay', ms: 150 }],
  ['delay past the timeouts', { kind: 'delay', ms: 5000 }],
  ['stall before headers', { kind: 'stall' }],
  ['stall mid-body', { kind: 'stallMidBody' }],
  ['reset before headers', { kind: 'reset' }],
  ['reset after headers', { kind: 'resetAfterHeaders' }],
  ['500', { kind: 'status', status: 500, body: secretBody('generalException') }],
  ['502', { kind: 'status', status: 502, body: secretBody('badGateway') }],
  [
    '503',
    { kind: 'status', status: 503, body: secretBody('serviceNotAvailable'), headers: { 'retry-after': '1' } },
  ],
  ['504', { kind: 'status', status: 504, body: secretBody('gatewayTimeout') }],
  [
    '429 with Retry-After',
    { kind: 'status', status: 429, body: secretBody('throttled'), headers: { 'retry-after': '1' } },
  ],
  [
    'wrong content type',
    { kind: 'raw', status: 200, contentType: 'text/html', body: `<html>${SECRET}</html>` },
  ],
  [
    'invalid JSON',
    { kind: 'raw', status: 200, contentType: 'application/json', body: `{"id": "${SECRET}", ` },
  ],
  ['truncated JSON', { kind: 'truncatedJson' }],
  ['wrong shape', { kind: 'wrongShape' }],
  ['missing eTag', { kind: 'missingETag' }],
  ['oversized body', { kind: 'oversized', bytes: 2 * 1024 * 1024 }],
  ['apply then drop', { kind: 'applyThenDrop' }],
];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

interface CellStats {
  requests: number;
  invalidJson: number;
  leaks: number;
  badCodes: Set<string>;
  overDeadline: number;
  maxMs: number;
  outcomes: Map<string, number>;
}

function leaks(text: string): boolean {
  const host = new URL(stack.emulator.url).host;
  return (
    text.includes(host) ||
    text.includes('127.0.0.1') ||
    text.includes(SECRET) ||
    /\bat .+:\d+:\d+/.test(text) ||
    /\/(work|home|usr|tmp)\/|node_modules|\.ts:\d+/.test(text) ||
    text.includes('UND_ERR') ||
    text.includes('stacktrace')
  );
}

async function runCell(operation: 'query' | 'mutation', fault: Fault): Promise<CellStats> {
  const ids = stack.emulator.listReferrals().map((r) => String(r.id));
  const stats: CellStats = {
    requests: 0,
    invalidJson: 0,
    leaks: 0,
    badCodes: new Set(),
    overDeadline: 0,
    maxMs: 0,
    outcomes: new Map(),
  };
  stack.emulator.clearFaults();
  stack.emulator.injectFault(operation === 'query' ? { fault } : { method: 'PUT', fault });
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS_PER_CELL) {
      const i = next++;
      const id = ids[i % ids.length] as string;
      const [query, variables] =
        operation === 'query'
          ? [`query($id: ID!) { referral(id: $id) { id name status etag details { dealValue } } }`, { id }]
          : [
              UPDATE_REFERRAL,
              {
                id,
                etag: String(stack.emulator.getReferral(id)?.eTag),
                input: { details: { notes: `n${i}` } },
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
      if (ms > REQUEST_TIMEOUT_MS + 250) stats.overDeadline += 1;
      if (leaks(text)) stats.leaks += 1;
      let body: {
        data?: Record<string, { __typename?: string } | null> | null;
        errors?: { extensions?: { code?: string } }[];
      };
      try {
        body = JSON.parse(text);
        if (res.status >= 500 || (!('data' in body) && !('errors' in body)))
          throw new Error('not a GraphQL answer');
      } catch {
        stats.invalidJson += 1;
        continue;
      }
      for (const error of body.errors ?? []) {
        const code = String(error.extensions?.code);
        if (!ALLOWED_CODES.has(code)) stats.badCodes.add(code);
      }
      const outcome =
        body.errors?.[0]?.extensions?.code ?? Object.values(body.data ?? {})[0]?.__typename ?? 'data';
      stats.outcomes.set(String(outcome), (stats.outcomes.get(String(outcome)) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  stack.emulator.clearFaults();
  return stats;
}

describe('fault matrix', () => {
  const totals = {
    cells: 0,
    requests: 0,
    invalidJson: 0,
    leaks: 0,
    badCodes: new Set<string>(),
    overDeadline: 0,
    maxMs: 0,
  };

  afterAll(() => {
    report(
      'fault matrix',
      `${totals.cells} cells (${FAULTS.length} faults × query, mutation) × ${REQUESTS_PER_CELL} = ${totals.requests} requests: ` +
        `0 crashes, ${unhandled.length} unhandled rejections, ${totals.leaks} leaking responses, ` +
        `${((100 * (totals.requests - totals.invalidJson)) / Math.max(1, totals.requests)).toFixed(1)}% valid GraphQL JSON, ` +
        `codes outside the allowed set: ${totals.badCodes.size === 0 ? 'none' : [...totals.badCodes].join(',')}, ` +
        `${totals.overDeadline} over deadline+250 ms (slowest ${Math.round(totals.maxMs)} ms of ${REQUEST_TIMEOUT_MS} ms)`,
    );
  });

  for (const [name, fault] of FAULTS) {
    for (const operation of ['query', 'mutation'] as const) {
      test(`${name} × ${operation}`, async () => {
        const stats = await runCell(operation, fault);
        totals.cells += 1;
        totals.requests += stats.requests;
        totals.invalidJson += stats.invalidJson;
        totals.leaks += stats.leaks;
        for (const code of stats.badCodes) totals.badCodes.add(code);
        totals.overDeadline += stats.overDeadline;
        totals.maxMs = Math.max(totals.maxMs, stats.maxMs);
        expect({
          requests: stats.requests,
          invalidJson: stats.invalidJson,
          leaks: stats.leaks,
          badCodes: [...stats.badCodes],
          overDeadline: stats.overDeadline,
          unhandled: unhandled.length,
        }).toEqual({
          requests: REQUESTS_PER_CELL,
          invalidJson: 0,
          leaks: 0,
          badCodes: [],
          overDeadline: 0,
          unhandled: 0,
        });
      }, 60_000);
    }
  }
});
