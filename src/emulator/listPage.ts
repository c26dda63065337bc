/**
 * One page of the list endpoint (docs/partner-api.md §3.1): `$filter`, `$orderby`
 * (`createdDateTime` or `updatedDateTime`, `asc`/`desc`), `$top` (default and max 100: the docs
 * imply a page size of 100, §11) and an opaque `$skiptoken`. Paging is keyset-based (the token
 * names the last item's sort key and id), so a referral created or updated while a client pages
 * never makes another one appear twice or vanish from the sequence.
 */
import { ApiError } from './apiError.ts';
import { evaluateFilter, ODataFilterError, parseFilter } from './odataFilter.ts';
import type { Referral } from './store.ts';

export const MAX_TOP = 100;

export interface Page {
  /** The stored items themselves (store.ts `forReading`): clone before answering. */
  readonly items: readonly Readonly<Referral>[];
  /** The query string (without `?`) of the next page; absent on the last page. */
  readonly nextQuery?: string;
}

interface Order {
  readonly field: 'createdDateTime' | 'updatedDateTime';
  readonly direction: 1 | -1;
}

/** Without `$orderby`: newest first, the store's own order. */
const DEFAULT_ORDER: Order = { field: 'createdDateTime', direction: -1 };

type Key = readonly [string, string];

/** encodeURIComponent plus `'`, which WHATWG URL parsing would otherwise escape on its own. */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replaceAll("'", '%27');
}

function invalid(message: string): ApiError {
  return new ApiError(400, 'invalidRequest', message);
}

function parseTop(raw: string | null): number {
  if (raw === null) return MAX_TOP;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_TOP) {
    throw invalid(`$top must be an integer from 1 to ${MAX_TOP}`);
  }
  return Number(raw);
}

function parseOrder(raw: string | null): Order {
  if (raw === null) return DEFAULT_ORDER;
  const match = /^\s*(createdDateTime|updatedDateTime)(?:\s+(asc|desc))?\s*$/.exec(raw);
  if (!match) throw invalid('$orderby supports createdDateTime or updatedDateTime, asc or desc');
  return { field: match[1] as Order['field'], direction: match[2] === 'desc' ? -1 : 1 };
}

function encodeToken(key: Key): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeToken(raw: string | null): Key | undefined {
  if (raw === null) return undefined;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
    const key: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && key.every((part) => typeof part === 'string')) {
      return [key[0] as string, key[1] as string];
    }
  } catch {
    // fall through to the 400 below
  }
  throw invalid('$skiptoken is not valid');
}

function keyOf(item: Readonly<Referral>, order: Order): Key {
  const sort = item[order.field];
  const id = item.id;
  return [typeof sort === 'string' ? sort : '', typeof id === 'string' ? id : ''];
}

function compareKeys(a: Key, b: Key, order: Order): number {
  if (a[0] !== b[0]) return (a[0] < b[0] ? -1 : 1) * order.direction;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Applies the list query in `params` to `visible` (the referrals the caller may read). */
export function listPage(visible: readonly Readonly<Referral>[], params: URLSearchParams): Page {
  const filterText = params.get('$filter');
  const top = parseTop(params.get('$top'));
  const order = parseOrder(params.get('$orderby'));
  const after = decodeToken(params.get('$skiptoken'));
  let predicate: ((item: Referral) => boolean) | undefined;
  if (filterText !== null) {
    try {
      const expr = parseFilter(filterText);
      predicate = (item) => evaluateFilter(expr, item);
    } catch (error) {
      if (error instanceof ODataFilterError) throw invalid(error.message);
      throw error;
    }
  }
  const matching = visible
    .filter((item) => predicate === undefined || predicate(item))
    .map((item) => ({ item, key: keyOf(item, order) }))
    .sort((a, b) => compareKeys(a.key, b.key, order))
    .filter(({ key }) => after === undefined || compareKeys(key, after, order) > 0);
  const page = matching.slice(0, top);
  const last = page.at(-1);
  if (matching.length <= top || last === undefined) return { items: page.map((p) => p.item) };
  // The next link repeats the caller's own options, so following it as given continues the same query.
  const parts: string[] = [];
  if (filterText !== null) parts.push(`$filter=${encodeQueryValue(filterText)}`);
  const orderby = params.get('$orderby');
  if (orderby !== null) parts.push(`$orderby=${encodeQueryValue(orderby)}`);
  if (params.get('$top') !== null) parts.push(`$top=${top}`);
  parts.push(`$skiptoken=${encodeToken(last.key)}`);
  return { items: page.map((p) => p.item), nextQuery: parts.join('&') };
}
