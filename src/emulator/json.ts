/**
 * The one JSON shape test the emulator needs in several places: a JSON object, i.e. not null and
 * not an array (both of which `typeof` also calls 'object').
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
