import { describe, expect, test } from '@jest/globals';
import { isEnumType } from 'graphql';
import { createWireEnumReader, ENUM_WIRE_VALUES, knownWireValue } from '../../src/graphql/enumValues.ts';
import { buildSchema } from '../../src/server/buildSchema.ts';

describe('enum wire values', () => {
  const schema = buildSchema();

  test.each(Object.entries(ENUM_WIRE_VALUES))(
    '%s maps exactly the schema’s values, each to a distinct wire string',
    (name, values) => {
      const type = schema.getType(name);
      if (!isEnumType(type)) throw new Error(`${name} is not an enum in the schema`);
      expect(Object.keys(values).sort()).toEqual(
        type
          .getValues()
          .map((v) => v.name)
          .sort(),
      );
      expect(new Set(Object.values(values)).size).toBe(Object.values(values).length);
      for (const value of type.getValues())
        expect(value.value).toBe(values[value.name as keyof typeof values]);
    },
  );

  test('matches wire values case-insensitively and answers the canonical form', () => {
    expect(knownWireValue('ReferralQualification', 'salesqualified')).toBe('SalesQualified');
    expect(knownWireValue('ReferralStatus', 'Archived')).toBeNull();
    expect(knownWireValue('ReferralStatus', 3)).toBeNull();
  });

  test('one reader: canonical values out, each unknown value told once, at most 1,000 of them', () => {
    const told: string[] = [];
    const read = createWireEnumReader((name, value) => told.push(`${name}.${value}`));
    expect(read('ReferralStatus', 'closed')).toBe('Closed');
    for (let i = 0; i < 3; i += 1) expect(read('ReferralSalesStage', '100')).toBeNull();
    expect(read('ReferralStatus', 7)).toBeNull();
    expect(told).toEqual(['ReferralSalesStage.100']);
    for (let i = 0; i < 2000; i += 1) read('ReferralSalesStage', `odd-${i}`);
    expect(told).toHaveLength(1000);
  });
});
