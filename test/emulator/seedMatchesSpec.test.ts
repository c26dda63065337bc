/**
 * Every seeded referral against the connector's Referral schema (connectorReferralSchema.ts): each
 * property the seed emits must be in the schema with the schema's type and enum, or be one of the
 * oddities below that the seed carries on purpose, each with its reason.
 *
 * `null` passes for any property: Swagger 2.0 cannot say "nullable", and the live service sends
 * null for many of these fields (docs/partner-api.md §5).
 */
import { describe, expect, test } from '@jest/globals';
import { seedReferrals } from '../../src/emulator/seed.ts';
import { CONNECTOR_REFERRAL, OneOf, type Schema } from './connectorReferralSchema.ts';

/** Seeded properties the schema does not have. Paths as in the schema: `.` for properties, `[]` for items. */
const UNDOCUMENTED_PROPERTIES: Readonly<Record<string, string>> = {
  'team[].title': 'an extra Member field seen on the wire (docs/partner-api.md §5.2 Member)',
  'customerProfile.team[].title': 'an extra Member field seen on the wire (docs/partner-api.md §5.2 Member)',
  'customerProfile.isMatchingComplete': 'seen in live payloads (docs/partner-api.md §5.3)',
  'details.requirements.salesPlays':
    'on the wire beside offers (docs/partner-api.md §5.2 ReferralRequirements)',
  'details.incentiveLevel': 'on the wire, always null (docs/partner-api.md §5.2 ReferralDetails)',
  'details.requirements.additionalRequirements.iot':
    'on the wire inside the object the spec leaves open (docs/partner-api.md §5.2 ReferralRequirements)',
  dealSensitivity: 'seen in live payloads as "None" (docs/partner-api.md §5.3)',
  createdVia: 'seen in live payloads (docs/partner-api.md §5.3)',
  'trackingInfo.microsoftUSFedOpportunityId': 'part of the live trackingInfo (docs/partner-api.md §5.3)',
  'trackingInfo.microsoftUSFedLeadId': 'part of the live trackingInfo (docs/partner-api.md §5.3)',
  'trackingInfo.migratedPSCDealId': 'part of the live trackingInfo (docs/partner-api.md §5.3)',
  'trackingInfo.migratedPSCPartnerDealId': 'part of the live trackingInfo (docs/partner-api.md §5.3)',
};

/** Seeded values outside the schema's enum. */
const OFF_ENUM_VALUES: readonly { path: string; value: string; reason: string }[] = [
  {
    path: 'salesStage',
    value: '100',
    reason: 'observed live as the string "100" beside the enum names (docs/partner-api.md §5.3)',
  },
];

interface Findings {
  /** What does not match the schema, as `path: problem`. */
  readonly problems: string[];
  /** The exceptions (property paths, or `path=value`) the walk relied on. */
  readonly excused: Set<string>;
}

function describeValue(value: unknown): string {
  return Array.isArray(value)
    ? 'an array'
    : value === null
      ? 'null'
      : `${typeof value} ${JSON.stringify(value)}`;
}

function walk(value: unknown, schema: Schema, path: string, findings: Findings): void {
  const offEnum = OFF_ENUM_VALUES.find((odd) => odd.path === path && odd.value === value);
  if (offEnum !== undefined) {
    findings.excused.add(`${path}=${offEnum.value}`);
    return;
  }
  if (value === null || schema === 'any') return;
  if (schema instanceof OneOf) {
    if (typeof value !== 'string' || !schema.values.includes(value)) {
      findings.problems.push(`${path}: ${describeValue(value)} is not one of ${schema.values.join(', ')}`);
    }
    return;
  }
  if (typeof schema === 'string') {
    if (typeof value !== schema)
      findings.problems.push(`${path}: ${describeValue(value)} is not a ${schema}`);
    return;
  }
  if (Array.isArray(schema)) {
    if (!Array.isArray(value)) findings.problems.push(`${path}: ${describeValue(value)} is not an array`);
    else for (const item of value) walk(item, schema[0], `${path}[]`, findings);
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    findings.problems.push(`${path}: ${describeValue(value)} is not an object`);
    return;
  }
  const properties = schema as Readonly<Record<string, Schema>>;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const childSchema = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (childSchema !== undefined) walk(child, childSchema, childPath, findings);
    else if (Object.hasOwn(UNDOCUMENTED_PROPERTIES, childPath)) findings.excused.add(childPath);
    else findings.problems.push(`${childPath}: not in the connector's Referral schema`);
  }
}

function check(referrals: readonly Record<string, unknown>[]): Findings {
  const findings: Findings = { problems: [], excused: new Set() };
  referrals.forEach((referral, index) => {
    const before = findings.problems.length;
    walk(referral, CONNECTOR_REFERRAL, '', findings);
    for (let i = before; i < findings.problems.length; i += 1) {
      findings.problems[i] = `referral #${index}: ${findings.problems[i]}`;
    }
  });
  return findings;
}

const seeded = seedReferrals();

describe('seeded referrals against the connector spec', () => {
  test('give every property the type and enum of the connector spec, oddities aside', () => {
    expect(check(seeded).problems).toEqual([]);
  });

  test('still carry every listed oddity, so the exception list cannot go stale', () => {
    const listed = [
      ...Object.keys(UNDOCUMENTED_PROPERTIES),
      ...OFF_ENUM_VALUES.map((odd) => `${odd.path}=${odd.value}`),
    ];
    expect([...check(seeded).excused].sort()).toEqual(listed.sort());
  });

  test('give the registration contract term as the enum string, not a number of months (#11)', () => {
    const terms = seeded.flatMap((r) =>
      ((r.registrations ?? []) as { contract: { term: unknown } }[]).map((reg) => reg.contract.term),
    );
    expect(terms.length).toBeGreaterThan(0);
    expect(new Set(terms)).toEqual(new Set(['Finite']));
  });
});

describe('the spec check itself', () => {
  const base = structuredClone(
    seeded.find((r) => Array.isArray(r.registrations) && r.registrations.length > 0),
  );

  test('reports a number where the spec wants a string', () => {
    const referral = structuredClone(base) as { registrations: { contract: { term: unknown } }[] };
    (referral.registrations[0] as { contract: { term: unknown } }).contract.term = 12;
    expect(check([referral]).problems).toEqual([
      expect.stringContaining('registrations[].contract.term: number 12 is not one of Perpetual, Finite'),
    ]);
  });

  test('reports a property the spec does not know and no exception excuses', () => {
    const referral = { ...base, customerProfile: { ...(base?.customerProfile as object), vatNumber: 'X' } };
    expect(check([referral]).problems).toEqual([
      "referral #0: customerProfile.vatNumber: not in the connector's Referral schema",
    ]);
  });

  test('reports a value outside an enum, and a wrong container', () => {
    expect(check([{ salesStage: 'Won', team: {} }]).problems).toEqual([
      'referral #0: salesStage: string "Won" is not one of Qualify, Develop, Propose, Close',
      'referral #0: team: object {} is not an array',
    ]);
  });
});
