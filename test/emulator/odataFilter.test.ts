import { describe, expect, test } from '@jest/globals';
import { evaluateFilter, ODataFilterError, parseFilter } from '../../src/emulator/odataFilter.ts';

const referral = {
  status: 'New',
  substatus: 'Pending',
  type: 'Shared',
  direction: 'Incoming',
  favorite: true,
  engagementId: '0B6C3E1A-6A2B-4C8D-9E0F-1A2B3C4D5E6F',
  statusReason: null,
  customerProfile: { name: "Margie's Travel", address: { country: 'US' } },
  details: { dealValue: 25000 },
  team: [
    { email: 'liam.obrien@partner.example.com', lastName: "O'Brien" },
    { email: 'hana.sato@partner.example.com', lastName: 'Sato' },
  ],
};

function matches(filter: string, item: unknown = referral): boolean {
  return evaluateFilter(parseFilter(filter), item);
}

describe('OData $filter', () => {
  test('eq and ne compare strings exactly, case included', () => {
    expect(matches("status eq 'New'")).toBe(true);
    expect(matches("status eq 'new'")).toBe(false);
    expect(matches("status ne 'Closed'")).toBe(true);
  });

  test('and binds tighter than or, and parentheses override it', () => {
    expect(matches("status eq 'Closed' and type eq 'Shared' or direction eq 'Incoming'")).toBe(true);
    expect(matches("status eq 'Closed' and (type eq 'Shared' or direction eq 'Incoming')")).toBe(false);
    expect(matches("(type eq 'Shared' and direction eq 'Incoming')")).toBe(true);
  });

  test('nested paths walk objects with /', () => {
    expect(matches("customerProfile/address/country eq 'US' and direction eq 'Incoming'")).toBe(true);
    expect(matches("customerProfile/address/country eq 'GB'")).toBe(false);
  });

  test("a doubled quote inside a literal is one quote, so O''Brien matches O'Brien", () => {
    expect(matches("customerProfile/name eq 'Margie''s Travel'")).toBe(true);
    expect(matches("team/any(t:t/lastName eq 'O''Brien')")).toBe(true);
  });

  test('team/any(t: …) is true when some member matches', () => {
    expect(matches("team/any(t:t/email eq 'hana.sato@partner.example.com')")).toBe(true);
    expect(matches("team/any(t: t/email eq 'nobody@example.com')")).toBe(false);
    expect(
      matches(
        "status eq 'New' and type eq 'Shared' and team/any(t:t/email eq 'liam.obrien@partner.example.com')",
      ),
    ).toBe(true);
    expect(matches('team/any()')).toBe(true);
    expect(matches('team/any()', { team: [] })).toBe(false);
  });

  test('numbers, booleans, null and unquoted GUIDs are literals', () => {
    expect(matches('details/dealValue eq 25000')).toBe(true);
    expect(matches('favorite eq true and favorite ne false')).toBe(true);
    expect(matches('statusReason eq null')).toBe(true);
    expect(matches('engagementId eq 0b6c3e1a-6a2b-4c8d-9e0f-1a2b3c4d5e6f')).toBe(true);
    expect(matches("engagementId eq '0b6c3e1a-6a2b-4c8d-9e0f-1a2b3c4d5e6f'")).toBe(false);
  });

  test('an absent path compares like null', () => {
    expect(matches('mpnId eq null')).toBe(true);
    expect(matches("mpnId ne 'x'")).toBe(true);
    expect(matches("customerProfile/missing/deeper eq 'x'")).toBe(false);
  });

  test('a number never equals a string', () => {
    expect(matches("details/dealValue eq '25000'")).toBe(false);
  });

  test.each([
    '',
    "status eq 'New",
    "status eq 'New' and",
    "status gt 'New'",
    "(status eq 'New'",
    "status eq 'New')",
    "team/all(t:t/email eq 'x')",
    "status eq 'New' # comment",
  ])('rejects %j with a typed syntax error', (filter) => {
    expect(() => parseFilter(filter)).toThrow(ODataFilterError);
  });
});
