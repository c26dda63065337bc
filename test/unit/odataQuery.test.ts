import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { buildFilter, buildListQuery, buildOrderBy, odataString } from '../../src/upstream/odataQuery.ts';

/** Reads one OData string literal back (the inverse of odataString), or null if it is not one. */
function readLiteral(text: string): string | null {
  if (!text.startsWith("'") || !text.endsWith("'") || text.length < 2) return null;
  const inner = text.slice(1, -1);
  // Inside a literal every quote must be doubled; a lone quote would end it early.
  if (/(^|[^'])('{2})*'(?!')/.test(inner.replace(/''/g, ''))) return null;
  return inner.replaceAll("''", "'");
}

describe('odataString', () => {
  test('doubles single quotes, as OData literals require', () => {
    expect(odataString("O'Brien")).toBe("'O''Brien'");
    expect(odataString("x' or status eq 'New")).toBe("'x'' or status eq ''New'");
  });

  test('any string round-trips through a literal and never ends it early', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), (value) => {
        const literal = odataString(value);
        expect(readLiteral(literal)).toBe(value);
        expect(literal.slice(1, -1).replaceAll("''", '')).not.toContain("'");
      }),
    );
  });
});

describe('buildFilter', () => {
  test('joins conditions with and, in order', () => {
    expect(
      buildFilter([
        { kind: 'equals', path: 'status', value: 'New' },
        { kind: 'equals', path: 'customerProfile/address/country', value: 'US' },
        { kind: 'teamMemberEmail', value: 'a@example.com' },
      ]),
    ).toBe(
      "status eq 'New' and customerProfile/address/country eq 'US' and team/any(t:t/email eq 'a@example.com')",
    );
  });

  test('has no filter for no conditions', () => {
    expect(buildFilter([])).toBeUndefined();
  });

  test('rejects a path that is not an OData property path', () => {
    expect(() => buildFilter([{ kind: 'equals', path: 'status eq 1 or x', value: 'y' }])).toThrow(TypeError);
  });
});

describe('buildListQuery', () => {
  test('percent-encodes the filter (spaces as %20) and keeps the $ of system options', () => {
    expect(buildListQuery({ filter: "status eq 'New'", top: 25 })).toBe(
      "$filter=status%20eq%20'New'&$top=25",
    );
    expect(buildListQuery({ top: 5 })).toBe('$top=5');
  });

  test('sends $orderby only when given, between $filter and $top', () => {
    expect(buildListQuery({ filter: "status eq 'New'", orderBy: 'updatedDateTime desc', top: 7 })).toBe(
      "$filter=status%20eq%20'New'&$orderby=updatedDateTime%20desc&$top=7",
    );
    expect(buildListQuery({ orderBy: 'createdDateTime asc', top: 7 })).toBe(
      '$orderby=createdDateTime%20asc&$top=7',
    );
    expect(buildListQuery({ orderBy: undefined, top: 7 })).toBe('$top=7');
  });

  test('any filter survives URL decoding unchanged', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 100 }), (filter, top) => {
        const params = new URLSearchParams(buildListQuery({ filter, top }));
        expect(params.get('$filter')).toBe(filter);
        expect(params.get('$top')).toBe(String(top));
      }),
    );
  });
});

describe('buildOrderBy', () => {
  test('builds the four documented orders', () => {
    expect(buildOrderBy({ field: 'createdDateTime', direction: 'asc' })).toBe('createdDateTime asc');
    expect(buildOrderBy({ field: 'createdDateTime', direction: 'desc' })).toBe('createdDateTime desc');
    expect(buildOrderBy({ field: 'updatedDateTime', direction: 'asc' })).toBe('updatedDateTime asc');
    expect(buildOrderBy({ field: 'updatedDateTime', direction: 'desc' })).toBe('updatedDateTime desc');
  });

  test('refuses anything else, so no caller text can become an $orderby', () => {
    expect(() => buildOrderBy({ field: 'name' as 'createdDateTime', direction: 'asc' })).toThrow(TypeError);
    expect(() => buildOrderBy({ field: 'createdDateTime', direction: 'asc,id' as 'asc' })).toThrow(TypeError);
  });
});
