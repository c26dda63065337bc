import { describe, expect, test } from '@jest/globals';
import {
  instantKey,
  parseDecimal,
  sameAmount,
  sameCaseless,
  sameInstant,
  sameWireValue,
} from '../../src/domain/referral/wireValues.ts';

describe('values as the Partner API normalises them (docs/partner-api.md §10)', () => {
  test('date-times compare as instants, to the 100 ns the wire carries', () => {
    expect(sameInstant('2018-10-29T21:24:52.0404690Z', '2018-10-29T21:24:52.040469Z')).toBe(true);
    expect(sameInstant('2018-11-13T00:00:00.0000000Z', '2018-11-13T00:00:00Z')).toBe(true);
    expect(sameInstant('2018-11-13T00:00:00.0000001Z', '2018-11-13T00:00:00Z')).toBe(false);
    // Past what a JS Date keeps (3 digits): still different instants.
    expect(sameInstant('2018-11-13T00:00:00.1234567Z', '2018-11-13T00:00:00.1234568Z')).toBe(false);
    expect(sameInstant('2018-11-13T00:00:00Z', 'tomorrow')).toBe(false);
    expect(instantKey('2018-11-13 00:00:00Z')).toBeUndefined();
    expect(instantKey(42)).toBeUndefined();
  });

  test('enum values compare without case; amounts as numbers, whether numbers or strings', () => {
    expect(sameCaseless('PayAsYouGo', 'payasyougo')).toBe(true);
    expect(sameCaseless('Finite', 'Perpetual')).toBe(false);
    expect(sameCaseless(1, '1')).toBe(false);
    expect(sameAmount(120000, '120000.00')).toBe(true);
    expect(sameAmount('1e3', 1000)).toBe(true);
    expect(sameAmount(1, ' ')).toBe(false);
    expect(parseDecimal('10000')).toBe(10000);
    expect(parseDecimal('')).toBeUndefined();
    expect(parseDecimal(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseDecimal(true)).toBeUndefined();
  });

  test('null and absent are the same value; anything else compares by kind', () => {
    expect(sameWireValue('instant', null, undefined)).toBe(true);
    expect(sameWireValue('exact', undefined, null)).toBe(true);
    expect(sameWireValue('exact', null, false)).toBe(false);
    expect(sameWireValue('exact', true, true)).toBe(true);
    expect(sameWireValue('amount', 5, null)).toBe(false);
  });
});
