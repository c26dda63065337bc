/**
 * What every answer the gateway gives under an upstream fault must be, whatever the fault: valid
 * GraphQL JSON, without a stack trace, upstream host, file path or upstream body text, with only
 * public error codes. Shared by the fault matrix (test/resilience/faultMatrixSuite.ts) and the
 * fault cells of the newer writes (test/resilience/newWritesFaults.test.ts).
 */
import type { Stack } from './stack.ts';

/** Text an upstream error body carries; it must never reach a client. */
export const UPSTREAM_SECRET = 'upstream-secret-diagnostic-93ab';

/** An upstream error body whose message is the secret. */
export const secretBody = (code: string) => ({
  error: { code, message: UPSTREAM_SECRET, target: 'referral' },
});

/** Codes an answer under an upstream fault may carry. */
export const FAULT_ERROR_CODES: ReadonlySet<string> = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
]);

/** Whether an answer's text shows anything of the upstream or the gateway's insides. */
export function leaks(stack: Stack, text: string): boolean {
  const host = new URL(stack.emulator.url).host;
  return (
    text.includes(host) ||
    text.includes('127.0.0.1') ||
    text.includes(UPSTREAM_SECRET) ||
    /\bat .+:\d+:\d+/.test(text) ||
    /\/(work|home|usr|tmp)\/|node_modules|\.ts:\d+/.test(text) ||
    text.includes('UND_ERR') ||
    text.includes('stacktrace')
  );
}

export interface FaultAnswer {
  /** The first error's code, else the first root field's `__typename`; `invalid` for no GraphQL JSON. */
  readonly outcome: string;
  /** Error codes outside `FAULT_ERROR_CODES`. */
  readonly badCodes: readonly string[];
  /** The first root field's value, when there is one. */
  readonly result: Record<string, unknown> | null;
}

/** Reads one answer as the fault cells judge it. */
export function judgeAnswer(status: number, text: string): FaultAnswer {
  let body: {
    data?: Record<string, Record<string, unknown> | null> | null;
    errors?: { extensions?: { code?: string } }[];
  };
  try {
    body = JSON.parse(text);
    if (status >= 500 || (!('data' in body) && !('errors' in body))) throw new Error('not a GraphQL answer');
  } catch {
    return { outcome: 'invalid', badCodes: [], result: null };
  }
  const codes = (body.errors ?? []).map((error) => String(error.extensions?.code));
  const result = Object.values(body.data ?? {})[0] ?? null;
  return {
    outcome: String(codes[0] ?? result?.__typename ?? 'no data'),
    badCodes: codes.filter((code) => !FAULT_ERROR_CODES.has(code)),
    result,
  };
}
