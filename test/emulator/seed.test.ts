import { describe, expect, test } from '@jest/globals';
import { seedReferrals } from '../../src/emulator/seed.ts';
import { settablePairs } from '../../src/emulator/transitions.ts';

const referrals = seedReferrals();
const SEVEN_DIGITS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

describe('seedReferrals', () => {
  test('is deterministic', () => {
    expect(seedReferrals()).toEqual(referrals);
  });

  test('produces 65 referrals, with the read-only None/None pair at indexes 17 and 48', () => {
    expect(referrals).toHaveLength(65);
    const none = referrals.flatMap((r, index) => (r.status === 'None' ? [[index, r.substatus]] : []));
    expect(none).toEqual([
      [17, 'None'],
      [48, 'None'],
    ]);
  });

  test('produces at least 60 referrals with unique GUID ids', () => {
    expect(referrals.length).toBeGreaterThanOrEqual(60);
    const ids = referrals.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(GUID);
  });

  test('covers every (status, substatus) pair of the transition table several times, plus None/None', () => {
    const counts = new Map<string, number>();
    for (const r of referrals)
      counts.set(`${r.status}/${r.substatus}`, (counts.get(`${r.status}/${r.substatus}`) ?? 0) + 1);
    for (const [status, substatus] of settablePairs()) {
      expect(counts.get(`${status}/${substatus}`)).toBeGreaterThanOrEqual(3);
    }
    expect(counts.get('None/None')).toBeGreaterThanOrEqual(1);
  });

  test('writes every timestamp in UTC with 7 fractional digits', () => {
    for (const r of referrals) {
      for (const field of ['createdDateTime', 'updatedDateTime', 'details.closingDateTime']) {
        expect(at(r, field)).toMatch(SEVEN_DIGITS);
      }
      for (const field of ['expirationDateTime', 'acceptedDateTime']) {
        const value = at(r, field);
        if (value !== null) expect(value).toMatch(SEVEN_DIGITS);
      }
    }
    expect(referrals.some((r) => r.expirationDateTime === null)).toBe(true);
  });

  test('has some referrals sharing an engagementId', () => {
    const engagements = referrals.map((r) => r.engagementId);
    expect(new Set(engagements).size).toBeLessThan(engagements.length);
  });

  test('includes every documented field and the odd values seen on the wire', () => {
    const documented = [
      'id',
      'engagementId',
      'name',
      'externalReferenceId',
      'organizationId',
      'organizationName',
      'createdDateTime',
      'updatedDateTime',
      'expirationDateTime',
      'acceptedDateTime',
      'status',
      'substatus',
      'statusReason',
      'type',
      'qualification',
      'customerProfile.name',
      'customerProfile.address.addressLine2',
      'customerProfile.address.region',
      'customerProfile.size',
      'customerProfile.team',
      'customerProfile.ids',
      'consent.consentToToShareInfoWithOthers',
      'consent.consentToContact',
      'consent.consentToShareReferralWithMicrosoftSellers',
      'details.notes',
      'details.dealValue',
      'details.currency',
      'details.closingDateTime',
      'details.requirements.industries',
      'details.requirements.products',
      'details.requirements.services',
      'details.requirements.solutions',
      'team',
      'inviteContext.notes',
      'inviteContext.invitedBy.organizationId',
      'target',
    ];
    for (const field of documented) {
      expect(referrals.every((r) => at(r, field) !== undefined)).toBe(true);
    }
    const values = (path: string) => new Set(referrals.map((r) => at(r, path)));
    expect(values('externalReferenceId').has('')).toBe(true);
    expect(values('externalReferenceId').has(null)).toBe(true);
    expect(values('customerProfile.size').has('')).toBe(true);
    expect(values('customerProfile.size').has(null)).toBe(true);
    expect(values('type')).toEqual(new Set(['Shared', 'Independent']));
    expect([...values('qualification')].sort()).toEqual([
      'Direct',
      'MarketingQualified',
      'None',
      'SalesQualified',
    ]);
    const solutionTypes = new Set(
      referrals.flatMap((r) =>
        (at(r, 'details.requirements.solutions') as { type: string }[]).map((s) => s.type),
      ),
    );
    expect(solutionTypes).toEqual(new Set(['Category', 'Name', 'None']));
    const targetTypes = new Set(
      referrals.flatMap((r) => (r.target as { type: string }[]).map((t) => t.type)),
    );
    expect(targetTypes).toEqual(new Set(['SolutionProfile', 'BusinessProfileLocation', 'None']));
    const idTypes = new Set(
      referrals.flatMap((r) =>
        (at(r, 'customerProfile.ids') as { profileType: string }[]).map((i) => i.profileType),
      ),
    );
    expect(idTypes).toEqual(new Set(['Duns', 'External']));
    expect(referrals.some((r) => at(r, 'inviteContext.assistanceRequestCode') !== undefined)).toBe(true);
    for (const r of referrals) {
      expect(at(r, 'customerProfile.address.country')).toMatch(/^[A-Z]{2}$/);
      expect(at(r, 'details.currency')).toMatch(/^[A-Z]{3}$/);
      expect(typeof at(r, 'details.dealValue')).toBe('number');
      expect(r).not.toHaveProperty('eTag');
      expect(r).not.toHaveProperty('links');
    }
  });

  test('gives about a third of the referrals the undocumented fields live payloads carry', () => {
    const withExtras = referrals.filter((r) => r.direction !== undefined);
    expect(withExtras.length).toBeGreaterThanOrEqual(referrals.length / 4);
    expect(withExtras.length).toBeLessThanOrEqual(referrals.length / 2);
    for (const field of [
      'closedDateTime',
      'favorite',
      'salesStage',
      'quality',
      'isSpam',
      'mpnId',
      'dealSensitivity',
      'tags',
      'registrationStatus',
      'registrations',
      'trackingInfo',
      'customerProfile.isMatchingComplete',
      'details.customerRequestedContact',
    ]) {
      expect(withExtras.every((r) => at(r, field) !== undefined)).toBe(true);
    }
    expect(new Set(withExtras.map((r) => r.direction))).toEqual(new Set(['Incoming', 'Outgoing']));
    expect(withExtras.some((r) => r.salesStage === '100')).toBe(true);
    const registration = withExtras.flatMap((r) => r.registrations as Record<string, unknown>[])[0];
    expect(registration).toMatchObject({ contract: expect.any(Object), solutionDetails: expect.any(Array) });
    const members = referrals.flatMap((r) => [
      ...(r.team as object[]),
      ...(at(r, 'customerProfile.team') as object[]),
    ]);
    expect(members.some((m) => 'title' in m)).toBe(true);
  });
});
