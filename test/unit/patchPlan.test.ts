import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { valueAtPointer } from '../../src/domain/jsonPointer.ts';
import { type JsonObject, mergeChanges } from '../../src/domain/referral/merge.ts';
import { PATCHABLE_PATHS, planPatch } from '../../src/domain/referral/patchPlan.ts';
import { applyJsonPatch } from '../../src/emulator/jsonPatch.ts';
import { handleReferralRequest } from '../../src/emulator/referralRoutes.ts';
import { ReferralStore } from '../../src/emulator/store.ts';

const current: JsonObject = {
  id: 'r-1',
  name: 'Deal',
  status: 'New',
  substatus: 'Pending',
  statusReason: null,
  details: { notes: 'n', dealValue: 10, currency: 'USD', requirements: { solutions: [{ id: 'S-1' }] } },
  consent: { consentToContact: true, consentToShareReferralWithMicrosoftSellers: true },
  team: [{ email: 'a@example.com' }],
  eTag: '"1"',
  updatedDateTime: '2025-01-01T00:00:00.0000000Z',
  links: { self: { uri: 'x', method: 'GET' } },
};

/** The referral without what the service sets on every write, as the Partner API would store it. */
function content(referral: JsonObject): JsonObject {
  const { eTag: _e, updatedDateTime: _u, links: _l, '@odata.context': _c, ...rest } = referral;
  return rest;
}

describe('planPatch turns a planned update into a JSON Patch of documented paths only', () => {
  test('changed documented paths become one op each, `replace` where the member exists and `add` where not', () => {
    const next = mergeChanges(current, { substatus: 'Received', campaignId: 'C-1', details: { notes: 'm' } });
    expect(planPatch(current, next)).toEqual({
      kind: 'patch',
      ops: [
        { op: 'replace', path: '/substatus', value: 'Received' },
        { op: 'replace', path: '/details/notes', value: 'm' },
        { op: 'add', path: '/campaignId', value: 'C-1' },
      ],
    });
  });

  test('a list is sent whole at its documented path', () => {
    const next = mergeChanges(current, { team: [{ email: 'b@example.com' }, { email: 'c@example.com' }] });
    expect(planPatch(current, next)).toEqual({
      kind: 'patch',
      ops: [
        { op: 'replace', path: '/team', value: [{ email: 'b@example.com' }, { email: 'c@example.com' }] },
      ],
    });
  });

  test('any change outside the documented paths makes the whole write a PUT, naming those paths', () => {
    const next = mergeChanges(current, {
      name: 'Renamed',
      status: 'Active',
      consent: { consentToContact: false },
    });
    expect(planPatch(current, next)).toEqual({
      kind: 'put',
      unpatchablePaths: ['/name', '/consent/consentToContact'],
    });
  });

  test('a documented leaf under an object the referral lacks cannot be patched into existence', () => {
    const { details: _d, ...bare } = current;
    const next = mergeChanges(bare, { details: { notes: 'new' } });
    expect(planPatch(bare, next)).toEqual({ kind: 'put', unpatchablePaths: ['/details'] });
  });

  test('no change plans no patch (`PATCH []` is undocumented: the caller sends the PUT); service-set fields are never compared', () => {
    expect(planPatch(current, { ...content(current), eTag: '"2"' })).toEqual({ kind: 'unchanged' });
  });

  test('keys holding `/` or `~` are escaped as RFC 6901 requires', () => {
    const odd = { ...current, details: { ...(current.details as JsonObject), 'a/b~c': 1 } };
    expect(planPatch(current, odd)).toEqual({ kind: 'put', unpatchablePaths: ['/details/a~1b~0c'] });
  });
});

/** A value each documented path takes on the referral below (a new path needs one here). */
const SAMPLE_VALUES: Readonly<Record<string, unknown>> = {
  '/campaignId': 'CMP-7',
  '/consent/consentToShareReferralWithMicrosoftSellers': false,
  '/customerProfile/team': [{ email: 'c@example.com' }],
  '/details/closingDateTime': '2026-01-31T00:00:00.0000000Z',
  '/details/currency': 'EUR',
  '/details/dealValue': 12,
  '/details/notes': 'patched',
  '/details/requirements/solutions': [{ id: 'S-2' }],
  '/externalReferenceId': 'EXT-9',
  '/referralProgram': 'Program',
  '/salesStage': 'Develop',
  '/status': 'Active',
  '/substatus': 'Received',
  '/statusReason': 'Because',
  '/team': [{ email: 'b@example.com' }],
};

/** A copy of `document` with `value` at `path` (objects on the way created). */
function withValueAt(document: JsonObject, path: string, value: unknown): JsonObject {
  const copy = JSON.parse(JSON.stringify(document)) as JsonObject;
  const tokens = path.slice(1).split('/');
  let at = copy;
  for (const token of tokens.slice(0, -1)) {
    at[token] ??= {};
    at = at[token] as JsonObject;
  }
  at[tokens.at(-1) as string] = value;
  return copy;
}

describe('the documented paths, as planned and sent to the emulator’s PATCH', () => {
  const referral: JsonObject = { ...current, customerProfile: { name: 'C', team: [] } };

  test.each(PATCHABLE_PATHS.map((path) => [path]))('%s is accepted and applied', (path) => {
    const value = SAMPLE_VALUES[path];
    expect(value).toBeDefined();
    let next = withValueAt(referral, path, value);
    // `/status` alone must still make a legal pair: Active goes with Accepted (transition table).
    if (path === '/status') next = { ...next, substatus: 'Accepted' };
    const plan = planPatch(referral, next);
    if (plan.kind !== 'patch') throw new Error(`planned ${plan.kind}`);
    const store = new ReferralStore();
    const stored = store.insert(referral);
    const answer = handleReferralRequest({
      method: 'PATCH',
      id: 'r-1',
      query: new URLSearchParams(),
      headers: { 'if-match': String(stored.eTag) },
      body: plan.ops,
      caller: { role: 'admin' },
      store,
      baseUrl: 'http://emulator.test/v1.0',
    });
    expect(answer.status).toBe(204);
    // A JSON copy: the store's structuredClone objects come from another realm under jest's VM.
    expect(valueAtPointer(JSON.parse(JSON.stringify(store.get('r-1'))), path)).toEqual(value);
  });
});

const text = fc.option(fc.string({ maxLength: 8 }), { nil: null });
const changesArb = fc.record(
  {
    name: text,
    statusReason: text,
    substatus: fc.constantFrom('Pending', 'Received'),
    campaignId: text,
    details: fc.record(
      { notes: text, currency: fc.constantFrom('USD', 'EUR'), dealValue: fc.nat(), customerAction: text },
      { requiredKeys: [] },
    ),
    consent: fc.record(
      { consentToContact: fc.boolean(), consentToShareReferralWithMicrosoftSellers: fc.boolean() },
      { requiredKeys: [] },
    ),
    team: fc.array(fc.record({ email: fc.constantFrom('x@example.com', 'y@example.com') }), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

describe('planPatch, for any change', () => {
  test('the patch applied to the referral gives exactly the planned body, or it is a PUT with a reason, or nothing differs', () => {
    fc.assert(
      fc.property(changesArb, (changes) => {
        const next = mergeChanges(current, changes);
        const plan = planPatch(current, next);
        if (plan.kind === 'put') {
          expect(plan.unpatchablePaths.length).toBeGreaterThan(0);
          return;
        }
        if (plan.kind === 'unchanged') {
          expect(JSON.stringify(content(next))).toBe(JSON.stringify(content(current)));
          return;
        }
        expect(plan.ops.length).toBeGreaterThan(0);
        for (const op of plan.ops) expect(PATCHABLE_PATHS).toContain(op.path);
        const patched = applyJsonPatch(current, plan.ops) as JsonObject;
        expect(JSON.stringify(content(patched))).toBe(JSON.stringify(content(next)));
      }),
      { numRuns: 500 },
    );
  });
});
