/**
 * The fingerprint of a create: a SHA-256 of the operation's name and its normalised input, as
 * canonical JSON (object keys sorted at every level), so the same input always gives the same
 * fingerprint whatever order its fields came in. The create's input is normalised by planning it
 * first (domain/referral/createPlan.ts: nulls dropped, the initial status/substatus filled in), so
 * `{}` and `{status: NEW, substatus: PENDING}` are the same create.
 */
import { createHash } from 'node:crypto';

export function fingerprint(operation: string, input: unknown): string {
  return createHash('sha256').update(operation).update('\n').update(canonicalJson(input)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
