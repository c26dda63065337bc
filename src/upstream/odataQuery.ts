/**
 * Builds the OData query of a referral list request (docs/partner-api.md §3.1). Values are always emitted
 * as OData string literals with `'` doubled (OData ABNF `SQUOTE-in-string`), then
 * percent-encoded, so a caller's value can never end the literal and splice its own expression.
 */

/** A condition the list must meet; all conditions are joined with `and`. */
export type ReferralListCondition =
  | { readonly kind: 'equals'; readonly path: string; readonly value: string }
  | { readonly kind: 'teamMemberEmail'; readonly value: string };

/** Field paths are ours (never the caller's), but checked anyway: a typo must not go out as OData. */
const PATH = /^[A-Za-z][A-Za-z0-9]*(\/[A-Za-z][A-Za-z0-9]*)*$/;

export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function buildFilter(conditions: readonly ReferralListCondition[]): string | undefined {
  if (conditions.length === 0) return undefined;
  return conditions
    .map((condition) => {
      if (condition.kind === 'teamMemberEmail') {
        // The docs' own form for "referrals whose team includes <email>" (§3.1).
        return `team/any(t:t/email eq ${odataString(condition.value)})`;
      }
      if (!PATH.test(condition.path)) throw new TypeError(`Not an OData property path: ${condition.path}`);
      return `${condition.path} eq ${odataString(condition.value)}`;
    })
    .join(' and ');
}

/** A sort order the Partner API documents for lists (§3.1): one of two date-times, either way. */
export interface ReferralListOrder {
  readonly field: 'createdDateTime' | 'updatedDateTime';
  readonly direction: 'asc' | 'desc';
}

const ORDER_FIELDS: ReadonlySet<string> = new Set(['createdDateTime', 'updatedDateTime']);
const ORDER_DIRECTIONS: ReadonlySet<string> = new Set(['asc', 'desc']);

/** The `$orderby` expression, e.g. `updatedDateTime desc`; only the documented forms are built. */
export function buildOrderBy(order: ReferralListOrder): string {
  if (!ORDER_FIELDS.has(order.field) || !ORDER_DIRECTIONS.has(order.direction))
    throw new TypeError(`Not a documented $orderby: ${order.field} ${order.direction}`);
  return `${order.field} ${order.direction}`;
}

/**
 * `$filter=…&$orderby=…&$top=…` with values percent-encoded (spaces as %20, not `+`, which some
 * OData servers read literally). The `$` of system query options is left as is, as the docs write
 * it. Without `orderBy` no `$orderby` is sent: the Partner API's own order applies.
 */
export function buildListQuery(options: {
  readonly filter?: string | undefined;
  readonly orderBy?: string | undefined;
  readonly top: number;
}): string {
  const parts: string[] = [];
  if (options.filter !== undefined) parts.push(`$filter=${encodeURIComponent(options.filter)}`);
  if (options.orderBy !== undefined) parts.push(`$orderby=${encodeURIComponent(options.orderBy)}`);
  parts.push(`$top=${options.top}`);
  return parts.join('&');
}
