/**
 * JSON values as the gateway meets them: parsed from the Partner API's answers or coerced from a
 * GraphQL input. Pure: no I/O.
 */

/**
 * A JSON object (not an array, not null, not a class instance): what JSON.parse makes
 * (Object.prototype) or what graphql-js makes of an input object (a null prototype).
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}
