/**
 * The presentation of referrals and deal registrations (src/graphql/wirePresentation.ts): which
 * fields it answers instead of resolvers, that it copies only what it must and never changes the
 * wire object, and where values of the types it covers enter the answer.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { type GraphQLNamedType, getNamedType, isAbstractType, isObjectType } from 'graphql';
import { isJsonObject } from '../../src/domain/json.ts';
import { seedReferrals } from '../../src/emulator/seed.ts';
import { TOLERANT_FIELDS } from '../../src/graphql/tolerantFields.ts';
import { createWirePresenter, isPresentedField, presentedTypes } from '../../src/graphql/wirePresentation.ts';
import { buildSchema } from '../../src/server/buildSchema.ts';

const schema = buildSchema();
const covered = presentedTypes(schema);
const SEED_REFERRALS = seedReferrals() as unknown as Record<string, unknown>[];

describe('coverage', () => {
  test('every tolerance rule is applied by the presentation, and no field it answers keeps a resolver', () => {
    for (const [typeName, fields] of Object.entries(TOLERANT_FIELDS))
      for (const fieldName of Object.keys(fields))
        expect([typeName, fieldName, isPresentedField(schema, covered, typeName, fieldName)]).toEqual([
          typeName,
          fieldName,
          true,
        ]);
    const withResolvers = [...covered].flatMap((name) => {
      const type = schema.getType(name);
      if (!isObjectType(type)) return [];
      return Object.values(type.getFields()).flatMap((f) => (f.resolve ? [`${name}.${f.name}`] : []));
    });
    // Computed, not read: the ETag's other name, and a list the resolver reads itself.
    expect(withResolvers.sort()).toEqual(['Referral.etag', 'Referral.relatedReferrals']);
  });

  test('the fields where a referral or a deal registration enters the answer are the known ones, each handed on through ResponseBudget', () => {
    const entries: string[] = [];
    // A union or interface field enters through each of its object types.
    const objectTypesOf = (type: GraphQLNamedType): string[] =>
      isAbstractType(type) ? schema.getPossibleTypes(type).map((t) => t.name) : [type.name];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!objectTypesOf(getNamedType(field.type)).some((name) => covered.has(name))) continue;
        if (!covered.has(type.name) || field.resolve) entries.push(`${type.name}.${field.name}`);
      }
    }
    // A new entry here must hand its value on through ctx.response.referral or .registration
    // (test/integration/presentation.test.ts reads through each; pages in tolerance.test.ts);
    // Query._entities does so in Referral.__resolveReference.
    expect(entries.sort()).toEqual([
      'CreateReferralSuccess.referral',
      'DealRegistrationSuccess.referral',
      'DealRegistrationSuccess.registration',
      'Query._entities',
      'Query.referral',
      'Referral.relatedReferrals',
      'ReferralEdge.node',
      'ReferralPreconditionFailed.currentReferral',
      'UpdateReferralSuccess.referral',
    ]);
  });
});

describe('copy on write', () => {
  const present = createWirePresenter(schema);

  test('a referral whose fields already answer as they stand is handed on as the same object', () => {
    const plain = SEED_REFERRALS.filter((r) => present.referral(r) === r);
    // The seed carries live oddities (salesStage "100", casings) on some referrals; most are plain.
    expect(plain.length).toBeGreaterThan(SEED_REFERRALS.length / 2);
  });

  const odd = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('Closed', 'closed', 'WON', 'Qualify', '100', 'Escalated', '1500.50'),
    fc.integer(),
    fc.boolean(),
    fc.constant({}),
    fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.constant({ tag: 't' }), fc.integer()), {
      maxLength: 3,
    }),
  );

  test('property: odd values answer as their rules say; the wire object is never changed', () => {
    const base = SEED_REFERRALS[0] as Record<string, unknown>;
    fc.assert(
      fc.property(
        fc.record({
          status: odd,
          salesStage: odd,
          campaignId: odd,
          favorite: odd,
          tags: odd,
          registrations: fc.oneof(
            odd,
            fc.constant([{ id: 'r', status: 'Escalated', contract: { value: '5' } }, 3]),
          ),
          trackingInfo: fc.oneof(odd, fc.record({ microsoftMsxId: odd })),
          customerProfile: fc.record({ ids: odd, isMatchingComplete: odd }),
        }),
        (changes) => {
          const wire = { ...base, ...changes };
          const before = structuredClone(wire);
          const out = present.referral(wire) as Record<string, unknown>;
          expect(wire).toEqual(before);
          const rules = TOLERANT_FIELDS.Referral ?? {};
          for (const key of ['campaignId', 'favorite', 'tags'] as const)
            expect([key, out[key] ?? null]).toEqual([key, rules[key]?.(changes[key]) ?? null]);
          const status = out.status ?? null;
          expect(status === null || ['None', 'New', 'Active', 'Closed'].includes(status as string)).toBe(
            true,
          );
          const registrations = out.registrations;
          if (registrations != null)
            for (const r of registrations as Record<string, unknown>[]) {
              expect(typeof r).toBe('object');
              if (r.status !== undefined) expect(r.status).toBeNull();
              if (isJsonObject(r.contract)) expect(r.contract.value).toBe(5);
            }
          const profile = out.customerProfile as Record<string, unknown>;
          expect(profile.ids === null || profile.ids === undefined || Array.isArray(profile.ids)).toBe(true);
          expect([true, false, null, undefined]).toContain(profile.isMatchingComplete);
        },
      ),
    );
  });
});
