/**
 * CORS for browser clients on other origins (Apollo's hosted Sandbox, a frontend's dev server).
 * Only listed origins get CORS headers; credentials (cookies) are never allowed, because callers
 * authenticate with an explicit `Authorization` header. CSRF prevention stays on regardless:
 * CORS decides who may read answers, CSRF prevention who may cause side effects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Apollo Studio hosts Sandbox and Explorer here. */
export const HOSTED_SANDBOX_ORIGIN = 'https://studio.apollographql.com';

const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  'ms-correlationid',
].join(', ');

export interface CorsPolicy {
  readonly allowedOrigins: ReadonlySet<string>;
  /** How long browsers may cache a preflight answer. */
  readonly maxAgeSeconds: number;
}

/**
 * Adds CORS headers for an allowed origin. Returns true when the request was a preflight and has
 * been answered (204).
 */
export function applyCors(policy: CorsPolicy, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  res.setHeader('vary', 'Origin');
  const allowed =
    origin !== undefined && (policy.allowedOrigins.has(origin) || policy.allowedOrigins.has('*'));
  if (allowed) res.setHeader('access-control-allow-origin', origin);
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  if (allowed) {
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', String(policy.maxAgeSeconds));
  }
  res.statusCode = 204;
  res.end();
  return true;
}
