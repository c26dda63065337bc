/**
 * Reduces a V8 `.cpuprofile` (from `node --cpu-prof`) to what a before/after comparison needs:
 * CPU time per operation, split by where it went (package, our own directories, GC, JSON,
 * sockets), and the functions with the most self time. Idle time is left out: it is waiting.
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}
interface CpuProfile {
  readonly startTime: number;
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly opsPerSec: number;
  readonly ops: number;
  /** Non-idle CPU time of the process per completed operation. */
  readonly cpuMsPerOp: number;
  /** Category → ms of CPU per operation. */
  readonly byCategory: ReadonlyMap<string, number>;
  /** `function (file:line)` → ms of self time per operation, largest first. */
  readonly topFunctions: readonly (readonly [string, number])[];
}

/** Functions whose self time is really JSON work (V8 inlines JSON.parse/stringify into the caller). */
const JSON_FUNCTIONS = new Set(['parseJson', 'prettyJSONStringify', 'stringifyResult', 'parse', 'stringify']);
/** Native frames that are the socket writes of a response or request. */
const SOCKET_FUNCTIONS = new Set(['writeUtf8String', 'writeLatin1String', 'writev', 'writeBuffer']);

export function categoryOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || functionName === '(root)') return 'V8 / native (other)';
  if (SOCKET_FUNCTIONS.has(functionName)) return 'socket writes';
  if (JSON_FUNCTIONS.has(functionName)) return 'JSON parse / stringify';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg === 'graphql') return 'graphql-js';
  if (pkg) return pkg;
  // The floors' own resolvers (bench/graphqlFloor.ts, naiveResolvers.ts), beside the gateway's src/.
  if (url.includes('/bench/peers/')) return 'bench/peers';
  const own = /\/(src\/[^/]+)\//.exec(url)?.[1];
  if (own) return own;
  if (url.startsWith('node:')) return 'Node.js core';
  // Code graphql-jit compiled at run time has no URL (eval).
  if (url === '' && functionName !== '' && !functionName.startsWith('(')) return 'graphql-jit (compiled)';
  return 'V8 / native (other)';
}

/**
 * `window` (µs of the monotonic clock, `process.hrtime.bigint() / 1000n`, which V8 stamps
 * samples with on Linux) keeps only the samples of the measured run: no start-up, no warm-up.
 */
export function summarizeProfile(
  json: string,
  ops: number,
  opsPerSec: number,
  window?: { readonly fromUs: number; readonly toUs: number },
): ProfileSummary {
  const profile = JSON.parse(json) as CpuProfile;
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0 || node.callFrame.functionName === '(idle)') continue;
    busyUs += us;
    const category = categoryOf(node.callFrame);
    byCategory.set(category, (byCategory.get(category) ?? 0) + us);
    const where = node.callFrame.url.replace(/^.*\/(node_modules|src)\//, '$1/').replace(/^file:\/\//, '');
    const name = `${node.callFrame.functionName || '(anonymous)'} (${where || 'native'}${where ? `:${node.callFrame.lineNumber + 1}` : ''})`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const perOp = (us: number) => (ops > 0 ? us / 1000 / ops : Number.NaN);
  return {
    opsPerSec,
    ops,
    cpuMsPerOp: perOp(busyUs),
    byCategory: new Map([...byCategory].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, perOp(v)])),
    topFunctions: [...byFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([k, v]) => [k, perOp(v)] as const),
  };
}
