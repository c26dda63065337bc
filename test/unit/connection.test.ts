import { randomBytes } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { createCursorCodec, filterKey, toConnection } from '../../src/graphql/connection.ts';
import type { ReferralPage } from '../../src/upstream/referralsApi.ts';
import type { WireReferral } from '../../src/upstream/referralWire.ts';

const item = (id: string): WireReferral => ({ id, eTag: `"${id}"` });
const page = (ids: string[], next: string | null): ReferralPage => ({
  items: ids.map(item),
  pageRef: '/v1.0/engagements/referrals?$top=3',
  nextPageRef: next,
});

const codec = createCursorCodec(randomBytes(32));
const unsigned = (json: string) => `r2:${Buffer.from(json).toString('base64url')}`;

describe('cursors', () => {
  test('round-trip any position', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), fc.nat(), fc.string(), (p, s, f) => {
        expect(codec.decode(codec.encode({ p, s, f }))).toEqual({ p, s, f });
      }),
    );
  });

  test.each([
    '',
    'r2:',
    'r2:!!!',
    'x1:e30',
    // The previous, unsigned format: a client could write any page request into it.
    `r1:${Buffer.from('{"p":"/v1.0/engagements/referrals?$top=1000","s":0,"f":""}').toString('base64url')}`,
    unsigned('{"p":"/v1.0/engagements/referrals?$top=1000","s":0,"f":""}'),
    `${unsigned('{"p":"/v1.0/engagements/referrals?$top=1000","s":0,"f":""}')}.AAAAAAAAAAAAAAAAAAAAAA`,
  ])('decodes %p as no cursor', (cursor) => {
    expect(codec.decode(cursor)).toBeNull();
  });

  test('any change to a signed cursor, one character or its signature, makes it no cursor', () => {
    const cursor = codec.encode({ p: '/v1.0/engagements/referrals?$top=5', s: 2, f: 'f' });
    fc.assert(
      fc.property(
        fc.nat({ max: cursor.length - 1 }),
        fc.constantFrom('A', 'b', '9', '-', '_'),
        (at, char) => {
          const altered = cursor.slice(0, at) + char + cursor.slice(at + 1);
          fc.pre(altered !== cursor);
          expect(codec.decode(altered)).toBeNull();
        },
      ),
    );
  });

  test('a cursor signed with another key (another replica without a shared CURSOR_SECRET) is no cursor', () => {
    const other = createCursorCodec(randomBytes(32));
    expect(codec.decode(other.encode({ p: '/v1.0/engagements/referrals?$top=5', s: 0, f: 'f' }))).toBeNull();
  });

  test('the same key, as replicas sharing CURSOR_SECRET have, reads the cursor', () => {
    const key = Buffer.from('a shared secret of at least 32 characters');
    const position = { p: '/v1.0/engagements/referrals?$top=5', s: 3, f: 'f' };
    expect(createCursorCodec(key).decode(createCursorCodec(key).encode(position))).toEqual(position);
  });

  test('filter keys differ for different filters and are stable', () => {
    expect(filterKey("status eq 'New'")).toBe(filterKey("status eq 'New'"));
    expect(filterKey("status eq 'New'")).not.toBe(filterKey("status eq 'Active'"));
    expect(filterKey(undefined)).toBe(filterKey(''));
  });

  test('filter keys carry the order: each order, and no order, has its own key', () => {
    const orders = [
      undefined,
      'createdDateTime asc',
      'createdDateTime desc',
      'updatedDateTime asc',
      'updatedDateTime desc',
    ];
    for (const filter of [undefined, "status eq 'New'"]) {
      const keys = orders.map((order) => filterKey(filter, order));
      expect(new Set(keys).size).toBe(orders.length);
      expect(filterKey(filter, 'updatedDateTime desc')).toBe(filterKey(filter, 'updatedDateTime desc'));
    }
  });

  test('without an order the key is the filter’s alone, as cursors issued before ordering have it', () => {
    expect(filterKey("status eq 'New'", undefined)).toBe(filterKey("status eq 'New'"));
    expect(filterKey(undefined, undefined)).toBe(filterKey(''));
  });
});

describe('toConnection', () => {
  test('the last edge of a page with a successor points at the next page', () => {
    const connection = toConnection(
      page(['a', 'b', 'c'], '/v1.0/engagements/referrals?$skiptoken=n'),
      0,
      3,
      'f',
    );
    expect(connection.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(connection.pageInfo.endPosition).toEqual({
      p: '/v1.0/engagements/referrals?$skiptoken=n',
      s: 0,
      f: 'f',
    });
    expect(connection.edges[0]?.position).toMatchObject({ s: 1 });
  });

  test('taking part of a page leaves the rest reachable from the end cursor', () => {
    const connection = toConnection(page(['a', 'b', 'c'], null), 1, 1, 'f');
    expect(connection.edges.map((e) => e.node.id)).toEqual(['b']);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(connection.pageInfo.endPosition).toMatchObject({ s: 2 });
  });

  test('the end of the last page has no next page', () => {
    const connection = toConnection(page(['a'], null), 0, 5, 'f');
    expect(connection.pageInfo.hasNextPage).toBe(false);
  });

  test('an empty page has no cursors', () => {
    expect(toConnection(page([], null), 0, 5, 'f').pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startPosition: null,
      endPosition: null,
    });
  });
});
