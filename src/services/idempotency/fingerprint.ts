/**
 * The fingerprint of a create: a SHA-256 of the operation's name and its normalised input, as
 * canonical JSON (object keys sorted at every level), so the same input always gives the same
 * fingerprint whatever order its fields came in. The create's input is normalised by planning it
 * first (domain/referral/createPlan.ts: nulls dropped, the initial status/substatus filled in), so
 * `{}` and `{status: NEW, substatus: PENDING}` are the same create.
 */
import { hash } from 'node:crypto';

export function fingerprint(operation: string, input: unknown): string {
  // One-shot `hash` rather than a `createHash` object: Node's docs say it is faster for small data.
  return hash('sha256', `${operation}\n${canonicalJson(input)}`, 'hex');
}

export function canonicalJson(value: unknown): string {
  // A hole in a sparse array reads `null` (the first form kept it empty); JSON and GraphQL input
  // never has one.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Code-unit order, as `<` compares: the same order whatever order the fields came in.
    const keys = Object.keys(record).sort();
    let out = '{';
    for (const key of keys) {
      const item = record[key];
      if (item === undefined) continue;
      out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
