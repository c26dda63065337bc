/**
 * Idempotency keys are per caller: the same key from two users names two creates. The store gets
 * `sha256(caller identity, key)`, never the key or the token themselves.
 *
 * Caller identity: the tenant (`tid`) and object (`oid`) claims of the bearer token when it is a
 * JWT that carries both, as Microsoft Entra ID access tokens do (docs/partner-api.md §9): stable
 * across token refreshes, so a retry with a renewed token still finds its key. Otherwise a
 * SHA-256 of the token itself.
 *
 * The claims are read without checking the signature (the gateway holds no keys; the Partner API
 * checks the token). That is safe because nothing stored is served on the claims' word: a record
 * holds an outcome kind and a referral id, and a replay reads the referral again with the
 * caller's own token. A forged token naming someone else's `tid`/`oid` fails at the Partner API,
 * and it would also need that user's idempotency key, which the user's client generated.
 */
import { hash } from 'node:crypto';

/** Entra ID's `tid`/`oid` are GUIDs; anything else is not trusted to name a caller. */
const CLAIM_ID = /^[A-Za-z0-9-]{1,64}$/;

export function callerIdentity(authorization: string | undefined): string {
  const token = /^Bearer +(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  const claims = entraClaims(token);
  return claims === undefined ? `token:${sha256(token)}` : `entra:${claims.tid}:${claims.oid}`;
}

/** The store's key for `idempotencyKey` sent by this caller. */
export function idempotencyScope(authorization: string | undefined, idempotencyKey: string): string {
  return sha256(`${callerIdentity(authorization)}\n${idempotencyKey}`);
}

function entraClaims(token: string): { readonly tid: string; readonly oid: string } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1].length > 8192) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const { tid, oid } = (payload ?? {}) as { tid?: unknown; oid?: unknown };
    if (typeof tid === 'string' && typeof oid === 'string' && CLAIM_ID.test(tid) && CLAIM_ID.test(oid)) {
      return { tid: tid.toLowerCase(), oid: oid.toLowerCase() };
    }
  } catch {
    // Not a JWT: the token's hash names the caller.
  }
  return undefined;
}

function sha256(text: string): string {
  // One-shot `hash` rather than a `createHash` object: Node's docs say it is faster for small data.
  return hash('sha256', text, 'hex');
}
