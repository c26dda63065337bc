/**
 * A warning that can fire on every request (Redis is down, every APQ lookup fails; the Partner
 * API sends an enum value the schema does not know, on every referral that carries it) is logged
 * at most once per interval per event, with the number of repeats it stood for: the condition is
 * visible in the logs without one line per request (or per field) drowning them.
 */
import type { Logger } from './logger.ts';

export type ThrottledWarn = (event: string, fields: Readonly<Record<string, unknown>>) => void;

/** Events are fixed strings from the code, so the map stays as small as their set. */
export function throttledWarn(
  logger: Logger,
  intervalMs: number,
  now: () => number = Date.now,
): ThrottledWarn {
  const seen = new Map<string, { at: number; suppressed: number }>();
  return (event, fields) => {
    const at = now();
    const last = seen.get(event);
    if (last !== undefined && at - last.at < intervalMs) {
      last.suppressed += 1;
      return;
    }
    seen.set(event, { at, suppressed: 0 });
    logger.warn({ ...fields, ...(last?.suppressed ? { suppressed: last.suppressed } : {}) }, event);
  };
}
