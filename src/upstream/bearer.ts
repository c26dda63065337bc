/**
 * Is there a bearer credential worth sending to the Partner API? The gateway never invents a
 * token, and it never spends a Partner API call on a request that carries none: the answer would
 * be a 401 anyway (docs/partner-api.md §9), and every such call is load on the Partner API.
 *
 * "Well-formed" here is the shape, not the validity (the Partner API decides that): the scheme
 * `Bearer` (case-insensitive, RFC 9110 §11.1), then one token of visible ASCII without spaces.
 * That is RFC 6750 §2.1's b64token (which Entra ID's JWTs are) widened to any visible character,
 * so the emulator's `user:<email>` persona tokens pass too.
 */
const BEARER = /^Bearer +[\x21-\x7e]+$/i;

/** Longer values are refused: Node's default header limit is 16 KiB, Entra ID tokens ~2–4 KB. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

export function isBearerAuthorization(value: string | undefined): value is string {
  return value !== undefined && value.length <= MAX_AUTHORIZATION_LENGTH && BEARER.test(value);
}
