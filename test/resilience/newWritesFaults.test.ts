/**
 * Fault cells for the writes added with the referral lifecycle: `createReferral`'s POST and
 * `createDealRegistration`'s PATCH, each under a reset before the answer, a 500, truncated JSON
 * (the write applied, its answer cut) and a stall. As in the fault matrix (faultMatrixSuite.ts),
 * every answer must be valid GraphQL JSON, within the request deadline, with only public codes and
 * nothing of the upstream in it, and settle to the cell's pinned outcome. A POST or PATCH that may
 * have landed is settled by reading, never sent twice: each cell also counts the writes.
 */
import { describe, expect, test } from '@jest/globals';
import type { Fault } from '../../src/emulator/emulatorServer.ts';
import { CREATE_REFERRAL, newReferralInput } from '../helpers/createMutation.ts';
import { judgeAnswer, leaks, secretBody } from '../helpers/faultAnswers.ts';
import { type Stack, TEST_TOKEN, useStack } from '../helpers/stack.ts';

const REQUEST_TIMEOUT_MS = 2000;
const REQUESTS_PER_CELL = 4;
/** How late past the deadline an answer may be timed: 4 requests a cell, not the fault matrix's 50 at once. */
const DEADLINE_SLACK_MS = 250;

const CREATE_DEAL_REGISTRATION = `
mutation Register($referralId: ID!, $input: DealRegistrationInput!, $etag: String!) {
  createDealRegistration(referralId: $referralId, input: $input, etag: $etag) {
    __typename
    ... on ReferralError { message }
    ... on DealRegistrationSuccess { referral { id etag } registration { id status } }
  }
}`;

const REGISTRATION = {
  contract: { value: 1000, currency: 'USD', startDateTime: '2025-07-01T00:00:00.0000000Z', term: 'FINITE' },
  solutionDetails: [{ id: 'SOL-1', value: 1000, currency: 'USD' }],
};

/** A fault, and what every createReferral and every createDealRegistration under it settles to. */
type Cell = readonly [name: string, fault: Fault, create: string, dealRegistration: string];

/*
 * A fault answering before the store is touched (reset, 500, stall) leaves nothing written: the
 * create's look finds nothing, so it may or may not exist as far as the gateway can tell
 * (uncertain); the registration's re-read shows the etag unchanged, so the failure stands. Truncated
 * JSON comes after the write applied: both find their write and succeed.
 */
const CELLS: readonly Cell[] = [
  ['reset before the answer', { kind: 'reset' }, 'ReferralCreationUncertain', 'UPSTREAM_UNAVAILABLE'],
  [
    '500',
    { kind: 'status', status: 500, body: secretBody('generalException') },
    'ReferralCreationUncertain',
    'UPSTREAM_UNAVAILABLE',
  ],
  ['truncated JSON', { kind: 'truncatedJson' }, 'CreateReferralSuccess', 'DealRegistrationSuccess'],
  ['stall before headers', { kind: 'stall' }, 'ReferralCreationUncertain', 'UPSTREAM_TIMEOUT'],
];

type Write = 'create' | 'dealRegistration';

async function send(
  stack: Stack,
  write: Write,
  i: number,
): Promise<{ status: number; text: string; ms: number }> {
  let variables: Record<string, unknown>;
  let query: string;
  if (write === 'create') {
    query = CREATE_REFERRAL;
    variables = { input: newReferralInput() };
  } else {
    const base = stack.emulator.listReferrals()[i] as Record<string, unknown>;
    const { registrations: _none, ...rest } = base;
    const stored = stack.emulator.putReferral({ ...rest, id: `fault-${write}-${i}-${Date.now()}` });
    query = CREATE_DEAL_REGISTRATION;
    variables = { referralId: stored.id, input: REGISTRATION, etag: stored.eTag };
  }
  const started = performance.now();
  const res = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

describe('fault cells of the new writes (createReferral POST, createDealRegistration PATCH)', () => {
  const stack = useStack({
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    UPSTREAM_HEADERS_TIMEOUT_MS: '400',
    UPSTREAM_BODY_TIMEOUT_MS: '400',
  });

  for (const [name, fault, ...pinned] of CELLS) {
    for (const [w, write] of (['create', 'dealRegistration'] as const).entries()) {
      const outcome = pinned[w] as string;
      test(`${name} × ${write} settles to ${outcome}`, async () => {
        const method = write === 'create' ? 'POST' : 'PATCH';
        stack.emulator.injectFault({ method, times: REQUESTS_PER_CELL, fault });
        const answers = await Promise.all(
          Array.from({ length: REQUESTS_PER_CELL }, (_, i) => send(stack, write, i)),
        );
        await stack.emulator.whenIdle();

        const judged = answers.map((answer) => judgeAnswer(answer.status, answer.text));
        expect(judged.map((answer) => answer.outcome)).toEqual(Array(REQUESTS_PER_CELL).fill(outcome));
        expect({
          badCodes: judged.flatMap((answer) => answer.badCodes),
          leaks: answers.filter((answer) => leaks(stack, answer.text)).length,
          overDeadline: answers.filter((answer) => answer.ms > REQUEST_TIMEOUT_MS + DEADLINE_SLACK_MS).length,
          // Each request met the fault on its one write, and no write was sent twice.
          writes: stack.emulator.requests.filter((r) => r.method === method).length,
          usesLeft: stack.emulator.pendingFaults().length,
        }).toEqual({ badCodes: [], leaks: 0, overDeadline: 0, writes: REQUESTS_PER_CELL, usesLeft: 0 });
        if (outcome === 'DealRegistrationSuccess') {
          for (const answer of judged)
            expect(answer.result?.registration).toMatchObject({ status: 'REVIEW_PENDING' });
        }
      }, 30_000);
    }
  }
});
