/**
 * The updateReferral integration suite, run once per write mode (updateReferral.put.test.ts,
 * updateReferral.patch.test.ts): every GraphQL answer must be the same whether the gateway writes
 * with a full PUT or with a JSON Patch; only what crosses the wire differs, and each test says how.
 */
import { describe, expect, test } from '@jest/globals';
import { screamingSnake } from '../helpers/expectProjection.ts';
import { type Stack, TEST_TOKEN, useStack } from '../helpers/stack.ts';
import { UPDATE_REFERRAL, type UpdateResult } from '../helpers/updateMutation.ts';

export type WriteMode = 'put' | 'patch';

export function describeUpdateReferral(mode: WriteMode): void {
  const stack: Stack = useStack({ PARTNER_API_WRITE_MODE: mode }, { captureLogs: true });
  /** How a change of documented patchable paths reaches the Partner API in this mode. */
  const WRITE = mode === 'put' ? 'PUT' : 'PATCH';

  async function update(
    id: string,
    input: Record<string, unknown>,
    etag: string,
    headers: Record<string, string> = {},
  ) {
    const res = await stack.gql<{ updateReferral: UpdateResult }>(
      UPDATE_REFERRAL,
      { id, input, etag },
      headers,
    );
    expect(res.body.errors).toBeUndefined();
    return (res.body.data as { updateReferral: UpdateResult }).updateReferral;
  }

  /** What the Partner API answers a GET with right now (the body the gateway merges into). */
  async function upstreamBody(id: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${stack.emulator.url}/engagements/referrals/${id}`, {
      headers: { authorization: TEST_TOKEN },
    });
    return (await res.json()) as Record<string, unknown>;
  }

  function withoutMetadata(body: Record<string, unknown>): Record<string, unknown> {
    const { links: _links, '@odata.context': _context, ...rest } = body;
    return rest;
  }

  /** The referral's content: without what the service sets on every write. */
  function content(body: Record<string, unknown>): string {
    const { eTag: _etag, updatedDateTime: _updated, ...rest } = withoutMetadata(body);
    return JSON.stringify(rest);
  }

  /** A fresh referral in a known state, carrying undocumented fields, so tests do not interfere. */
  function seedReferral(overrides: Record<string, unknown> = {}): string {
    const base =
      stack.emulator.listReferrals().find((r) => r.direction !== undefined) ??
      stack.emulator.listReferrals()[0];
    const id = `00000000-0000-4000-8000-${Math.floor(Math.random() * 1e12)
      .toString(16)
      .padStart(12, '0')}`;
    stack.emulator.putReferral({
      ...base,
      id,
      status: 'New',
      substatus: 'Pending',
      statusReason: 'Waiting for the customer',
      createdDateTime: '2022-02-24T21:04:06.0372014Z',
      salesStage: '100',
      trackingInfo: { microsoftMsxId: 'MSX-1', migratedPSCDealId: null },
      registrations: [
        { id: 'reg-1', type: 'AzureIPCoSell', contract: { value: 12.5, currency: 'USD', term: null } },
      ],
      ...overrides,
    });
    return id;
  }

  /** Every write that reached the Partner API (PUT or PATCH). */
  const writes = () => stack.emulator.requests.filter((r) => r.method === 'PUT' || r.method === 'PATCH');

  /**
   * What the first write said about `path` (a JSON Pointer): in a PUT, the value at that path of
   * the body; in a PATCH, the value of the op on exactly that path.
   */
  function written(path: string): unknown {
    const write = writes()[0];
    if (!write) throw new Error('no write reached the Partner API');
    if (write.method === 'PATCH') {
      const ops = write.body as { path: string; value: unknown }[];
      const op = ops.find((o) => o.path === path);
      if (!op) throw new Error(`the PATCH has no op on ${path}: ${JSON.stringify(ops)}`);
      return op.value;
    }
    let value: unknown = write.body;
    for (const key of path.split('/').slice(1)) value = (value as Record<string, unknown>)[key];
    return value;
  }

  /** The paths the first write's JSON Patch touched, sorted (PATCH mode). */
  function patchedPaths(): string[] {
    const write = writes()[0];
    if (write?.method !== 'PATCH') throw new Error('no PATCH reached the Partner API');
    return (write.body as { path: string }[]).map((o) => o.path).sort();
  }

  describe('updateReferral fills in every field the caller did not change', () => {
    test('a partial input changes exactly those fields; everything else goes back as read', async () => {
      const id = seedReferral();
      const before = await upstreamBody(id);
      stack.emulator.clearRequests();

      const result = await update(
        id,
        { statusReason: 'Called back', details: { notes: 'Called the CFO' } },
        String(before.eTag),
        { authorization: 'Bearer caller-7' },
      );

      expect(result.__typename).toBe('UpdateReferralSuccess');
      // One read and one write in either mode: a PATCH asks for the result (Prefer: return=representation).
      expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET', WRITE]);
      const write = writes()[0];
      const expected = withoutMetadata(before);
      expected.statusReason = 'Called back';
      expected.details = { ...(before.details as Record<string, unknown>), notes: 'Called the CFO' };
      if (mode === 'put') {
        // Same keys, same order, same bytes: undocumented fields and 7-digit timestamps included.
        expect(JSON.stringify(write?.body)).toBe(JSON.stringify(expected));
      } else {
        // Exactly the changed paths, each a documented patchable one.
        expect(write?.body).toEqual(
          expect.arrayContaining([
            { op: 'replace', path: '/statusReason', value: 'Called back' },
            { op: 'replace', path: '/details/notes', value: 'Called the CFO' },
          ]),
        );
        expect(write?.body).toHaveLength(2);
        expect(write?.headers.prefer).toBe('return=representation');
      }
      expect(write?.headers['if-match']).toBe(before.eTag);
      expect(write?.headers.authorization).toBe('Bearer caller-7');
      expect(write?.headers['content-type']).toMatch(/^application\/json/);

      const after = stack.emulator.getReferral(id) as Record<string, unknown>;
      // What is stored is the same in both modes: the change, and everything else as it was.
      expect(content(after)).toBe(content(expected));
      expect(after.createdDateTime).toBe('2022-02-24T21:04:06.0372014Z');
      expect(result.referral?.etag).toBe(after.eTag);
      expect(result.referral?.etag).not.toBe(before.eTag);
      expect(after.registrations).toEqual(before.registrations);
      expect(after.trackingInfo).toEqual(before.trackingInfo);
    });

    test('null clears a field', async () => {
      const id = seedReferral();
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      const result = await update(id, { statusReason: null }, etag);
      expect(result).toMatchObject({ __typename: 'UpdateReferralSuccess', referral: { statusReason: null } });
      expect(written('/statusReason')).toBeNull();
      expect(stack.emulator.getReferral(id)?.statusReason).toBeNull();
    });

    test('nested objects merge field by field', async () => {
      const id = seedReferral();
      const before = stack.emulator.getReferral(id) as { eTag: string; details: Record<string, unknown> };
      const result = await update(id, { details: { currency: 'EUR' } }, before.eTag);
      expect(result.__typename).toBe('UpdateReferralSuccess');
      if (mode === 'put') expect(written('/details')).toEqual({ ...before.details, currency: 'EUR' });
      else expect(patchedPaths()).toEqual(['/details/currency']);
      expect(stack.emulator.getReferral(id)?.details).toEqual({ ...before.details, currency: 'EUR' });
    });

    test('lists replace the current list whole', async () => {
      const id = seedReferral({
        team: [{ email: 'a@example.com', firstName: 'Ann', title: 'Seller' }, { email: 'b@example.com' }],
      });
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      const result = await update(id, { team: [{ email: 'c@example.com', firstName: 'Cy' }] }, etag);
      expect(result.referral?.team).toEqual([{ email: 'c@example.com', firstName: 'Cy' }]);
      expect(written('/team')).toEqual([{ email: 'c@example.com', firstName: 'Cy' }]);
      expect(stack.emulator.getReferral(id)?.team).toEqual([{ email: 'c@example.com', firstName: 'Cy' }]);
    });

    test('a change outside the documented patchable paths is one full PUT in either mode, never half a patch', async () => {
      const id = seedReferral();
      const before = await upstreamBody(id);
      stack.emulator.clearRequests();
      stack.logLines.length = 0;
      const result = await update(
        id,
        { name: 'Renamed deal', details: { notes: 'Patchable on its own' } },
        String(before.eTag),
      );
      expect(result.__typename).toBe('UpdateReferralSuccess');
      expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
      const after = stack.emulator.getReferral(id) as Record<string, unknown>;
      expect(after.name).toBe('Renamed deal');
      expect((after.details as Record<string, unknown>).notes).toBe('Patchable on its own');
      const fallback = stack.logLines.filter((l) => String(l.msg).includes('sent as a full PUT'));
      if (mode === 'patch') {
        expect(fallback).toHaveLength(1);
        expect(fallback[0]?.unpatchablePaths).toEqual(['/name']);
      } else {
        expect(fallback).toHaveLength(0);
      }
    });
  });

  describe('updateReferral never loses an update', () => {
    test('a stale etag answers ReferralPreconditionFailed with the current state, and nothing is written', async () => {
      const id = seedReferral();
      const stale = String(stack.emulator.getReferral(id)?.eTag);
      stack.emulator.putReferral({ ...stack.emulator.getReferral(id), name: 'Changed by someone else' });
      const current = stack.emulator.getReferral(id) as { eTag: string };
      stack.emulator.clearRequests();

      const result = await update(id, { name: 'Mine' }, stale);
      expect(result).toMatchObject({
        __typename: 'ReferralPreconditionFailed',
        currentEtag: current.eTag,
        currentReferral: { id, etag: current.eTag, name: 'Changed by someone else' },
      });
      expect(writes()).toHaveLength(0);
      expect(stack.emulator.getReferral(id)?.name).toBe('Changed by someone else');
    });

    test('a write that lands between our read and our write gives the upstream 412 and the same typed answer', async () => {
      const id = seedReferral();
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      stack.emulator.injectFault({
        method: WRITE,
        idEquals: id,
        times: 1,
        fault: { kind: 'concurrentWrite', changes: { name: 'Sneaked in' } },
      });

      const result = await update(id, { statusReason: 'Mine' }, etag);
      const now = stack.emulator.getReferral(id) as { eTag: string; name: string };
      expect(result).toMatchObject({
        __typename: 'ReferralPreconditionFailed',
        currentEtag: now.eTag,
        currentReferral: { name: 'Sneaked in' },
      });
      expect(now.name).toBe('Sneaked in');
      expect(stack.emulator.getReferral(id)?.statusReason).toBe('Waiting for the customer');
      expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET', WRITE, 'GET']);
    });

    test('an unknown id answers ReferralNotFound and writes nothing', async () => {
      const result = await update('11111111-2222-3333-4444-555555555555', { name: 'x' }, '"x"');
      expect(result).toEqual({
        __typename: 'ReferralNotFound',
        message: 'There is no referral with this id.',
        id: '11111111-2222-3333-4444-555555555555',
      });
      expect(writes()).toHaveLength(0);
    });

    test('an upstream 400 answers ReferralValidationFailed with the upstream message', async () => {
      const id = seedReferral();
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      stack.emulator.injectFault({
        method: WRITE,
        fault: {
          kind: 'status',
          status: 400,
          body: { error: { code: 'invalidRequest', message: 'Status reason is too long.' } },
        },
      });
      const result = await update(id, { statusReason: 'x' }, etag);
      expect(result).toEqual({
        __typename: 'ReferralValidationFailed',
        message: 'Status reason is too long.',
        fieldErrors: [],
      });
    });

    test.each([
      [401, 'UNAUTHENTICATED'],
      [403, 'FORBIDDEN'],
      [500, 'UPSTREAM_UNAVAILABLE'],
    ])('an upstream %i on the write is a top-level %s error', async (status, code) => {
      const id = seedReferral();
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      stack.emulator.injectFault({
        method: WRITE,
        fault: { kind: 'status', status, body: { error: { code: 'x', message: 'secret' } } },
      });
      const res = await stack.gql(UPDATE_REFERRAL, { id, input: { statusReason: 'x' }, etag });
      expect(res.body.data).toBeNull();
      expect(res.body.errors?.[0]?.extensions).toEqual({ code });
      expect(res.text).not.toContain('secret');
    });

    test('each update reads fresh, never a copy cached earlier in the operation', async () => {
      const id = seedReferral();
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      const res = await stack.gql(`query($id: ID!) { referral(id: $id) { etag } }`, { id });
      expect((res.body.data as { referral: { etag: string } }).referral.etag).toBe(etag);
      const both = await stack.gql<Record<string, UpdateResult>>(
        `mutation($id: ID!, $etag: String!) {
          first: updateReferral(id: $id, input: { statusReason: "One" }, etag: $etag) {
            __typename ... on UpdateReferralSuccess { referral { etag } }
          }
          second: updateReferral(id: $id, input: { statusReason: "Two" }, etag: $etag) {
            __typename ... on ReferralPreconditionFailed { currentEtag currentReferral { statusReason } }
          }
        }`,
        { id, etag },
      );
      const data = both.body.data as Record<string, UpdateResult>;
      expect(data.first?.__typename).toBe('UpdateReferralSuccess');
      expect(data.second).toEqual({
        __typename: 'ReferralPreconditionFailed',
        currentEtag: data.first?.referral?.etag,
        currentReferral: { statusReason: 'One' },
      });
      expect(stack.emulator.getReferral(id)?.statusReason).toBe('One');
      expect(writes().map((w) => w.method)).toEqual([WRITE]);
    });
  });

  describe('the transition table, exhaustively', () => {
    const STATUSES = ['None', 'New', 'Active', 'Closed'];
    const SUBSTATUSES = ['None', 'Pending', 'Received', 'Accepted', 'Won', 'Lost', 'Declined', 'Expired'];
    const ALLOWED: Record<string, { next: string[]; sub: string[] }> = {
      New: { next: ['New', 'Active', 'Closed'], sub: ['Pending', 'Received'] },
      Active: { next: ['Active', 'Closed'], sub: ['Accepted'] },
      Closed: { next: ['Closed'], sub: ['Won', 'Lost', 'Declined', 'Expired'] },
    };
    const FROM_SUBSTATUS: Record<string, string> = {
      None: 'None',
      New: 'Pending',
      Active: 'Accepted',
      Closed: 'Won',
    };

    test('every (current status, new status, new substatus) is allowed exactly when the table says so', async () => {
      const id = seedReferral();
      let checked = 0;
      for (const from of STATUSES) {
        for (const to of STATUSES) {
          for (const sub of SUBSTATUSES) {
            stack.emulator.putReferral({
              ...stack.emulator.getReferral(id),
              status: from,
              substatus: FROM_SUBSTATUS[from],
            });
            const etag = String(stack.emulator.getReferral(id)?.eTag);
            stack.emulator.clearRequests();
            const result = await update(
              id,
              { status: screamingSnake(to), substatus: screamingSnake(sub) },
              etag,
            );
            const allowed =
              ALLOWED[from]?.next.includes(to) === true && ALLOWED[to]?.sub.includes(sub) === true;
            const label = `${from} → ${to}/${sub}`;
            if (allowed) {
              expect({ label, type: result.__typename, writes: writes().length }).toEqual({
                label,
                type: 'UpdateReferralSuccess',
                writes: 1,
              });
              expect({
                label,
                stored: [stack.emulator.getReferral(id)?.status, stack.emulator.getReferral(id)?.substatus],
              }).toEqual({
                label,
                stored: [to, sub],
              });
            } else {
              expect({ label, type: result.__typename, writes: writes().length }).toEqual({
                label,
                type: 'ReferralTransitionNotAllowed',
                writes: 0,
              });
              const reachable = ALLOWED[from]?.next ?? [];
              expect(result.allowedStatuses).toEqual(reachable.map(screamingSnake));
              expect(result.fromStatus).toBe(screamingSnake(from));
            }
            checked += 1;
          }
        }
      }
      expect(checked).toBe(STATUSES.length * STATUSES.length * SUBSTATUSES.length);
    });
  });

  describe('bad inputs are refused before any write', () => {
    const cases: [string, Record<string, unknown>, string[][]][] = [
      ['lower-case currency', { details: { currency: 'usd' } }, [['details', 'currency']]],
      ['unknown currency', { details: { currency: 'ABC' } }, [['details', 'currency']]],
      ['currency name', { details: { currency: 'Dollar' } }, [['details', 'currency']]],
      ['negative deal value', { details: { dealValue: -0.01 } }, [['details', 'dealValue']]],
      [
        'three-letter country',
        { customerProfile: { address: { country: 'USA' } } },
        [['customerProfile', 'address', 'country']],
      ],
      [
        'lower-case country',
        { customerProfile: { address: { country: 'us' } } },
        [['customerProfile', 'address', 'country']],
      ],
      [
        'not a country',
        { customerProfile: { address: { country: 'EU' } } },
        [['customerProfile', 'address', 'country']],
      ],
      ['team e-mail', { team: [{ email: 'not-an-email' }] }, [['team', '0', 'email']]],
      [
        'customer contact e-mail',
        { customerProfile: { team: [{ email: 'a@b' }] } },
        [['customerProfile', 'team', '0', 'email']],
      ],
      [
        'second member e-mail',
        { team: [{ email: 'ok@example.com' }, { email: 'x@@example.com' }] },
        [['team', '1', 'email']],
      ],
      ['date without time', { details: { closingDateTime: '2025-06-30' } }, [['details', 'closingDateTime']]],
      [
        'date with offset',
        { details: { closingDateTime: '2025-06-30T00:00:00+02:00' } },
        [['details', 'closingDateTime']],
      ],
      [
        'impossible date',
        { details: { closingDateTime: '2025-02-30T00:00:00Z' } },
        [['details', 'closingDateTime']],
      ],
      [
        'locale with underscore',
        { team: [{ contactPreference: { locale: 'en_US' } }] },
        [['team', '0', 'contactPreference', 'locale']],
      ],
      [
        'locale as a word',
        { customerProfile: { team: [{ contactPreference: { locale: 'english' } }] } },
        [['customerProfile', 'team', '0', 'contactPreference', 'locale']],
      ],
      ['empty target id', { target: [{ id: ' ', type: 'SOLUTION_PROFILE' }] }, [['target', '0', 'id']]],
      [
        'empty product tag',
        { details: { requirements: { products: [{ id: '' }] } } },
        [['details', 'requirements', 'products', '0', 'id']],
      ],
      [
        'several at once',
        { details: { currency: 'usd', dealValue: -5 }, team: [{ email: 'nope' }] },
        [
          ['details', 'dealValue'],
          ['details', 'currency'],
          ['team', '0', 'email'],
        ],
      ],
    ];

    test.each(cases)(
      '%s answers ReferralValidationFailed with the right paths',
      async (_name, input, paths) => {
        const id = seedReferral();
        const etag = String(stack.emulator.getReferral(id)?.eTag);
        stack.emulator.clearRequests();
        const result = await update(id, input, etag);
        expect(result.__typename).toBe('ReferralValidationFailed');
        expect(result.fieldErrors?.map((e) => e.path)).toEqual(paths);
        for (const error of result.fieldErrors ?? []) expect(error.code).toMatch(/^[A-Z_]+$/);
        expect(writes()).toHaveLength(0);
      },
    );
  });

  describe('concurrency', () => {
    test('50 concurrent updates with one etag, 20 rounds: exactly one wins each round and its input is what stays', async () => {
      const id = seedReferral();
      for (let round = 0; round < 20; round += 1) {
        const etag = String(stack.emulator.getReferral(id)?.eTag);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, client) =>
            update(id, { details: { notes: `round ${round} client ${client}` } }, etag),
          ),
        );
        const winners = results.flatMap((r, client) =>
          r.__typename === 'UpdateReferralSuccess' ? [client] : [],
        );
        const conflicts = results.filter((r) => r.__typename === 'ReferralPreconditionFailed');
        expect({ round, winners: winners.length, conflicts: conflicts.length }).toEqual({
          round,
          winners: 1,
          conflicts: 49,
        });
        const stored = stack.emulator.getReferral(id) as { details: { notes: string }; eTag: string };
        expect(stored.details.notes).toBe(`round ${round} client ${winners[0]}`);
        for (const conflict of conflicts) expect(conflict.currentEtag).toMatch(/^".+"$/);
      }
    });
  });

  describe('how the write reaches the Partner API', () => {
    test('an update costs one read and one write', async () => {
      const id = seedReferral();
      let etag = String(stack.emulator.getReferral(id)?.eTag);
      stack.emulator.clearRequests();
      for (let i = 0; i < 10; i += 1) {
        const result = await update(id, { details: { notes: `note ${i}` } }, etag);
        etag = String(result.referral?.etag);
      }
      expect(stack.emulator.requests.filter((r) => r.method === 'GET')).toHaveLength(10);
      expect(writes().map((w) => w.method)).toEqual(Array(10).fill(WRITE));
    });

    test('a write whose answer is lost after it landed is a success, settled by one re-read', async () => {
      const id = seedReferral();
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      stack.emulator.injectFault({ method: WRITE, idEquals: id, times: 1, fault: { kind: 'applyThenDrop' } });
      const result = await update(id, { statusReason: 'Landed' }, etag);
      const now = stack.emulator.getReferral(id) as { eTag: string; statusReason: string };
      expect(result).toMatchObject({ __typename: 'UpdateReferralSuccess', referral: { etag: now.eTag } });
      expect(now.statusReason).toBe('Landed');
      expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET', WRITE, 'GET']);
    });

    test('a field the caller set to what it already is: a PUT with If-Match in either mode (no `PATCH []`), a write with a new etag', async () => {
      const id = seedReferral();
      const etag = String(stack.emulator.getReferral(id)?.eTag);
      const result = await update(id, { statusReason: 'Waiting for the customer' }, etag);
      const now = stack.emulator.getReferral(id) as { eTag: string };
      expect(result).toMatchObject({ __typename: 'UpdateReferralSuccess', referral: { etag: now.eTag } });
      expect(now.eTag).not.toBe(etag);
      expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
      expect(stack.emulator.requests[1]?.headers['if-match']).toBe(etag);
    });

    if (mode === 'patch') {
      test('a PATCH answered 204 without the referral costs one more read, and answers the same', async () => {
        const id = seedReferral();
        const etag = String(stack.emulator.getReferral(id)?.eTag);
        stack.emulator.injectFault({ method: 'PATCH', idEquals: id, times: 1, fault: { kind: 'noContent' } });
        const result = await update(id, { substatus: 'RECEIVED' }, etag);
        const now = stack.emulator.getReferral(id) as { eTag: string; substatus: string };
        expect(result).toMatchObject({
          __typename: 'UpdateReferralSuccess',
          referral: { etag: now.eTag, substatus: 'RECEIVED' },
        });
        expect(stack.emulator.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET']);
      });

      test.each([[403], [429]])(
        'a PATCH answered 204 whose read after it fails (%i) is still a success: the planned referral under the ETag header, logged',
        async (status) => {
          const id = seedReferral();
          const etag = String(stack.emulator.getReferral(id)?.eTag);
          // The fresh read before the write passes; the PATCH lands and answers 204 with its ETag;
          // every read after it fails.
          stack.emulator.injectFault({
            method: 'GET',
            idEquals: id,
            times: 1,
            fault: { kind: 'delay', ms: 0 },
          });
          stack.emulator.injectFault({
            method: 'PATCH',
            idEquals: id,
            times: 1,
            fault: { kind: 'noContent' },
          });
          stack.emulator.injectFault({ method: 'GET', idEquals: id, fault: { kind: 'status', status } });
          const result = await update(id, { substatus: 'RECEIVED', details: { notes: 'Planned' } }, etag);
          const now = stack.emulator.getReferral(id) as { eTag: string; substatus: string };
          expect(now.substatus).toBe('Received');
          expect(result).toMatchObject({
            __typename: 'UpdateReferralSuccess',
            referral: { id, etag: now.eTag, substatus: 'RECEIVED', details: { notes: 'Planned' } },
          });
          expect(writes()).toHaveLength(1);
          expect(stack.logLines.some((line) => String(line.msg).includes('read after it failed'))).toBe(true);
        },
      );
    }
  });
}
