/**
 * No update is ever lost or applied twice, under contention and when connections drop
 * mid-write. Every client here behaves as a real UI would: read, change, write with the etag it
 * read, and on ReferralPreconditionFailed rebase on the current state and try again.
 */
import { describe, expect, test } from '@jest/globals';
import { report } from '../helpers/report.ts';
import { type Stack, useStack } from '../helpers/stack.ts';
import { UPDATE_REFERRAL, type UpdateResult } from '../helpers/updateMutation.ts';

const stack = useStack();

async function update(
  s: Stack,
  id: string,
  input: Record<string, unknown>,
  etag: string,
): Promise<UpdateResult> {
  const res = await s.gql<{ updateReferral: UpdateResult }>(UPDATE_REFERRAL, { id, input, etag });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return (res.body.data as { updateReferral: UpdateResult }).updateReferral;
}

async function read(
  id: string,
): Promise<{ etag: string; details: { notes: string | null; dealValue: number | null } }> {
  const res = await stack.gql<{ referral: { etag: string; details: { notes: string; dealValue: number } } }>(
    'query($id: ID!) { referral(id: $id) { etag details { notes dealValue } } }',
    { id },
  );
  return (res.body.data as { referral: { etag: string; details: { notes: string; dealValue: number } } })
    .referral;
}

/** The stored referral's details, as the Partner API holds them now. */
function storedDetails(id: string): { notes?: string; dealValue?: number } {
  return (stack.emulator.getReferral(id)?.details ?? {}) as { notes?: string; dealValue?: number };
}

function freshReferral(overrides: Record<string, unknown> = {}): string {
  const base = stack.emulator.listReferrals().find((r) => r.status === 'New') as Record<string, unknown>;
  const id = `10000000-0000-4000-8000-${Math.floor(Math.random() * 1e12)
    .toString(16)
    .padStart(12, '0')}`;
  stack.emulator.putReferral({ ...base, id, ...overrides });
  return id;
}

/** Read-modify-write with rebase on conflict, as a UI does; returns the attempts it took. */
async function withRetry(
  id: string,
  change: (current: Awaited<ReturnType<typeof read>>) => Record<string, unknown>,
) {
  for (let attempt = 1; attempt <= 200; attempt += 1) {
    const current = await read(id);
    const result = await update(stack, id, change(current), current.etag);
    if (result.__typename === 'UpdateReferralSuccess') return attempt;
    if (result.__typename !== 'ReferralPreconditionFailed')
      throw new Error(`unexpected ${result.__typename}`);
  }
  throw new Error('no success in 200 attempts');
}

describe('lost updates', () => {
  test('stale version: 50 concurrent writers with one etag, 20 rounds — exactly one success per round', async () => {
    const id = freshReferral();
    const successes: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          update(stack, id, { details: { notes: `r${round}c${i}` } }, etag),
        ),
      );
      const won = results.flatMap((r, i) => (r.__typename === 'UpdateReferralSuccess' ? [i] : []));
      expect(won).toHaveLength(1);
      expect(results.filter((r) => r.__typename === 'ReferralPreconditionFailed')).toHaveLength(49);
      expect(storedDetails(id).notes).toBe(`r${round}c${won[0]}`);
      successes.push(won.length);
    }
    report(
      'lost updates / stale version',
      `20 rounds × 50 writers: ${successes.join('')} (exactly 1 success per round), 49 conflicts each`,
    );
  });

  test('20 clients changing disjoint fields, retrying on conflict: all 20 changes are there at the end', async () => {
    const id = freshReferral({ trackingInfo: { microsoftMsxId: 'keep-me' } });
    const attempts = await Promise.all(
      DISJOINT.map(([path, value]) => withRetry(id, () => nest(path, value))),
    );
    const stored = stack.emulator.getReferral(id) as Record<string, unknown>;
    for (const [path, value] of DISJOINT) expect({ path, value: get(stored, path) }).toEqual({ path, value });
    expect(stored.trackingInfo).toEqual({ microsoftMsxId: 'keep-me' });
    report(
      'lost updates / disjoint fields',
      `20 clients, ${attempts.reduce((a, b) => a + b, 0)} attempts in all: 20 of 20 changes present, undocumented fields kept`,
    );
  });

  test('"apply then drop": a write that lands while its connection drops is one success, never a conflict or a double write', async () => {
    const id = freshReferral({ details: { dealValue: 5, currency: 'USD' } });
    let successes = 0;
    let falseConflicts = 0;
    for (let n = 1; n <= 50; n += 1) {
      const current = await read(id);
      stack.emulator.clearRequests();
      stack.emulator.injectFault({ method: 'PUT', idEquals: id, times: 1, fault: { kind: 'applyThenDrop' } });
      const result = await update(
        stack,
        id,
        { details: { dealValue: (current.details.dealValue ?? 0) + 1 } },
        current.etag,
      );
      if (result.__typename === 'UpdateReferralSuccess') successes += 1;
      if (result.__typename === 'ReferralPreconditionFailed') falseConflicts += 1;
      expect(result.referral?.details).toMatchObject({ dealValue: 5 + n });
      expect(stack.emulator.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    }
    expect(storedDetails(id).dealValue).toBe(55);
    expect({ successes, falseConflicts }).toEqual({ successes: 50, falseConflicts: 0 });
    report(
      'lost updates / apply then drop',
      `50 writes whose connection dropped after they landed: ${successes} successes, ${falseConflicts} false conflicts, 0 double writes (value 5 → 55)`,
    );
  });

  test('10 × 10 concurrent increments with retry end at exactly 100', async () => {
    const id = freshReferral({ details: { dealValue: 0, currency: 'USD', notes: 'counter' } });
    const attempts = await Promise.all(
      Array.from({ length: 10 }, async () => {
        let total = 0;
        for (let n = 0; n < 10; n += 1) {
          total += await withRetry(id, (current) => ({
            details: { dealValue: (current.details.dealValue ?? 0) + 1 },
          }));
        }
        return total;
      }),
    );
    expect(storedDetails(id).dealValue).toBe(100);
    report(
      'lost updates / increments',
      `10 clients × 10 increments: final value 100 (${attempts.reduce((a, b) => a + b, 0)} attempts)`,
    );
  });
});

/** Twenty fields no two clients share, with the value each client writes. */
const DISJOINT: readonly (readonly [readonly string[], string])[] = [
  [['name'], 'client name'],
  [['externalReferenceId'], 'CRM-20'],
  [['statusReason'], 'client reason'],
  [['details', 'notes'], 'client notes'],
  [['details', 'customerAction'], 'client action'],
  [['details', 'currency'], 'EUR'],
  [['details', 'closingDateTime'], '2030-01-31T00:00:00.0000000Z'],
  [['customerProfile', 'name'], 'Client Customer'],
  [['customerProfile', 'size'], '51to500employees'],
  [['customerProfile', 'address', 'addressLine1'], '1 Client Street'],
  [['customerProfile', 'address', 'addressLine2'], 'Floor 2'],
  [['customerProfile', 'address', 'city'], 'Client City'],
  [['customerProfile', 'address', 'state'], 'CS'],
  [['customerProfile', 'address', 'postalCode'], '12345'],
  [['customerProfile', 'address', 'region'], 'Client Region'],
  [['customerProfile', 'address', 'country'], 'DE'],
  [['inviteContext', 'notes'], 'client invite notes'],
  [['inviteContext', 'invitedMpnId'], '1234567'],
  [['inviteContext', 'invitedBy', 'organizationId'], 'org-client'],
  [['inviteContext', 'invitedBy', 'organizationName'], 'Client Org'],
];

function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

function get(object: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], object);
}
