/**
 * RESULTS.md from a results object: a pure function (no clock, no files, no process state; the
 * caller passes the machine, the date and where the charts are), so it can be tested on
 * synthetic results and re-rendered without re-running the bench.
 */
import { CONTESTANTS, type ContestantName } from './contestants.ts';
import { checkExpectations, describeHeldBy, FLOOR_STEPS, isTargetOne, type Verdict } from './expectations.ts';
import { fmt } from './harness.ts';
import { addedLatency, type BenchResults, cpuRatio, type Setting, summarize } from './results.ts';
import type { Scenario } from './scenarios.ts';

export interface ReportOptions {
  /** Chart files relative to the report, when they were written. */
  readonly charts?: { readonly cpuPerOp: string; readonly addedLatency: string };
  /** The command that wrote the report (`npm run bench`). */
  readonly command: string;
}

const mark = (met: boolean | undefined) => (met === undefined ? '–' : met ? 'met' : '**not met**');
const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
const cell = (text: string) => text.replaceAll('|', '\\|');

function hasRuns(results: BenchResults, setting: Setting, c: ContestantName): boolean {
  return results.runs.some((r) => r.setting === setting && r.contestant === c);
}

export function renderReport(results: BenchResults, options: ReportOptions): string {
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  const { meta, settings } = results;
  const verdicts = checkExpectations(results);

  out('# Bench results');
  out();
  out(
    `Written by \`${options.command}\` (bench/run.ts); do not edit by hand. Indicative: one machine, few short runs.`,
  );
  out();
  if (settings.quick)
    out(
      '> **Quick smoke run** (`BENCH_QUICK=1`): one short window per row and a subset of contestants. The figures are rough; `npm run bench` writes the ones that count (bench/RESULTS.md).\n',
    );
  out(`- Machine: ${meta.machine}`);
  out(
    `- Node ${meta.node}; date ${meta.date}; bench took ${fmt(meta.seconds)} s; 1-min load average ${meta.loadAtStart.toFixed(2)} at start, ${meta.loadAtEnd.toFixed(2)} at the end (above ~2 on 2 cores means other work competed for the CPUs)`,
  );
  out(
    `- Settings: ${settings.runs} run(s) interleaved (run → scenario → contestant); closed loop ${settings.seconds} s per run, ${settings.connections} connections (autocannon), ${settings.warmup} s warm-up before every window (fixed rate: ${settings.rateWarmup} s); a scenario may use fewer connections (see Notes); fixed-rate runs ${settings.rateSeconds} s at ${settings.delayMs} ms upstream delay; CPU pinning ${settings.pin ? 'on (contestants on CPU 1; emulator, OTLP receiver and load generator on CPU 0)' : 'off'}.`,
  );
  out('- Contestants (separate processes on 127.0.0.1 in front of one emulator process):');
  for (const c of results.contestants) {
    const extra =
      c === 'gateway'
        ? ` (\`${meta.gatewayCommand}\`, NODE_ENV=production, LOG_LEVEL=warn)`
        : c === 'before'
          ? ` (commit ${meta.baseline ?? 'not run'})`
          : '';
    out(`  - **${c}**: ${CONTESTANTS[c].summary}${extra}`);
  }
  out(
    '- Every GraphQL answer is checked (HTTP 200, no `errors`; the mutations also read the result type); every REST answer must be 2xx.',
  );
  out();

  renderHeadline(results, options, out);
  renderFloors(results, verdicts, out);
  renderOwnWork(results, verdicts, out);
  renderTargets(verdicts, results, out);
  renderLatency(results, options, out);
  renderTable(results, 'instant', out);
  renderTable(results, 'delay', out);
  renderProfiles(results, out);
  renderNotes(results, out);
  return `${lines.join('\n')}\n`;
}

function renderHeadline(results: BenchResults, options: ReportOptions, out: (s?: string) => void): void {
  const columns = results.contestants.filter((c) => CONTESTANTS[c].process && hasRuns(results, 'instant', c));
  const cpu = (s: Scenario, c: ContestantName) =>
    summarize(results, 'instant', s.id, c)?.cpuMsPerOp ?? Number.NaN;
  // The costs of features: every CPU expectation not against the floor (tracing ÷ gateway, …).
  const costs = [
    ...new Map(
      results.scenarios
        .flatMap((s) => s.expectations)
        .flatMap((e) =>
          e.kind === 'cpuPerOp' &&
          e.baseline !== 'proxy+json' &&
          columns.includes(e.contestant) &&
          columns.includes(e.baseline)
            ? [
                [
                  `${e.contestant} ÷ ${e.baseline}`,
                  { contestant: e.contestant, baseline: e.baseline },
                ] as const,
              ]
            : [],
        ),
    ),
  ];
  out('## Headline: CPU per operation (instant upstream, closed loop)');
  out();
  out(
    "Contestant CPU % ÷ operations per second (ms of CPU per operation, median of the runs): steadier on a shared machine than requests/s. Ratios are the median of the per-run ratios (runs are interleaved, so run k of two contestants meets the same spell of a shared machine). The target (issue #14, 1) is gateway ≤ 1.5 × proxy+json's on every scenario; the cost of a feature is its gateway's figure as a multiple of the same gateway without it (tracing ≤ 1.15× the gateway; Redis APQ ≤ 1.05× the in-memory APQ cache, both sent hash-only operations). A contestant's figure holds only its own process: the emulator's, Redis's and the OTLP receiver's CPU are not in it.",
  );
  out();
  if (options.charts) {
    out(`![CPU per operation per scenario and contestant](${options.charts.cpuPerOp})`);
    out();
  }
  const head = [
    'scenario',
    ...columns.map((c) => `${c} ms`),
    'gateway ÷ proxy+json',
    ...costs.map(([label]) => label),
  ];
  out(`| ${head.join(' | ')} |`);
  out(`|${head.map(() => '---').join('|')}|`);
  for (const s of results.scenarios) {
    const target = s.expectations.find(
      (e) => e.kind === 'cpuPerOp' && e.contestant === 'gateway' && e.baseline === 'proxy+json',
    );
    const r = cpuRatio(results, s.id, 'gateway', 'proxy+json');
    const verdict =
      target?.kind === 'cpuPerOp' && Number.isFinite(r) ? ` (${mark(r <= target.maxRatio)})` : '';
    const costCells = costs.map(([, { contestant, baseline }]) => {
      const e = s.expectations.find(
        (x) => x.kind === 'cpuPerOp' && x.contestant === contestant && x.baseline === baseline,
      );
      const er = cpuRatio(results, s.id, contestant, baseline);
      return `${times(er)}${e?.kind === 'cpuPerOp' && Number.isFinite(er) ? ` (${mark(er <= e.maxRatio)})` : ''}`;
    });
    const cells = [
      `${s.id}. ${cell(s.title)}`,
      ...columns.map((c) => fmt(cpu(s, c), 3)),
      `${times(r)}${verdict}`,
      ...costCells,
    ];
    out(`| ${cells.join(' | ')} |`);
  }
  out();
}

/**
 * Where the gateway's CPU per operation goes, step by step over proxy+json: GraphQL itself
 * (graphql-floor), Apollo Server's pipeline (apollo-floor) and the gateway's own work. Where
 * the gateway misses target 1, the verdict names the first step already above it.
 */
function renderFloors(results: BenchResults, verdicts: readonly Verdict[], out: (s?: string) => void): void {
  const steps = ['proxy+json', ...FLOOR_STEPS, 'gateway'] as const;
  if (!steps.every((c) => hasRuns(results, 'instant', c))) return;
  out('## What holds target 1: the floors, step by step');
  out();
  out(
    "CPU per operation (ms, median of the runs) of each step from proxy+json to the gateway, and each as a multiple of proxy+json: graphql-floor adds GraphQL itself (documents compiled once, naive resolvers, no checks), apollo-floor adds Apollo Server's request pipeline, and the gateway adds its own work (upstream answers checked, limits, deadlines, metrics, masking, presentation). A step can cost less than the one before it (a negative addition) where its naive resolvers do less than the gateway's. Where the gateway misses target 1, the verdict names the first step that is already above the target; upstream requests per operation show that each step made the same calls.",
  );
  out();
  out(
    '| scenario | proxy+json ms | graphql-floor ms | apollo-floor ms | gateway ms | GraphQL adds ms | Apollo adds ms | the gateway adds ms | upstream req/op (graphql-floor / apollo-floor / gateway) | target 1 |',
  );
  out('|---|---|---|---|---|---|---|---|---|---|');
  for (const s of results.scenarios) {
    const cpu = (c: ContestantName) => summarize(results, 'instant', s.id, c)?.cpuMsPerOp ?? Number.NaN;
    const calls = (c: ContestantName) =>
      fmt(summarize(results, 'instant', s.id, c)?.upstreamPerOp ?? Number.NaN, 2);
    const [proxyJson, graphqlFloor, apolloFloor, gateway] = steps.map(cpu) as [
      number,
      number,
      number,
      number,
    ];
    const perRun = (c: ContestantName) => cpuRatio(results, s.id, c, 'proxy+json');
    const step = (v: number, c: ContestantName) => `${fmt(v, 3)} (${times(perRun(c))})`;
    const target1 = verdicts.find((v) => v.scenario === s.id && isTargetOne(v));
    const verdict =
      target1?.met === undefined ? '–' : target1.heldBy ? describeHeldBy(target1.heldBy) : mark(target1.met);
    out(
      `| ${s.id}. ${cell(s.title)} | ${fmt(proxyJson, 3)} | ${step(graphqlFloor, 'graphql-floor')} | ${step(apolloFloor, 'apollo-floor')} | ${step(gateway, 'gateway')} | ${fmt(graphqlFloor - proxyJson, 3)} | ${fmt(apolloFloor - graphqlFloor, 3)} | ${fmt(gateway - apolloFloor, 3)} | ${calls('graphql-floor')} / ${calls('apollo-floor')} / ${calls('gateway')} | ${verdict} |`,
    );
  }
  out();
}

/** Categories the profiles of one scenario split into, where the gateway adds the most first. */
function ownWorkRows(
  floor: ReadonlyMap<string, number>,
  gateway: ReadonlyMap<string, number>,
): [string, number, number][] {
  const rows = [...new Set([...floor.keys(), ...gateway.keys()])].map(
    (c) => [c, floor.get(c) ?? 0, gateway.get(c) ?? 0] as [string, number, number],
  );
  return rows.filter(([, f, g]) => f >= 0.0005 || g >= 0.0005).sort((a, b) => b[2] - b[1] - (a[2] - a[1]));
}

function renderOwnWork(results: BenchResults, verdicts: readonly Verdict[], out: (s?: string) => void): void {
  const profiled = (results.ownWork ?? []).filter((p) => p.floor && p.gateway);
  if (profiled.length === 0) return;
  out("## What the gateway's own work is, where it holds target 1");
  out();
  out(
    `Where both floors meet target 1 and the gateway does not, what holds it is the gateway's own work. Each such scenario was profiled after the runs above: apollo-floor, then the gateway, each in a fresh process with \`--cpu-prof\`, ${Math.max(1, results.settings.warmup)} s warm-up and ${profiled[0]?.seconds ?? 0} s closed loop; only the samples of the measured window count. Figures are ms of CPU per operation by where it went, the largest additions first; apollo-floor's naive resolvers show as bench/peers, the gateway's own code as src/…. Profiling slows both processes alike, so the totals are above the runs' and only the split is read from them.`,
  );
  out();
  for (const p of profiled) {
    const { floor, gateway } = p as Required<typeof p>;
    const s = results.scenarios.find((x) => x.id === p.scenario);
    out(`### ${p.scenario}. ${cell(s?.title ?? '')}`);
    out();
    out('| where the CPU went | apollo-floor ms | gateway ms | gateway − apollo-floor ms |');
    out('|---|---|---|---|');
    out(
      `| **CPU ms per operation** | ${fmt(floor.cpuMsPerOp, 3)} | ${fmt(gateway.cpuMsPerOp, 3)} | ${fmt(gateway.cpuMsPerOp - floor.cpuMsPerOp, 3)} |`,
    );
    // Rounded first, so that a difference under 0.5 µs reads 0.000, not -0.000.
    const added = (d: number) => fmt(Math.round(d * 1000) / 1000 || 0, 3);
    for (const [c, f, g] of ownWorkRows(floor.byCategory, gateway.byCategory))
      out(`| ${cell(c)} | ${fmt(f, 3)} | ${fmt(g, 3)} | ${added(g - f)} |`);
    out();
    const proxyJson = summarize(results, 'instant', p.scenario, 'proxy+json')?.cpuMsPerOp;
    const measured = summarize(results, 'instant', p.scenario, 'gateway')?.cpuMsPerOp;
    const target = verdicts.find((v) => v.scenario === p.scenario && isTargetOne(v))?.expectation;
    if (proxyJson !== undefined && measured !== undefined && target?.kind === 'cpuPerOp') {
      const shed = measured - target.maxRatio * proxyJson;
      const own = [...gateway.byCategory]
        .filter(([c]) => c.startsWith('src/'))
        .reduce((sum, [, v]) => sum + v, 0);
      out(
        `To meet target 1 here the gateway would have to shed ${fmt(shed, 3)} ms of its ${fmt(measured, 3)} ms per operation in the runs above (${fmt((100 * shed) / measured)} %) to reach ${target.maxRatio} × proxy+json's ${fmt(proxyJson, 3)} ms; in this profile its own code (src/) ran ${fmt(own, 3)} of its ${fmt(gateway.cpuMsPerOp, 3)} ms, and the table shows where the rest of what it adds went.`,
      );
      out();
    }
  }
}

function renderTargets(verdicts: readonly Verdict[], results: BenchResults, out: (s?: string) => void): void {
  const met = verdicts.filter((v) => v.met === true).length;
  const missed = verdicts.filter((v) => v.met === false).length;
  const unknown = verdicts.length - met - missed;
  out('## Targets (issue #14), checked against this run');
  out();
  out(
    `${met} met, ${missed} not met, ${unknown} not measured in this run. Each scenario carries its own expectations (bench/scenarios.ts); the column # is the target's number in issue #14. A CPU ratio is the median of the runs' ratios (each run pairs the two contestants minutes apart); the runs' own ratios follow it, with how many of them were within the limit, since on a shared machine a verdict near its limit can flip between runs. Where the gateway misses a target set against proxy+json (1, 2, 5), the last column names the layer that holds it: the same target checked on graphql-floor, then on apollo-floor (the first that misses it too), else the gateway's own work. Where tracing misses target 4, it names OpenTelemetry's SDK if the same spans on apollo-floor (apollo-floor+tracing, with the gateway's tracing set-up and nothing else) already add more than the gateway's budget (0.15 × its CPU per operation), else the gateway's own work; empty where the floors were not measured.`,
  );
  out();
  out('| scenario | # | target | measured | | what holds it |');
  out('|---|---|---|---|---|---|');
  const title = new Map(results.scenarios.map((s) => [s.id, `${s.id}. ${s.title}`]));
  for (const v of verdicts)
    out(
      `| ${cell(title.get(v.scenario) ?? String(v.scenario))} | ${v.expectation.target} | ${cell(v.what)} | ${cell(v.measured)} | ${mark(v.met)} | ${v.heldBy ? cell(describeHeldBy(v.heldBy)) : ''} |`,
    );
  out();
}

function renderLatency(results: BenchResults, options: ReportOptions, out: (s?: string) => void): void {
  const columns = results.contestants.filter((c) => c !== 'rest' && hasRuns(results, 'delay', c));
  out(
    `## Added latency (${results.settings.delayMs} ms upstream, fixed rate: latency added over the REST floor)`,
  );
  out();
  if (options.charts) {
    out(`![Added p50 and p99 latency per scenario and contestant](${options.charts.addedLatency})`);
    out();
  }
  const head = [
    'scenario',
    'rate (ops/s)',
    'rest p50 / p99 ms',
    ...columns.map((c) => `${c} added p50 / p99`),
  ];
  out(`| ${head.join(' | ')} |`);
  out(`|${head.map(() => '---').join('|')}|`);
  for (const s of results.scenarios) {
    const rest = summarize(results, 'delay', s.id, 'rest');
    const added = columns.map((c) => {
      const a = addedLatency(results, s.id, c);
      return `${fmt(a.p50, 2)} / ${fmt(a.p99, 2)}`;
    });
    out(
      `| ${s.id}. ${cell(s.title)} | ${results.rates[s.id] ?? '–'} | ${fmt(rest?.p50 ?? Number.NaN, 2)} / ${fmt(rest?.p99 ?? Number.NaN, 2)} | ${added.join(' | ')} |`,
    );
  }
  out();
}

function renderTable(results: BenchResults, setting: Setting, out: (s?: string) => void): void {
  const { settings } = results;
  const closed = setting === 'instant';
  if (!results.runs.some((r) => r.setting === setting)) return;
  out(
    closed
      ? `## Instant upstream: max throughput (closed loop, autocannon, ${settings.connections} connections, ${settings.seconds} s × ${settings.runs})`
      : `## ${settings.delayMs} ms upstream: fixed rate (open loop, undici, latency from each operation's due time, ${settings.rateSeconds} s × ${settings.runs}, percentiles over all runs' operations pooled)`,
  );
  out();
  out(
    `| scenario | contestant | ${closed ? 'ops/s (median, min–max)' : 'offered / done ops/s'} | p50 ms | p99 ms | CPU ms/op | upstream req/op | peak RSS MB | CPU % | core 0 % | failed / conflicts |`,
  );
  out('|---|---|---|---|---|---|---|---|---|---|---|');
  const checks = new Map(results.prechecks.map((p) => [`${p.scenario}/${p.contestant}`, p.outcome]));
  for (const s of results.scenarios) {
    for (const c of results.contestants) {
      const check = checks.get(`${s.id}/${c}`);
      if (check === undefined) continue; // not applicable to this scenario
      const sum = summarize(results, setting, s.id, c);
      if (!sum) {
        out(
          `| ${s.id}. ${cell(s.title)} | ${c} | skipped: ${cell(check === 'ok' ? 'not run' : check)} | | | | | | | | |`,
        );
        continue;
      }
      const own = CONTESTANTS[c].process;
      const opsCell = closed
        ? `${fmt(sum.opsPerSec)} (${fmt(sum.opsMin)}–${fmt(sum.opsMax)})`
        : `${results.rates[s.id] ?? '–'} / ${fmt(sum.opsPerSec)}`;
      const digits = closed ? 0 : 2;
      out(
        `| ${s.id}. ${cell(s.title)} | ${c} | ${opsCell} | ${fmt(sum.p50, digits)} | ${fmt(sum.p99, digits)} | ${own ? fmt(sum.cpuMsPerOp, 3) : '–'} | ${fmt(sum.upstreamPerOp, 2)} | ${own ? fmt(sum.peakRssMb) : '–'} | ${own ? fmt(sum.cpuPct) : '–'} | ${fmt(sum.core0Pct)} | ${sum.failed} / ${sum.conflicts} |`,
      );
    }
  }
  out();
}

function renderProfiles(results: BenchResults, out: (s?: string) => void): void {
  const p = results.profiles;
  if (!p || (!p.before && !p.after)) return;
  const scenario = results.scenarios.find((s) => s.id === p.scenario);
  const { settings } = results;
  out(
    `## CPU profile, before (${results.meta.baseline ?? '–'}) and after, scenario ${p.scenario} (${scenario?.title ?? ''})`,
  );
  out();
  out(
    `Each gateway in a fresh process with \`--cpu-prof\`, ${Math.max(1, settings.warmup)} s warm-up, then ${p.seconds} s closed loop (${settings.connections} connections, instant upstream), one after the other in this run. Only the samples of the measured ${p.seconds} s count; idle time is left out. Figures are ms of CPU per operation.`,
  );
  out();
  out('| | before | after | after / before |');
  out('|---|---|---|---|');
  const row = (label: string, b: number | undefined, a: number | undefined, digits = 3) =>
    out(
      `| ${label} | ${b === undefined ? '–' : b.toFixed(digits)} | ${a === undefined ? '–' : a.toFixed(digits)} | ${b && a ? `${(a / b).toFixed(2)}×` : '–'} |`,
    );
  row('ops/s while profiled', p.before?.opsPerSec, p.after?.opsPerSec, 0);
  row('**CPU ms per operation**', p.before?.cpuMsPerOp, p.after?.cpuMsPerOp);
  const categories = new Set([...(p.before?.byCategory.keys() ?? []), ...(p.after?.byCategory.keys() ?? [])]);
  for (const c of categories) {
    const b = p.before?.byCategory.get(c);
    const a = p.after?.byCategory.get(c);
    if ((b ?? 0) < 0.005 && (a ?? 0) < 0.005) continue;
    // A category one profile lacks spent nothing there; a profile that is missing shows –.
    row(`  ${c}`, p.before ? (b ?? 0) : undefined, p.after ? (a ?? 0) : undefined);
  }
  out();
  for (const [label, summary] of [
    ['before', p.before],
    ['after', p.after],
  ] as const) {
    if (!summary) continue;
    out(`Top functions by self time, ${label} (ms per operation):`);
    out();
    for (const [name, v] of summary.topFunctions) out(`- ${fmt(v, 3)} ${cell(name)}`);
    out();
  }
}

function renderNotes(results: BenchResults, out: (s?: string) => void): void {
  const { meta, settings } = results;
  out('## Notes');
  out();
  out(
    '- **CPU ms/op**: the contestant process\'s CPU time during the window ÷ operations completed in it (CPU % × 10 ÷ ops/s), median of the runs; "–" for `rest`, which has no process.',
  );
  out(
    '- **ops/s**: completed operations per second. For rest/proxy/proxy+json an operation is the REST request(s) of the scenario (below); in the closed loop autocannon sends them one after another on a connection, so ops/s = 2xx responses ÷ requests per operation, and the p50/p99 of those rows are **per HTTP request**, not per operation. In the open loop an operation is timed whole for every contestant.',
  );
  for (const s of results.scenarios) {
    const rest = s.rest
      ? `rest/proxy = ${s.rest.shape} (${s.rest.requests} request(s) per operation)`
      : 'no REST equivalent (rest, proxy and proxy+json do not run it)';
    const env = s.graphqlEnv
      ? `; GraphQL contestants run in processes of their own started with ${Object.entries(s.graphqlEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : '';
    const extras = s.extras.length ? `; also measured: ${s.extras.join(', ')}` : '';
    const connections = s.connections ? `; closed loop with ${s.connections} connections` : '';
    const calls =
      'exactly' in s.upstreamCalls ? `${s.upstreamCalls.exactly}` : `at most ${s.upstreamCalls.atMost}`;
    out(
      `  - scenario ${s.id} (${s.key}): ${rest}; gateway upstream calls per operation ${calls}${env}${extras}${connections}`,
    );
  }
  out(
    "- **upstream req/op**: requests the emulator received during the measured window ÷ operations sent in it (closed loop: autocannon's sent count, so operations still in flight at the end are in the divisor; fixed rate: all operations, failed ones included).",
  );
  out(
    '- **peak RSS**: highest VmRSS of the contestant process sampled every 100 ms during the window. **CPU %**: the contestant process (100 % = one core). **core 0 %**: busy share of CPU 0, where the load generator and the emulator run; near 100 % means the floor, not the contestant, limits that row.',
  );
  out(
    `- **fixed rate**: half of the slowest GraphQL contestant's median peak on that scenario (instant upstream), capped at ${settings.maxRate} ops/s, the same offered load for every contestant. autocannon's \`overallRate\` sends each second's quota in a burst per connection, so the open loop is a small undici generator (bench/load.ts \`openLoop\`) with sub-ms timing.`,
  );
  out(
    '- **failed / conflicts**: summed over runs; failed = non-2xx, GraphQL `errors` or an unexpected mutation result, socket errors or timeouts. Conflicts (update scenarios) are stale-eTag answers (GraphQL ReferralPreconditionFailed, REST 412): each operation updates the next referral of the seed with the eTag the client last saw, so only overlapping updates of the same referral conflict.',
  );
  out(
    '- **createReferral** adds a referral per operation: the emulator is put back to its seed after every window of that scenario (same ids, new eTags), so its store stays bounded and the pages of the other scenarios stay the same.',
  );
  out(
    "- datasource-rest peer: updateReferral is the naive GET, shallow merge, PUT If-Match (patch mode: a JSON Patch of the input's fields); createReferral one POST of the input; `relatedReferrals` one list per referral (RESTDataSource deduplicates the identical GETs in flight); `_entities` comes from buildSubgraphSchema + `__resolveReference` (one GET per representation, no batching).",
  );
  out(
    `- Gateway log lines (LOG_LEVEL=warn, stdout and stderr) during the bench: ${meta.gatewayLogLines.length} line(s)${meta.gatewayLogLines.length ? `; first: \`${cell((meta.gatewayLogLines[0] ?? '').slice(0, 300))}\`` : ''}.`,
  );
  for (const note of meta.notes) out(`- ${note}`);
  const bad = results.prechecks.filter((p) => p.outcome !== 'ok');
  if (bad.length)
    out(
      `- Pre-checks that failed (those rows skipped): ${bad.map((p) => `${p.scenario}/${p.contestant}: ${cell(p.outcome)}`).join('; ')}`,
    );
}
