/**
 * The bench's charts as SVG text, written by hand (no dependency): grouped bar charts, one group
 * per scenario and one bar per contestant, in one or more panels stacked vertically. Pure: data
 * in, SVG text out; bench/run.ts writes the files and RESULTS.md links them.
 */
import { CONTESTANT_NAMES, CONTESTANTS, type ContestantName } from './contestants.ts';
import { addedLatency, type BenchResults, cpuRatio, summarize } from './results.ts';

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
}

export interface ChartGroup {
  readonly label: string;
  /** Series name → value; a missing or non-finite value draws no bar. */
  readonly values: Readonly<Record<string, number | undefined>>;
}

export interface ChartPanel {
  readonly title: string;
  /** Appended to values in tooltips and on the axis title. */
  readonly unit: string;
  readonly groups: readonly ChartGroup[];
  /** A dashed horizontal line (e.g. a target). */
  readonly reference?: { readonly value: number; readonly label: string };
}

export interface BarChart {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly panels: readonly ChartPanel[];
}

const BAR = 12;
const GROUP_GAP = 18;
const LEFT = 64;
const RIGHT = 84;
const PLOT_HEIGHT = 170;
const LABEL_SPACE = 86;
const PANEL_TITLE = 26;

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/** A round step (1, 2 or 5 × 10^k) giving about `count` intervals over `span`. */
function niceStep(span: number, count = 5): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

function formatTick(v: number, step: number): string {
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  return v.toFixed(Math.min(digits, 4));
}

function legend(series: readonly ChartSeries[], width: number, top: number): { svg: string; height: number } {
  const parts: string[] = [];
  let x = LEFT;
  let y = top;
  for (const s of series) {
    const w = 22 + s.name.length * 6.6;
    if (x + w > width - RIGHT && x > LEFT) {
      x = LEFT;
      y += 18;
    }
    parts.push(
      `<rect class="legend" x="${n(x)}" y="${n(y - 9)}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${n(x + 14)}" y="${n(y)}">${escapeXml(s.name)}</text>`,
    );
    x += w + 10;
  }
  return { svg: parts.join(''), height: y - top + 18 };
}

function panelSvg(
  panel: ChartPanel,
  index: number,
  series: readonly ChartSeries[],
  top: number,
  width: number,
): string {
  const values = panel.groups.flatMap((g) =>
    series.map((s) => g.values[s.name]).filter((v): v is number => v !== undefined && Number.isFinite(v)),
  );
  if (panel.reference) values.push(panel.reference.value);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const step = niceStep(hi - lo > 0 ? hi - lo : 1);
  const min = Math.floor(lo / step) * step;
  const max = Math.max(min + step, Math.ceil(hi / step) * step);
  const plotTop = top + PANEL_TITLE;
  const y = (v: number) => plotTop + PLOT_HEIGHT - ((v - min) / (max - min)) * PLOT_HEIGHT;
  const parts: string[] = [
    `<g class="panel" data-panel="${index}">`,
    `<text x="${LEFT}" y="${n(top + 16)}" font-weight="bold">${escapeXml(panel.title)}</text>`,
  ];
  for (let t = min; t <= max + step / 2; t += step) {
    const ty = y(t);
    parts.push(
      `<line x1="${LEFT}" x2="${n(width - RIGHT)}" y1="${n(ty)}" y2="${n(ty)}" stroke="${Math.abs(t) < step / 1e6 ? '#444' : '#ddd'}"/>`,
      `<text x="${LEFT - 6}" y="${n(ty + 4)}" text-anchor="end">${escapeXml(formatTick(t, step))}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(14 ${n(plotTop + PLOT_HEIGHT / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(panel.unit)}</text>`,
  );
  const groupWidth = series.length * BAR + GROUP_GAP;
  panel.groups.forEach((g, gi) => {
    const x0 = LEFT + GROUP_GAP / 2 + gi * groupWidth;
    series.forEach((s, si) => {
      const v = g.values[s.name];
      if (v === undefined || !Number.isFinite(v)) return;
      const yTop = y(Math.max(v, 0));
      const height = Math.max(0.5, Math.abs(y(v) - y(0)));
      parts.push(
        `<rect class="bar" data-group="${escapeXml(g.label)}" data-series="${escapeXml(s.name)}" x="${n(x0 + si * BAR)}" y="${n(yTop)}" width="${BAR - 2}" height="${n(height)}" fill="${s.color}"><title>${escapeXml(`${g.label} · ${s.name}: ${v.toFixed(3)} ${panel.unit}`)}</title></rect>`,
      );
    });
    const lx = x0 + (series.length * BAR) / 2;
    const ly = plotTop + PLOT_HEIGHT + 14;
    parts.push(
      `<text transform="translate(${n(lx)} ${n(ly)}) rotate(-30)" text-anchor="end">${escapeXml(g.label)}</text>`,
    );
  });
  if (panel.reference) {
    const ry = y(panel.reference.value);
    parts.push(
      `<line class="reference" x1="${LEFT}" x2="${n(width - RIGHT)}" y1="${n(ry)}" y2="${n(ry)}" stroke="#c00" stroke-dasharray="5 4"/>`,
      `<text x="${n(width - RIGHT + 4)}" y="${n(ry + 4)}" fill="#c00">${escapeXml(panel.reference.label)}</text>`,
    );
  }
  parts.push('</g>');
  return parts.join('');
}

/** The chart as a standalone SVG document. */
export function barChartSvg(chart: BarChart): string {
  const groups = Math.max(1, ...chart.panels.map((p) => p.groups.length));
  const width = Math.max(640, LEFT + RIGHT + groups * (chart.series.length * BAR + GROUP_GAP));
  const head = legend(chart.series, width, 50);
  const panelHeight = PANEL_TITLE + PLOT_HEIGHT + LABEL_SPACE;
  const panelsTop = 50 + head.height;
  const height = panelsTop + chart.panels.length * panelHeight;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" font-family="sans-serif" font-size="11" role="img">`,
    // The accessible name (screen readers, and what a browser shows on hover).
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${n(width)}" height="${n(height)}" fill="#fff"/>`,
    `<text x="${LEFT}" y="24" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
    head.svg,
    ...chart.panels.map((p, i) => panelSvg(p, i, chart.series, panelsTop + i * panelHeight, width)),
    '</svg>',
    '',
  ].join('\n');
}

/** One colour per contestant, the same in every chart. */
const PALETTE: Readonly<Record<ContestantName, string>> = {
  rest: '#9e9e9e',
  proxy: '#b0bec5',
  'proxy+json': '#607d8b',
  'graphql-floor': '#80cbc4',
  'apollo-floor': '#00897b',
  'apollo-floor+tracing': '#004d40',
  'datasource-rest': '#ef6c00',
  before: '#ab47bc',
  gateway: '#1565c0',
  'gateway+tracing': '#2e7d32',
  'gateway+apq': '#f9a825',
  'gateway+redis-apq': '#c62828',
};

/** Contestants with a process of their own that have runs in `setting`, in the bench's order. */
function seriesOf(results: BenchResults, setting: 'instant' | 'delay'): ChartSeries[] {
  return CONTESTANT_NAMES.filter(
    (c) =>
      results.contestants.includes(c) &&
      CONTESTANTS[c].process &&
      results.runs.some((r) => r.contestant === c && r.setting === setting),
  ).map((c) => ({ name: c, color: PALETTE[c] }));
}

function groups(
  results: BenchResults,
  series: readonly ChartSeries[],
  value: (scenario: BenchResults['scenarios'][number], c: ContestantName) => number,
): ChartGroup[] {
  return results.scenarios.map((s) => ({
    label: s.short,
    values: Object.fromEntries(series.map((c) => [c.name, value(s, c.name as ContestantName)])),
  }));
}

/** CPU per operation per scenario and contestant, absolute and as a multiple of proxy+json's. */
export function cpuPerOpChart(results: BenchResults): string {
  const series = seriesOf(results, 'instant');
  const cpu = (id: BenchResults['scenarios'][number]['id'], c: ContestantName) =>
    summarize(results, 'instant', id, c)?.cpuMsPerOp ?? Number.NaN;
  const target = results.scenarios
    .flatMap((s) => s.expectations)
    .find((e) => e.kind === 'cpuPerOp' && e.contestant === 'gateway' && e.baseline === 'proxy+json');
  return barChartSvg({
    title: 'CPU per operation (instant upstream, closed loop; lower is better)',
    series,
    panels: [
      {
        title: 'ms of contestant CPU per operation',
        unit: 'ms',
        groups: groups(results, series, (s, c) => cpu(s.id, c)),
      },
      {
        title: '÷ proxy+json on the same scenario',
        unit: '×',
        groups: groups(results, series, (s, c) => cpuRatio(results, s.id, c, 'proxy+json')),
        ...(target?.kind === 'cpuPerOp'
          ? { reference: { value: target.maxRatio, label: `target ≤ ${target.maxRatio}×` } }
          : {}),
      },
    ],
  });
}

/** Latency added over the rest floor at the fixed rate, p50 and p99, per scenario and contestant. */
export function addedLatencyChart(results: BenchResults): string {
  const series = seriesOf(results, 'delay');
  return barChartSvg({
    title: `Latency added over the REST floor (${results.settings.delayMs} ms upstream, fixed rate; lower is better)`,
    series,
    panels: (['p50', 'p99'] as const).map((q) => ({
      title: `added ${q}`,
      unit: 'ms',
      groups: groups(results, series, (s, c) => addedLatency(results, s.id, c)[q]),
    })),
  });
}
