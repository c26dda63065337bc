import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  mayHaveApplied,
  DEFAULT_RETRY_POLICY as P,
  provablyNotSent,
  RetryBudget,
  retryDelayMs,
} from '../../src/upstream/retryPolicy.ts';
import { UPSTREAM_ERROR_CODES, UpstreamError } from '../../src/upstream/upstreamErrors.ts';

const half = () => 0.5;

describe('retryDelayMs', () => {
  test.each([429, 502, 503, 504])('retries a read answered %i', (status) => {
    expect(retryDelayMs(P, { method: 'GET', status }, 0, 10_000, half)).toBe(50);
  });

  test.each([400, 401, 403, 404, 412, 500])('does not retry a read answered %i', (status) => {
    expect(retryDelayMs(P, { method: 'GET', status }, 0, 10_000)).toBeUndefined();
  });

  test.each(['ECONNRESET', 'ECONNREFUSED', 'UND_ERR_SOCKET'])(
    'retries a read that failed with %s',
    (transportCode) => {
      expect(retryDelayMs(P, { method: 'GET', transportCode }, 0, 10_000)).toBeDefined();
    },
  );

  test('does not retry a read that timed out waiting for headers', () => {
    expect(
      retryDelayMs(P, { method: 'GET', transportCode: 'UND_ERR_HEADERS_TIMEOUT' }, 0, 10_000),
    ).toBeUndefined();
  });

  test('retries a write only when its connection was never made', () => {
    expect(retryDelayMs(P, { method: 'PUT', transportCode: 'ECONNREFUSED' }, 0, 10_000)).toBeDefined();
    for (const failure of [
      { transportCode: 'ECONNRESET' },
      { status: 503 },
      { status: 429 },
      { transportCode: 'UND_ERR_HEADERS_TIMEOUT' },
    ]) {
      expect(retryDelayMs(P, { method: 'PUT', ...failure }, 0, 10_000)).toBeUndefined();
      expect(retryDelayMs(P, { method: 'PATCH', ...failure }, 0, 10_000)).toBeUndefined();
    }
  });

  test('honours Retry-After when it fits the deadline, and fails fast when it does not', () => {
    expect(retryDelayMs(P, { method: 'GET', status: 429, retryAfterSeconds: 1 }, 0, 10_000, half)).toBe(1000);
    expect(retryDelayMs(P, { method: 'GET', status: 429, retryAfterSeconds: 1 }, 0, 1_100)).toBeUndefined();
    expect(retryDelayMs(P, { method: 'GET', status: 429, retryAfterSeconds: 30 }, 0, 60_000)).toBeUndefined();
  });

  test('stops after maxRetries', () => {
    expect(retryDelayMs(P, { method: 'GET', status: 503 }, P.maxRetries, 10_000)).toBeUndefined();
  });

  test('full jitter: every delay is within [0, min(max, base·2ⁿ)] and leaves time for the attempt', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: P.maxRetries - 1 }),
        fc.double({ min: 0, max: 0.999999 }),
        fc.nat({ max: 5_000 }),
        (retry, r, remaining) => {
          const wait = retryDelayMs(P, { method: 'GET', status: 503 }, retry, remaining, () => r);
          if (wait !== undefined) {
            expect(wait).toBeGreaterThanOrEqual(0);
            expect(wait).toBeLessThanOrEqual(Math.min(P.maxDelayMs, P.baseDelayMs * 2 ** retry));
            expect(wait + P.minAttemptMs).toBeLessThanOrEqual(remaining);
          }
        },
      ),
    );
  });
});

describe('RetryBudget', () => {
  test('allows retries up to the ratio of requests plus the floor, then refuses', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 1, windowMs: 10_000 }, () => now);
    for (let i = 0; i < 100; i += 1) budget.recordRequest();
    let granted = 0;
    while (budget.tryRetry()) granted += 1;
    expect(granted).toBe(30); // 20% of 100, plus 1/s over 10 s
    now = 10_001;
    expect(budget.tryRetry()).toBe(true); // the window moved on
  });
});

describe('may a failed write have landed? (one answer for every write)', () => {
  test('only after a timeout, a 5xx or dropped connection, or an unreadable answer', () => {
    const maybe = UPSTREAM_ERROR_CODES.filter((code) => mayHaveApplied(new UpstreamError(code, 'x')));
    expect(maybe).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE']);
  });

  test('never when the request provably never left: its connection was not made', () => {
    for (const transportCode of P.notSentTransportCodes) {
      const error = new UpstreamError('UPSTREAM_UNAVAILABLE', 'x', { transportCode });
      expect(provablyNotSent(error)).toBe(true);
      expect(mayHaveApplied(error)).toBe(false);
    }
    const reset = new UpstreamError('UPSTREAM_UNAVAILABLE', 'x', { transportCode: 'ECONNRESET' });
    expect(provablyNotSent(reset)).toBe(false);
    expect(mayHaveApplied(reset)).toBe(true);
  });
});
