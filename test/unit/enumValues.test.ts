import { describe, expect, test } from '@jest/globals';
import { isEnumType } from 'graphql';
import { ENUM_WIRE_VALUES, knownWireValue } from '../../src/graphql/enumValues.ts';
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
});
