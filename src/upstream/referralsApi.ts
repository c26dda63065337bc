/**
 * The Partner API's Referrals resource (`$PARTNER_API_URL/engagements/referrals`): typed calls
 * over the `UpstreamClient`, every response checked with the wire schemas. HTTP in, plain data out.
 */
import type { z } from 'zod';
import type { CallContext, UpstreamClient } from './httpClient.ts';
import { buildListQuery } from './odataQuery.ts';
import { type WireReferral, wireReferralPageSchema, wireReferralSchema } from './referralWire.ts';
import { UpstreamError } from './upstreamErrors.ts';
import { type Check, compileCheck } from './wireCheck.ts';

const isWireReferral = compileCheck(wireReferralSchema);
const isWireReferralPage = compileCheck(wireReferralPageSchema);

/**
 * How large each referral was on the wire, so the GraphQL layer can bound the answer it builds
 * from them (a referral served N times costs N times its size) without serializing anything.
 * Held weakly: the entry goes with the referral.
 */
const wireLengths = new WeakMap<object, number>();

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
  /** The first page of a list. `filter` is an OData expression built by `buildFilter`. */
  listReferrals(
    query: { filter?: string | undefined; top: number },
    call: CallContext,
  ): Promise<ReferralPage>;
  /** A page by reference (from `ReferralPage.pageRef`/`nextPageRef`). */
  getReferralPage(pageRef: string, call: CallContext): Promise<ReferralPage>;
  /** True when `pageRef` names a page of this API's referral collection (see `getReferralPage`). */
  isPageRef(pageRef: string): boolean;
  /**
   * Full-replacement PUT guarded by `If-Match: <etag>` (RFC 9110 §13.1.1; the Partner API wants
   * the body's `eTag` verbatim, quotes included, §7). Resolves with the referral as written;
   * a stale etag rejects with PRECONDITION_FAILED.
   */
  replaceReferral(id: string, body: unknown, etag: string, call: CallContext): Promise<WireReferral>;
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
   * The next page is read from `@odata.nextLink` as given, except its origin: the docs' own link
   * uses `http://` (§3.1), and a bearer token must never go over plain HTTP or to another host, so
   * only its path and query are kept and sent to the configured upstream.
   */
  function nextPageRef(nextLink: string | null | undefined): string | null {
    if (!nextLink) return null;
    let url: URL;
    try {
      url = new URL(nextLink, origin);
    } catch {
      throw new UpstreamError('UPSTREAM_BAD_RESPONSE', 'list: @odata.nextLink is not a URL');
    }
    const ref = `${url.pathname}${url.search}`;
    if (!isPageRef(ref))
      throw new UpstreamError('UPSTREAM_BAD_RESPONSE', 'list: @odata.nextLink is off the collection');
    return ref;
  }

  async function getReferralPage(pageRef: string, call: CallContext): Promise<ReferralPage> {
    if (!isPageRef(pageRef)) throw new TypeError('Not a referral page reference');
    const res = await client.send({ method: 'GET', url: `${origin}${pageRef}`, call });
    const page = checked(wireReferralPageSchema, isWireReferralPage, res.json, 'list');
    const each = Math.ceil(res.length / Math.max(1, page.value.length));
    for (const item of page.value) wireLengths.set(item, each);
    return { items: page.value, pageRef, nextPageRef: nextPageRef(page['@odata.nextLink']) };
  }

  return {
    isPageRef,
    getReferralPage,

    async getReferral(id, call) {
      try {
        const res = await client.send({
          method: 'GET',
          url: `${origin}${collectionPath}/${encodeURIComponent(id)}`,
          call,
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
        body,
        headers: { 'if-match': etag },
      });
      const referral = checked(wireReferralSchema, isWireReferral, res.json, 'put');
      wireLengths.set(referral, res.length);
      return referral;
    },

    listReferrals(query, call) {
      return getReferralPage(`${collectionPath}?${buildListQuery(query)}`, call);
    },
  };
}
