/**
 * Reads Prometheus' text exposition format (prometheus.io/docs/instrumenting/exposition_formats)
 * as a scraper would: one sample per line, `name{label="value",…} value`.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export class Scrape {
  readonly samples: readonly Sample[];
  readonly text: string;

  constructor(text: string) {
    this.text = text;
    this.samples = parseSamples(text);
  }

  /** The samples named `name` whose labels include `labels`. */
  select(name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
    return this.samples.filter(
      (s) =>
        s.name === name && Object.entries(labels).every(([key, value]) => (s.labels[key] ?? '') === value),
    );
  }

  /** Their sum (0 when there are none: a counter not yet incremented has no series). */
  sum(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.select(name, labels).reduce((total, s) => total + s.value, 0);
  }
}

export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`scrape of ${url} answered ${res.status}`);
  return new Scrape(await res.text());
}

function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.push({ name: match[1] as string, labels: parseLabels(match[2] ?? ''), value: Number(match[3]) });
  }
  return samples;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
  for (const match of text.matchAll(pattern)) {
    labels[match[1] as string] = (match[2] as string).replace(/\\(["\\n])/g, (_, c: string) =>
      c === 'n' ? '\n' : c,
    );
  }
  return labels;
}
