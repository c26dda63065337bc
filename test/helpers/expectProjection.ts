/**
 * Checks that a GraphQL answer is a faithful projection of the Partner API's JSON: every selected
 * field equals the wire value of the same name (`etag` ⇐ `eTag`), enum fields are the wire value
 * in SCREAMING_SNAKE_CASE, absent wire values are `null`. Independent of the gateway's own code.
 */
import { expect } from '@jest/globals';

const ENUM_FIELDS = new Set([
  'status',
  'substatus',
  'type',
  'qualification',
  'profileType',
  'assistanceRequestCode',
  'direction',
  'salesStage',
  'registrationStatus',
  'term',
  'primaryDeploymentOn',
  'pricingModel',
]);

/** Wire values seen live outside their enum (docs/partner-api.md §5.3): the answer is `null`. */
const OFF_ENUM_VALUES: Readonly<Record<string, readonly string[]>> = { salesStage: ['100'] };

/** `AzureIPCoSell` → `AZURE_IP_CO_SELL`: a word starts at a capital after a lower-case letter, or before one. */
export function screamingSnake(value: string): string {
  return value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

export function expectProjection(answer: unknown, wire: unknown, path = '$'): void {
  if (answer === null) {
    expect({ path, wire: wire ?? null }).toEqual({ path, wire: null });
    return;
  }
  if (Array.isArray(answer)) {
    expect({ path, isArray: Array.isArray(wire) }).toEqual({ path, isArray: true });
    const list = wire as unknown[];
    expect({ path, length: answer.length }).toEqual({ path, length: list.length });
    answer.forEach((item, i) => {
      expectProjection(item, list[i], `${path}[${i}]`);
    });
    return;
  }
  if (typeof answer === 'object') {
    const source = (wire ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(answer as Record<string, unknown>)) {
      const wireValue = source[key === 'etag' ? 'eTag' : key];
      const here = `${path}.${key}`;
      if (value === null && typeof wireValue === 'string' && OFF_ENUM_VALUES[key]?.includes(wireValue)) {
        continue;
      }
      if (ENUM_FIELDS.has(key) && typeof wireValue === 'string' && typeof value === 'string') {
        expect({ path: here, value }).toEqual({ path: here, value: screamingSnake(wireValue) });
      } else {
        expectProjection(value, wireValue, here);
      }
    }
    return;
  }
  expect({ path, value: answer }).toEqual({ path, value: wire });
}
