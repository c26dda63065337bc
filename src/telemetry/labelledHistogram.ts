/**
 * A Prometheus histogram for the request path: once a label set has been seen, an observation
 * allocates nothing beyond the caller's array of label values, and builds no string.
 *
 * prom-client's `Histogram.observe` builds a hash string of the labels, validates them and reads
 * its buckets through number-keyed object properties (each bound converted to a property key) on
 * every call; in the bench's profiles (bench/RESULTS.md, "What the gateway's own work is") that
 * was 0.115 ms per `_entities` × 20 operation, one observation per upstream call. Here the label
 * values, positional in `labelNames` order, walk nested Maps to their series, and the bucket is
 * an array index.
 *
 * Exposition stays prom-client's: the histogram registers in a prom-client `Registry` and answers
 * `getForPromString()` and `get()` in the shape prom-client's Histogram does, so the same code
 * formats the text (test/unit/labelledHistogram.test.ts compares both byte for byte).
 */
import type { Metric, Registry } from 'prom-client';

export type LabelValue = string | number;

interface Series {
  /** In `labelNames` order, as prom-client keeps the labels of a series' first observation. */
  readonly labels: Readonly<Record<string, LabelValue>>;
  /** Observations per bucket, not cumulative: `counts[i]` for `bounds[i - 1] < v ≤ bounds[i]`. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** One sample as prom-client's registry formats it (its Histogram's export shape). */
interface Sample {
  readonly labels: Record<string, LabelValue>;
  readonly sharedLabels: Readonly<Record<string, LabelValue>>;
  readonly value: number;
  readonly metricName: string;
  readonly exemplar?: null;
}

export interface LabelledHistogramOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Upper bounds, ascending; `+Inf` is implied. */
  readonly buckets: readonly number[];
  readonly registers: readonly Registry[];
}

type Level = Map<LabelValue, Level | Series>;

export class LabelledHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: readonly string[];
  readonly #bounds: readonly number[];
  #root: Level = new Map();
  /** In first-seen order, as prom-client exports its series. */
  #series: Series[] = [];

  constructor(options: LabelledHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = [...options.labelNames];
    this.#bounds = [...options.buckets];
    // The Registry's types name prom-client's own classes; at run time it reads `name`, `type`,
    // `getForPromString()`/`get()` and `reset()` (prom-client lib/registry.js), which this has.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /**
   * Counts `value` for the series of `values` (one per label name, in order). A non-finite
   * value is dropped: a metric must not fail the request it measures.
   */
  observe(values: readonly LabelValue[], value: number): void {
    if (!Number.isFinite(value)) return;
    const series = this.#seriesOf(values);
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    // i === bounds.length: above every bound, counted in +Inf (the count) only.
    if (i < bounds.length) (series.counts[i] as number)++;
    series.sum += value;
    series.count++;
  }

  #seriesOf(values: readonly LabelValue[]): Series {
    const last = this.labelNames.length - 1;
    let level = this.#root;
    for (let depth = 0; depth < last; depth++) {
      const value = values[depth] as LabelValue;
      let next = level.get(value) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(value, next);
      }
      level = next;
    }
    const leaf = values[last] as LabelValue;
    let series = level.get(leaf) as Series | undefined;
    if (series === undefined) {
      const labels: Record<string, LabelValue> = {};
      this.labelNames.forEach((name, i) => {
        labels[name] = values[i] as LabelValue;
      });
      series = { labels, counts: this.#bounds.map(() => 0), sum: 0, count: 0 };
      level.set(leaf, series);
      this.#series.push(series);
    }
    return series;
  }

  /** What prom-client's registry formats into the exposition text (its Histogram's shape). */
  async getForPromString(): Promise<{
    name: string;
    help: string;
    type: string;
    values: Sample[];
    aggregator: string;
  }> {
    const bucket = `${this.name}_bucket`;
    const values: Sample[] = [];
    for (const s of this.#series) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({
          labels: { le },
          sharedLabels: s.labels,
          value: cumulative,
          metricName: bucket,
          exemplar: null,
        });
      });
      values.push(
        {
          labels: { le: '+Inf' },
          sharedLabels: s.labels,
          value: s.count,
          metricName: bucket,
          exemplar: null,
        },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The JSON form (`registry.getMetricsAsJSON()`): each sample's labels with its series' merged in. */
  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    values: Omit<Sample, 'sharedLabels'>[];
    aggregator: string;
  }> {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ sharedLabels, ...sample }) => ({
        ...sample,
        labels: { ...sample.labels, ...sharedLabels },
      })),
    };
  }

  reset(): void {
    this.#root = new Map();
    this.#series = [];
  }
}
