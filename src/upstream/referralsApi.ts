/**
 * The Partner API's Referrals resource (`$PARTNER_API_URL/engagements/referrals`): typed calls
 * over the `UpstreamClient`, every response checked with the wire schemas. HTTP in, plain data out.
 */
import type { z } from 'zod';
import { hiddenSlot } from './hiddenSlot.ts';
import type { CallContext, UpstreamClient } from './httpClient.ts';
import { buildListQuery } from './odataQuery.ts';
import { type WireReferral, wireReferralPageSchema, wireReferralSchema } from './referralWire.ts';
import { UpstreamError } from './upstreamErrors.ts';
import { type Check, compileCheck } from './wireCheck.ts';

const isWireReferral = compileCheck(wireReferralSchema);

/** Routes as traces and metrics name them (`url.template`): never an id or a query. */
const COLLECTION_ROUTE = '/engagements/referrals';
const REFERRAL_ROUTE = '/engagements/referrals/{id}';
const isWireReferralPage = compileCheck(wireReferralPageSchema);

/**
 * How large each referral was on the wire, so the GraphQL layer can bound the answer it builds
 * from them (a referral served N times costs N times its size) without serializing anything.
 * Kept on the referral itself (hiddenSlot.ts says why not in a WeakMap).
 */
const wireLengths = hiddenSlot<number>('wireLength');

/** The JSON length of a referral as it arrived (a page's items share the page's length evenly). */
export function wireLength(referral: WireReferral): number {
  return wireLengths.get(referral) ?? 0;
}

/** The largest page the Partner API serves ("more than 100 items … use @odata.nextLink", §3.1). */
export const MAX_PAGE_SIZE = 100;

export interface ReferralPage {
  readonly items: readonly WireReferral[];
  /** Path and query of the request that produced this page (a "page reference"). */
  readonly pageRef: string;
  /** Page reference of the next page, from `@odata.nextLink`; `null` on the last page. */
  readonly nextPageRef: string | null;
}

export interface ReferralsApi {
  /** The referral, or `null` when the Partner API answers 404. */
  getReferral(id: string, call: CallContext): Promise<WireReferral | null>;
  /**
   * The first page of a list. `filter` is an OData expression built by `buildFilter`, `orderBy`
   * one built by `buildOrderBy` (absent: the Partner API's own order).
   */
  listReferrals(
    query: { filter?: string | undefined; orderBy?: string | undefined; top: number },
    call: CallContext,
  ): Promise<ReferralPage>;
  /** A page by reference (from `ReferralPage.pageRef`/`nextPageRef`). */
  getReferralPage(pageRef: string, call: CallContext): Promise<ReferralPage>;
  /** True when `pageRef` names a page of this API's referral collection (see `getReferralPage`). */
  isPageRef(pageRef: string): boolean;
  /**
   * A link the Partner API gave (a referral's `links.relatedReferrals.uri`, an `@odata.nextLink`)
   * as a page reference on the configured origin, the way `@odata.nextLink` is followed: its path
   * and query only. `null` when it is no URL or not a page of the referral collection.
   */
  pageRefOf(link: string): string | null;
  /**
   * Full-replacement PUT guarded by `If-Match: <etag>` (RFC 9110 §13.1.1; the Partner API wants
   * the body's `eTag` verbatim, quotes included, §7). Resolves with the referral as written;
   * a stale etag rejects with PRECONDITION_FAILED.
   */
  replaceReferral(id: string, body: unknown, etag: string, call: CallContext): Promise<WireReferral>;
  /**
   * JSON Patch (RFC 6902, `add`/`replace` only) guarded by `If-Match: <etag>`, asking for the
   * result with `Prefer: return=representation` (§3.5). `referral` is `null` when the Partner API
   * answered 204 anyway (its default); `etag` is the answer's `ETag` header when it sent one.
   */
  patchReferral(
    id: string,
    operations: readonly unknown[],
    etag: string,
    call: CallContext,
  ): Promise<PatchedReferral>;
  /**
   * `POST` to the collection: creates a referral and resolves with it as created (§3.3). 200 and
   * 201 are both accepted: the connector documents 200, the response-codes page 201 (§11). Never
   * retried once it may have been sent (retryPolicy.ts): a second POST is a second referral.
   */
  createReferral(body: unknown, call: CallContext): Promise<WireReferral>;
}

export interface PatchedReferral {
  readonly referral: WireReferral | null;
  readonly etag: string | undefined;
}

export function createReferralsApi(options: { baseUrl: string; client: UpstreamClient }): ReferralsApi {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const origin = base.origin;
  const collectionPath = `${base.pathname}engagements/referrals`;
  // The docs' nextLink example lacks `/engagements` (`…/v1.0/referrals?$skiptoken=…`, §3.1 quirk);
  // it is accepted as a page of the same collection.
  const pagePaths = new Set([collectionPath, `${base.pathname}referrals`]);
  const { client } = options;

  function checked<T>(schema: z.ZodType<T>, check: Check, json: unknown, what: string): T {
    if (!check(json)) {
      // Only now does zod run, for the details the log gets (the cause is never sent to clients).
      const result = schema.safeParse(json);
      throw new UpstreamError('UPSTREAM_BAD_RESPONSE', `${what}: unexpected shape`, {
        cause: result.success ? undefined : result.error,
      });
    }
    // Validated, but the original JSON is what we keep: zod's copy would reorder keys (see referralWire.ts).
    return json as T;
  }

  function isPageRef(pageRef: string): boolean {
    if (!pageRef.startsWith('/') || pageRef.startsWith('//')) return false;
    try {
      const url = new URL(pageRef, origin);
      return url.origin === origin && pagePaths.has(url.pathname);
    } catch {
      return false;
    }
  }

  /**
   * A link from the Partner API is followed as given, except its origin: the docs' own nextLink
   * uses `http://` (§3.1), and a bearer token must never go over plain HTTP or to another host, so
   * only its path and query are kept and sent to the configured upstream.
   */
  function pageRefOf(link: string): string | null {
    let url: URL;
    try {
      url = new URL(link, origin);
    } catch {
      return null;
    }
    const ref = `${url.pathname}${url.search}`;
    return isPageRef(ref) ? ref : null;
  }

  function nextPageRef(nextLink: string | null | undefined): string | null {
    if (!nextLink) return null;
    const ref = pageRefOf(nextLink);
    if (ref === null)
      throw new UpstreamError('UPSTREAM_BAD_RESPONSE', 'list: @odata.nextLink is no page of the collection');
    return ref;
  }

  async function getReferralPage(pageRef: string, call: CallContext): Promise<ReferralPage> {
    if (!isPageRef(pageRef)) throw new TypeError('Not a referral page reference');
    const res = await client.send({
      method: 'GET',
      url: `${origin}${pageRef}`,
      call,
      route: COLLECTION_ROUTE,
    });
    const page = checked(wireReferralPageSchema, isWireReferralPage, res.json, 'list');
    const each = Math.ceil(res.length / Math.max(1, page.value.length));
    for (const item of page.value) wireLengths.set(item, each);
    return { items: page.value, pageRef, nextPageRef: nextPageRef(page['@odata.nextLink']) };
  }

  return {
    isPageRef,
    pageRefOf,
    getReferralPage,

    async getReferral(id, call) {
      try {
        const res = await client.send({
          method: 'GET',
          url: `${origin}${collectionPath}/${encodeURIComponent(id)}`,
          call,
          route: REFERRAL_ROUTE,
        });
        const referral = checked(wireReferralSchema, isWireReferral, res.json, 'get');
        wireLengths.set(referral, res.length);
        return referral;
      } catch (error) {
        if (error instanceof UpstreamError && error.code === 'NOT_FOUND') return null;
        throw error;
      }
    },

    async replaceReferral(id, body, etag, call) {
      const res = await client.send({
        method: 'PUT',
        url: `${origin}${collectionPath}/${encodeURIComponent(id)}`,
        call,
        route: REFERRAL_ROUTE,
        body,
        headers: { 'if-match': etag },
      });
      const referral = checked(wireReferralSchema, isWireReferral, res.json, 'put');
      wireLengths.set(referral, res.length);
      return referral;
    },

    async patchReferral(id, operations, etag, call) {
      const res = await client.send({
        method: 'PATCH',
        url: `${origin}${collectionPath}/${encodeURIComponent(id)}`,
        call,
        route: REFERRAL_ROUTE,
        body: operations,
        headers: { 'if-match': etag, prefer: 'return=representation' },
      });
      const header = res.headers.etag;
      const newEtag = typeof header === 'string' ? header : undefined;
      if (res.json === undefined) return { referral: null, etag: newEtag };
      const referral = checked(wireReferralSchema, isWireReferral, res.json, 'patch');
      wireLengths.set(referral, res.length);
      return { referral, etag: newEtag };
    },

    listReferrals(query, call) {
      return getReferralPage(`${collectionPath}?${buildListQuery(query)}`, call);
    },

    async createReferral(body, call) {
      const res = await client.send({
        method: 'POST',
        url: `${origin}${collectionPath}`,
        call,
        body,
        route: COLLECTION_ROUTE,
      });
      // Any other 2xx (202, 204…) is no created referral we can show: its fate is for the caller to settle.
      if (res.status !== 200 && res.status !== 201) {
        throw new UpstreamError('UPSTREAM_BAD_RESPONSE', `post: answered ${res.status}`, {
          status: res.status,
        });
      }
      const referral = checked(wireReferralSchema, isWireReferral, res.json, 'post');
      wireLengths.set(referral, res.length);
      return referral;
    },
  };
}
