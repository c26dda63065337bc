/**
 * The `referrals` Relay connection over the Partner API's OData paging (fact sheet §3.1).
 *
 * A cursor marks the position right after one referral: the page request that holds it (path and
 * query, as the upstream gave it in `@odata.nextLink`) and how many items of that page come
 * before the position. Resuming re-issues that page request and skips; a cursor at the end of a
 * page points at the next page instead, so walking `endCursor`s follows every nextLink as given
 * and costs one upstream request per page. Cursors also carry a hash of the filter, so a cursor
 * cannot silently continue a different query.
 */
import { createHash } from 'node:crypto';
import type { ReferralPage } from '../upstream/referralsApi.ts';
import type { WireReferral } from '../upstream/referralWire.ts';

interface Position {
  /** Page reference: path and query of a page request. */
  readonly p: string;
  /** Items of that page before the position. */
  readonly s: number;
  /** Filter hash. */
  readonly f: string;
}

const PREFIX = 'r1:';

export function filterKey(filter: string | undefined): string {
  return createHash('sha256')
    .update(filter ?? '')
    .digest('base64url')
    .slice(0, 16);
}

export function encodeCursor(position: Position): string {
  return PREFIX + Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a cursor names, or `null` when it is not one of ours. */
export function decodeCursor(cursor: string): Position | null {
  if (!cursor.startsWith(PREFIX) || cursor.length > 4096) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object') return null;
    const { p, s, f } = value as Record<string, unknown>;
    if (typeof p !== 'string' || typeof f !== 'string' || !Number.isSafeInteger(s) || (s as number) < 0)
      return null;
    return { p, s: s as number, f };
  } catch {
    return null;
  }
}

export interface ReferralConnectionData {
  readonly edges: { readonly cursor: string; readonly node: WireReferral }[];
  readonly pageInfo: {
    readonly hasNextPage: boolean;
    readonly hasPreviousPage: boolean;
    readonly startCursor: string | null;
    readonly endCursor: string | null;
  };
}

/** Up to `first` items of `page` after its first `skip` ones, with their cursors. */
export function toConnection(
  page: ReferralPage,
  skip: number,
  first: number,
  filter: string,
): ReferralConnectionData {
  const items = page.items.slice(skip, skip + first);
  const edges = items.map((node, index) => {
    const after = skip + index + 1;
    const position: Position =
      after >= page.items.length && page.nextPageRef !== null
        ? { p: page.nextPageRef, s: 0, f: filter }
        : { p: page.pageRef, s: after, f: filter };
    return { cursor: encodeCursor(position), node };
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: skip + items.length < page.items.length || page.nextPageRef !== null,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
