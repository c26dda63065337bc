/**
 * The emulator's in-memory referral store. It holds raw JSON objects exactly as given (unknown
 * fields and odd values included, docs/partner-api.md §5.3 "store everything else as opaque
 * JSON") and deep-clones on the way in and out, so no caller can change stored state behind its
 * back. A list query is the exception that proves it: it reads every item to choose a page of
 * a few, so `forReading` hands out the stored items themselves, read-only, and the list route
 * clones only the page it answers (cloning all 65 seeded items took ~1 ms of each list request).
 */
import { randomBytes } from 'node:crypto';
import { nowTimestamp } from './timestamp.ts';

export type Referral = Record<string, unknown>;

/**
 * A Cosmos-DB-style strong tag: a JSON string whose value carries literal double quotes around a
 * GUID-like token (docs/partner-api.md §7: `"\"2500ec5a-0000-0000-0000-5bf4967d0000\""`).
 */
export function newETag(): string {
  const hex = randomBytes(10).toString('hex');
  return `"${hex.slice(0, 8)}-0000-0000-0000-${hex.slice(8, 20)}"`;
}

function sortKey(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Stable list order: newest `createdDateTime` first, then `id` ascending. */
function compareDefault(a: Referral, b: Referral): number {
  const byCreated = sortKey(b.createdDateTime).localeCompare(sortKey(a.createdDateTime));
  if (byCreated !== 0) return byCreated;
  return sortKey(a.id) < sortKey(b.id) ? -1 : sortKey(a.id) > sortKey(b.id) ? 1 : 0;
}

export class ReferralStore {
  readonly #items = new Map<string, Referral>();

  /** Stores `raw` as-is under its `id` with a fresh eTag; `updatedDateTime` is left as given. */
  insert(raw: Referral): Referral {
    const id = raw.id;
    if (typeof id !== 'string' || id === '') throw new TypeError('a referral needs a non-empty string id');
    const stored = { ...structuredClone(raw), eTag: newETag() };
    this.#items.set(id, stored);
    return structuredClone(stored);
  }

  /** Stores `raw` as a client write: fresh eTag and `updatedDateTime` = now. */
  write(raw: Referral): Referral {
    return this.insert({ ...raw, updatedDateTime: nowTimestamp() });
  }

  get(id: string): Referral | undefined {
    const item = this.#items.get(id);
    return item === undefined ? undefined : structuredClone(item);
  }

  list(): Referral[] {
    return this.forReading().map((item) => structuredClone(item));
  }

  /**
   * Every item in list order, not cloned: for choosing what to answer only (filtering, sorting,
   * paging). Whatever leaves the emulator is cloned first, as `list()` does.
   */
  forReading(): readonly Readonly<Referral>[] {
    return [...this.#items.values()].sort(compareDefault);
  }

  get size(): number {
    return this.#items.size;
  }
}
