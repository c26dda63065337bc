/**
 * The URL parts the gateway takes without a URL parse are exactly what the parse gives: checked
 * against WHATWG URL itself, on the URLs the gateway builds and on what a client may send.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { originAndPath, pathAndSearch } from '../../src/http/urlParts.ts';

/** What undici's `request(url)` sends: WHATWG URL's origin, and its pathname with the query. */
function asUrlParses(url: string): { origin: string; path: string } {
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

describe('originAndPath', () => {
  test('splits every URL referralsApi.ts builds exactly as a URL parse would', () => {
    const origins = fc.constantFrom(
      'https://api.partnercenter.microsoft.com',
      'http://127.0.0.1:4010',
      'http://[::1]:8080',
    );
    const query = fc.constantFrom('', '?$top=20', "?$filter=engagementId eq 'e-1'&$skiptoken=abc%3D%3D");
    fc.assert(
      fc.property(origins, fc.string({ unit: 'binary', maxLength: 40 }), query, (origin, id, search) => {
        const url = `${origin}/v1.0/engagements/referrals/${encodeURIComponent(id)}${search}`;
        expect(originAndPath(url)).toEqual(asUrlParses(url));
      }),
    );
  });

  test('hands anything not plain printable ASCII to the URL parser', () => {
    for (const url of [
      'http://127.0.0.1:4010/v1.0/referrals?name=a b',
      'http://127.0.0.1:4010/v1.0/référrals',
      'http://127.0.0.1:4010/v1.0/referrals#part',
      'http://127.0.0.1:4010',
      "http://127.0.0.1:4010/v1.0/referrals?$filter=id eq 'a'",
      'http://127.0.0.1:4010/v1.0/referrals/../x',
      'http://127.0.0.1:4010/v1.0/referrals/%2E%2e?x',
      'http://127.0.0.1:4010/v1.0\\referrals',
      'http://127.0.0.1:4010/v1.0/referrals?',
      'HTTP://LOCALHOST:4010/v1.0/referrals',
      'https://api.example.com:443/v1.0/referrals',
      'http://user:secret@127.0.0.1:4010/v1.0/referrals',
      'http://127.1:4010/v1.0/referrals',
      'http://127.0.0.1:4010?$top=1/x',
    ])
      expect(originAndPath(url)).toEqual(asUrlParses(url));
  });
});

/** What `new URL(target, base)` gives the HTTP handler; `undefined` where it throws. */
function asTargetParses(target: string): { pathname: string; search: string } | undefined {
  const parsed = URL.parse(target, 'http://localhost');
  return parsed === null ? undefined : { pathname: parsed.pathname, search: parsed.search };
}

describe('pathAndSearch', () => {
  test('a target no URL can be made of is undefined, not a throw', () => {
    expect(pathAndSearch('//')).toBeUndefined();
    expect(pathAndSearch('/\\')).toBeUndefined();
  });

  test('splits any request target exactly as a URL parse would', () => {
    const targets = fc.oneof(
      fc.constantFrom(
        '/graphql',
        '/graphql?',
        '/health',
        '/ready?x=1',
        '/graphql?query=%7B__typename%7D',
        '//x/y',
        'http://h:1/graphql?a=b',
        '*',
        '/%2e/graphql',
        '/.%2E/graphql',
        '/graphql/..',
        '/a/./graphql',
        '/graphql#x',
        "/graphql?'a'",
        '/graph^ql',
      ),
      fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `/${s}`),
      fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => `/graphql?${s}`),
      fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((s) => `/${s}`),
    );
    fc.assert(
      fc.property(targets, (target) => {
        expect(pathAndSearch(target)).toEqual(asTargetParses(target));
      }),
      { numRuns: 2000 },
    );
  });
});
