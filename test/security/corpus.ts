/**
 * Loads the security corpus: `hostile/*.graphql` (must be refused before execution) and
 * `benign/*.graphql` (what our users send; must pass untouched).
 *
 * A file is a GraphQL document, optionally preceded by header comments:
 * - `# variables: <JSON>`: the request's variables. String values `$ID<k>`, `$ETAG<k>` and
 *   `$EMAIL<k>` become the k-th seeded referral's id, eTag and first team member's e-mail;
 *   `$REPRESENTATIONS<k>` becomes k `_entities` representations of seeded referrals (ids repeat
 *   past the seed's size); `$DISTINCT_REPRESENTATIONS<k>` k representations of k different
 *   referrals (the emulator is given copies of seeded ones under new ids when it has fewer);
 *   `{{DEEP_JSON n}}` (unquoted) an object nested n levels deep.
 * - `# batch: <n>`: the request body is an array of n copies of the request.
 * - `# operationName: <name>`.
 * Inside the document, `{{repeat n}}…{{end}}` writes `…` n times (`{{n}}` is the copy's index),
 * `{{EVERY_REFERRAL_FIELD}}` the selection of every Referral field (test/helpers/selections.ts,
 * members written out) and `{{NUL}}` a U+0000, so floods stay readable and the files small.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Emulator } from '../../src/emulator/emulatorServer.ts';
import { EXAMPLE_OPERATION } from '../../src/server/exampleOperation.ts';
import { ALL_REFERRAL_FIELDS } from '../helpers/selections.ts';

export interface CorpusEntry {
  readonly name: string;
  /** The request body as sent (before placeholders in variables are filled). */
  readonly query: string;
  /** Raw JSON text: hostile variables may nest deeper than JSON.stringify can recurse. */
  readonly variables: string | undefined;
  readonly operationName: string | undefined;
  readonly batch: number | undefined;
}

const DIR = new URL('./', import.meta.url);

function expandDocument(text: string): string {
  return text
    .replace(/\{\{repeat (\d+)\}\}([\s\S]*?)\{\{end\}\}/g, (_all, count: string, body: string) =>
      Array.from({ length: Number(count) }, (_unused, i) => body.replaceAll('{{n}}', String(i))).join(''),
    )
    .replaceAll('{{EVERY_REFERRAL_FIELD}}', EVERY_REFERRAL_FIELD)
    .replaceAll('{{NUL}}', '\u0000');
}

/** Every Referral field, with the member fragment's fields written out (no fragment to define). */
const EVERY_REFERRAL_FIELD = ALL_REFERRAL_FIELDS.replaceAll(
  '...member',
  'firstName lastName phoneNumber email title contactPreference { locale disableNotifications }',
);

function deepJson(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/** Apollo Sandbox's initial document (also the README's first example), taken from its source. */
const SANDBOX_EXAMPLE: CorpusEntry = {
  name: '01-sandbox-example',
  query: EXAMPLE_OPERATION,
  variables: undefined,
  operationName: undefined,
  batch: undefined,
};

export function loadCorpus(kind: 'hostile' | 'benign'): CorpusEntry[] {
  const dir = new URL(`${kind}/`, DIR);
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const header = (key: string) => text.match(new RegExp(`^# ${key}: (.*)$`, 'm'))?.[1];
      const variables = header('variables');
      const batch = header('batch');
      return {
        name: file.replace(/\.graphql$/, ''),
        query: expandDocument(text),
        variables: variables?.replace(/\{\{DEEP_JSON (\d+)\}\}/g, (_all, n: string) => deepJson(Number(n))),
        operationName: header('operationName'),
        batch: batch === undefined ? undefined : Number(batch),
      };
    });
  return kind === 'benign' ? [SANDBOX_EXAMPLE, ...files] : files;
}

/** Replaces `$ID<k>`-style placeholders in variables with data of the emulator's seed. */
export function fillVariables(value: unknown, emulator: Emulator): unknown {
  const referrals = emulator.listReferrals();
  const at = (k: string) => referrals[Number(k) % referrals.length] as Record<string, unknown>;
  if (typeof value === 'string') {
    const match = value.match(/^\$(ID|ETAG|EMAIL|REPRESENTATIONS|DISTINCT_REPRESENTATIONS)(\d+)$/);
    if (!match) return value;
    const [, kind, k = '0'] = match;
    if (kind === 'DISTINCT_REPRESENTATIONS') {
      return ensureReferrals(emulator, Number(k))
        .slice(0, Number(k))
        .map((referral) => ({ __typename: 'Referral', id: referral.id }));
    }
    if (kind === 'ID') return at(k).id;
    if (kind === 'ETAG') return emulator.getReferral(at(k).id as string)?.eTag;
    if (kind === 'EMAIL') return (at(k).team as { email: string }[] | undefined)?.[0]?.email ?? null;
    return Array.from({ length: Number(k) }, (_unused, i) => ({
      __typename: 'Referral',
      id: at(String(i)).id,
    }));
  }
  if (Array.isArray(value)) return value.map((item) => fillVariables(item, emulator));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillVariables(v, emulator)]));
  }
  return value;
}

/**
 * The emulator's referrals, at least `count` of them: copies of seeded ones under new ids are
 * added when the seed has fewer (a router's 100-item page resolves 100 different referrals).
 */
export function ensureReferrals(emulator: Emulator, count: number): Record<string, unknown>[] {
  const referrals = emulator.listReferrals();
  for (let i = referrals.length; i < count; i += 1) {
    const { eTag: _eTag, ...copy } = referrals[i % referrals.length] as Record<string, unknown>;
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    referrals.push(emulator.putReferral({ ...copy, id, name: `${String(copy.name)} (copy ${i})` }));
  }
  return referrals;
}

/** The JSON body of a corpus entry, as a client would POST it. */
export function requestBody(entry: CorpusEntry, emulator: Emulator): string {
  const one: Record<string, unknown> = { query: entry.query };
  if (entry.operationName !== undefined) one.operationName = entry.operationName;
  let json = JSON.stringify(one);
  if (entry.variables !== undefined) {
    // Only variables with placeholders are parsed; the rest are spliced in as written.
    const variables = entry.variables.includes('"$')
      ? JSON.stringify(fillVariables(JSON.parse(entry.variables), emulator))
      : entry.variables;
    json = `${json.slice(0, -1)},"variables":${variables}}`;
  }
  return entry.batch === undefined ? json : `[${Array.from({ length: entry.batch }, () => json).join(',')}]`;
}
