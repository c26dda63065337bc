import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { decodeCursor, encodeCursor, filterKey, toConnection } from '../../src/graphql/connection.ts';
import type { ReferralPage } from '../../src/upstream/referralsApi.ts';
import type { WireReferral } from '../../src/upstream/referralWire.ts';

const item = (id: string): WireReferral => ({ id, eTag: `"${id}"` });
const page = (ids: string[], next: string | null): ReferralPage => ({
  items: ids.map(item),
  pageRef: '/v1.0/engagements/referrals?$top=3',
  nextPageRef: next,
});

describe('cursors', () => {
  test('round-trip any position', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.string(), (p, s, f) => {
        expect(decodeCursor(encodeCursor({ p, s, f }))).toEqual({ p, s, f });
      }),
    );
  });

  test.each([
    '',
    'r1:',
    'r1:!!!',
    'x1:e30',
    `r1:${Buffer.from('{"p":1,"s":0,"f":""}').toString('base64url')}`,
    `r1:${Buffer.from('{"p":"/","s":-1,"f":""}').toString('base64url')}`,
  ])('decodes %p as no cursor', (cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });

  test('filter keys differ for different filters and are stable', () => {
    expect(filterKey("status eq 'New'")).toBe(filterKey("status eq 'New'"));
    expect(filterKey("status eq 'New'")).not.toBe(filterKey("status eq 'Active'"));
    expect(filterKey(undefined)).toBe(filterKey(''));
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
    expect(decodeCursor(connection.pageInfo.endCursor as string)).toEqual({
      p: '/v1.0/engagements/referrals?$skiptoken=n',
      s: 0,
      f: 'f',
    });
    expect(decodeCursor(connection.edges[0]?.cursor as string)).toMatchObject({ s: 1 });
  });

  test('taking part of a page leaves the rest reachable from the end cursor', () => {
    const connection = toConnection(page(['a', 'b', 'c'], null), 1, 1, 'f');
    expect(connection.edges.map((e) => e.node.id)).toEqual(['b']);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor(connection.pageInfo.endCursor as string)).toMatchObject({ s: 2 });
  });

  test('the end of the last page has no next page', () => {
    const connection = toConnection(page(['a'], null), 0, 5, 'f');
    expect(connection.pageInfo.hasNextPage).toBe(false);
  });

  test('an empty page has no cursors', () => {
    expect(toConnection(page([], null), 0, 5, 'f').pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    });
  });
});
