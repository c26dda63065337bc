/**
 * Wire timestamps: UTC ISO-8601 with 7 fractional digits
 * (docs/partner-api.md §10: `2022-02-24T21:04:06.0372014Z`).
 * `Date` only carries milliseconds, so the last four digits (100 ns ticks) are passed separately.
 */

/** Formats `epochMs` plus `ticks` (0–9999 hundreds of nanoseconds) as `YYYY-MM-DDTHH:mm:ss.fffffffZ`. */
export function formatTimestamp(epochMs: number, ticks = 0): string {
  const iso = new Date(Math.floor(epochMs)).toISOString();
  const sub = String(Math.min(9999, Math.max(0, Math.floor(ticks)))).padStart(4, '0');
  return `${iso.slice(0, -1)}${sub}Z`;
}

let lastMs = 0;
let lastTicks = 0;

/**
 * The current time in wire form, strictly increasing within this process, so two writes in the same
 * millisecond still get distinct, correctly ordered `updatedDateTime` values.
 */
export function nowTimestamp(): string {
  const ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    lastTicks = 0;
  } else if (lastTicks < 9999) {
    lastTicks += 1;
  } else {
    lastMs += 1;
    lastTicks = 0;
  }
  return formatTimestamp(lastMs, lastTicks);
}
