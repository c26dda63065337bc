/**
 * The parts of a URL without a WHATWG URL parse per request, where the string is already what the
 * parse would give. A parse costs a few microseconds and allocates; the gateway did two per
 * request (the request target, and undici's `request(url)` for every upstream call). Any string
 * the parse would change goes through `new URL()`, so the parts are always the same.
 */

/**
 * What WHATWG URL parsing would change (measured on Node 24's parser, and pinned by
 * test/unit/urlParts.test.ts; a conservative list, so an older parser changes nothing it lets
 * by): bytes outside printable ASCII, the characters it percent-encodes in a path or a query (`"`, `'`, `<`, `>`, `^`, `` ` ``, `{`, `}`; `'` only in a query and `^`
 * only in a path, both treated here as if anywhere), a fragment, a backslash (a `/` in http URLs)
 * and dot segments, plain or percent-encoded.
 */
const NOT_PLAIN = /[^\x21-\x7e]|["#'<>^`{}\\]|\/(?:\.|%2e){1,2}(?:[/?]|$)/i;

/** An origin as a parse makes of it: the server it names, or `undefined` when it is not canonical. */
export interface Server {
  readonly address: string;
  readonly port: number;
}

/**
 * Origins parsed once each: canonical ones (lower-case, no default port, no userinfo…) with their
 * server, others as `undefined`. The gateway calls one or two; emptied past a few, never unbounded.
 */
const origins = new Map<string, Server | undefined>();
const MAX_ORIGINS = 16;

/** The server of a canonical origin (`https://host[:port]`), parsed once; `undefined` for any other string. */
export function serverOf(origin: string): Server | undefined {
  if (origins.has(origin)) return origins.get(origin);
  const parsed = URL.parse(origin);
  const server =
    parsed?.origin === origin
      ? {
          address: parsed.hostname,
          port: parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port),
        }
      : undefined;
  if (origins.size >= MAX_ORIGINS) origins.clear();
  origins.set(origin, server);
  return server;
}

/** The origin and the path with its query of an absolute URL, as undici's `request(url)` takes them. */
export function originAndPath(url: string): { origin: string; path: string } {
  const scheme = url.indexOf('://');
  const slash = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
  const origin = slash < 0 ? '' : url.slice(0, slash);
  if (slash < 0 || NOT_PLAIN.test(url) || origin.includes('?') || serverOf(origin) === undefined) {
    const parsed = new URL(url);
    return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  }
  // A parse drops a bare `?`, as pathAndSearch does.
  const path = url.slice(slash);
  return { origin, path: path.indexOf('?') === path.length - 1 ? path.slice(0, -1) : path };
}

/**
 * The pathname and the search (`?…`, or '') of an HTTP request target (RFC 9112 §3.2): the
 * origin form (`/graphql?…`) split as a string; the absolute form, or anything a parse would
 * change, parsed. `undefined` for a target no URL can be made of, such as `//` (an empty
 * authority): Node's parser lets it through, and an uncaught throw here would end the process.
 */
export function pathAndSearch(target: string): { pathname: string; search: string } | undefined {
  if (target.startsWith('/') && !target.startsWith('//') && !NOT_PLAIN.test(target)) {
    const query = target.indexOf('?');
    if (query < 0) return { pathname: target, search: '' };
    // A parse drops a bare `?`: its search is ''.
    return {
      pathname: target.slice(0, query),
      search: query === target.length - 1 ? '' : target.slice(query),
    };
  }
  const parsed = URL.parse(target, 'http://localhost');
  return parsed === null ? undefined : { pathname: parsed.pathname, search: parsed.search };
}
