import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { type JsonObject, mergeChanges, replacementBody } from '../../src/domain/referral/merge.ts';

const current: JsonObject = {
  id: 'r1',
  name: 'Contoso migration',
  status: 'New',
  substatus: 'Pending',
  createdDateTime: '2022-02-24T21:04:06.0372014Z',
  eTag: '"abc"',
  details: { notes: 'old', dealValue: 100, currency: 'USD', requirements: { products: [{ id: 'Azure' }] } },
  team: [{ email: 'a@example.com', title: 'Seller' }],
  registrations: [{ id: 'x', contract: { value: 1 } }],
  links: { self: { uri: 'https://x/1', method: 'GET' } },
  '@odata.context': 'https://x/$metadata#Referrals/$entity',
};

describe('mergeChanges', () => {
  test('absent keeps, given replaces, and unknown fields survive', () => {
    const merged = mergeChanges(current, { name: 'New name', statusReason: undefined });
    expect(merged).toEqual({ ...current, name: 'New name' });
    expect('statusReason' in merged).toBe(false);
  });

  test('null clears a field', () => {
    expect(mergeChanges(current, { name: null }).name).toBeNull();
  });

  test('nested objects merge field by field', () => {
    const merged = mergeChanges(current, { details: { currency: 'EUR' } });
    expect(merged.details).toEqual({
      notes: 'old',
      dealValue: 100,
      currency: 'EUR',
      requirements: { products: [{ id: 'Azure' }] },
    });
  });

  test('lists replace the current list whole', () => {
    const merged = mergeChanges(current, { team: [{ email: 'b@example.com' }] });
    expect(merged.team).toEqual([{ email: 'b@example.com' }]);
  });

  test('accepts null-prototype objects, as GraphQL input objects are', () => {
    const input = Object.assign(Object.create(null), {
      details: Object.assign(Object.create(null), { notes: 'n' }),
    });
    expect(mergeChanges(current, input).details).toMatchObject({ notes: 'n', currency: 'USD' });
  });

  test('never mutates its inputs', () => {
    const before = structuredClone(current);
    mergeChanges(current, { details: { notes: 'x' }, team: [] });
    expect(current).toEqual(before);
  });

  test('an empty change is the identity, key order included', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const object = { a: value, b: 1 } as JsonObject;
        expect(JSON.stringify(mergeChanges(object, {}))).toBe(JSON.stringify(object));
      }),
    );
  });

  test('merging is idempotent', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (changes) => {
        const once = mergeChanges(current, changes);
        expect(mergeChanges(once, changes)).toEqual(once);
      }),
    );
  });
});

describe('replacementBody', () => {
  test('drops links and @odata.context and keeps every other field byte for byte', () => {
    const body = replacementBody(current, { details: { notes: 'new' } });
    const { links: _l, '@odata.context': _c, ...rest } = current;
    expect(JSON.stringify(body)).toBe(
      JSON.stringify({ ...rest, details: { ...(current.details as JsonObject), notes: 'new' } }),
    );
  });
});
