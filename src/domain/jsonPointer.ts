/**
 * RFC 6901 JSON Pointers, the paths of a JSON Patch (docs/partner-api.md §3.5): one home for the
 * escaping (`~` → `~0`, `/` → `~1`) so every patch the gateway builds spells keys the same way.
 * Pure: no I/O.
 */
import { isJsonObject } from './json.ts';

/** The pointer of these reference tokens, each escaped (RFC 6901 §3). */
export function jsonPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((token) => `/${String(token).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The value at `pointer` in `document`, or `undefined` where there is none. */
export function valueAtPointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let at: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    // Order matters (RFC 6901 §4): `~01` is the literal `~1`, not `/`.
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(at) && /^\d+$/.test(token)) at = at[Number(token)];
    else if (isJsonObject(at) && Object.hasOwn(at, token)) at = at[token];
    else return undefined;
  }
  return at;
}
