import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { LabelledHistogram, type LabelValue } from '../../src/telemetry/labelledHistogram.ts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const LABELS = ['http_request_method', 'url_template', 'http_response_status_code', 'error_type'];

type Observation = readonly [readonly LabelValue[], number];

/** The same observations in prom-client's Histogram and in ours, each in a registry of its own. */
function both(observations: readonly Observation[]) {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({
    name: 'http_client_request_duration_seconds',
    help: 'Duration of each attempt.',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [theirs],
  });
  const histogram = new LabelledHistogram({
    name: 'http_client_request_duration_seconds',
    help: 'Duration of each attempt.',
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [ours],
  });
  for (const [values, value] of observations) {
    reference.observe(Object.fromEntries(LABELS.map((name, i) => [name, values[i] as LabelValue])), value);
    histogram.observe(values, value);
  }
  return { theirs, ours, histogram };
}

describe('LabelledHistogram', () => {
  test("scrapes byte for byte as prom-client's Histogram fed the same observations", async () => {
    const get = ['GET', '/engagements/referrals/{id}', 200, ''] as const;
    const { theirs, ours } = both([
      [get, 0.0012],
      [['PATCH', '/engagements/referrals/{id}', 412, ''], 0.02],
      // On a bound (counted in it), above every bound (+Inf only), zero.
      [get, 0.005],
      [get, 12],
      [get, 0],
      // A label value that needs escaping, and an empty one.
      [['GET', 'a "quoted"\\path\nnext', '', 'TimeoutError'], 0.3],
      [get, 0.07],
    ]);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  test('matches prom-client for any observations, series in first-seen order', async () => {
    const values = fc.tuple(
      fc.constantFrom('GET', 'POST', 'PATCH'),
      fc.constantFrom('/engagements/referrals', '/engagements/referrals/{id}'),
      fc.oneof(fc.constantFrom(200, 404, 412), fc.constant('')),
      fc.constantFrom('', 'TimeoutError', 'UPSTREAM_UNAVAILABLE'),
    );
    const seconds = fc.oneof(fc.double({ min: 0, max: 20, noNaN: true }), fc.constantFrom(...BUCKETS));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(values, seconds), { maxLength: 60 }), async (observations) => {
        const { theirs, ours } = both(observations);
        expect(await ours.metrics()).toBe(await theirs.metrics());
      }),
      { numRuns: 200 },
    );
  });

  test('drops a value that is not finite instead of throwing on the request path', async () => {
    const { ours, histogram } = both([]);
    expect(() => histogram.observe(['GET', '/x', 200, ''], Number.NaN)).not.toThrow();
    histogram.observe(['GET', '/x', 200, ''], Number.POSITIVE_INFINITY);
    expect(await ours.metrics()).not.toContain('_count');
  });

  test('reset forgets every series', async () => {
    const { ours, histogram } = both([[['GET', '/x', 200, ''], 0.1]]);
    expect(await ours.metrics()).toContain('http_client_request_duration_seconds_count{');
    histogram.reset();
    expect(await ours.metrics()).not.toContain('_count');
    histogram.observe(['POST', '/y', 201, ''], 0.2);
    expect(await ours.metrics()).toContain('url_template="/y"');
    expect(await ours.metrics()).not.toContain('url_template="/x"');
  });
});
