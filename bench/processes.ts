/**
 * Starting what bench/run.ts measures, each a child process on 127.0.0.1 (stopped however the
 * bench ends, bench/harness.ts): the emulator with its control server, the proxies, the GraphQL
 * floors, the datasource-rest peer, the gateways (this checkout, the baseline worktree, with
 * tracing, with Redis APQ, and once more per scenario environment such as patch mode), and the
 * OTLP receiver.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { deleteKeys } from '../test/helpers/redis.ts';
import { CONTESTANTS, type ContestantName } from './contestants.ts';
import {
  baselineWorktree,
  type Child,
  type Children,
  freePort,
  git,
  pin,
  ROOT,
  startFlags,
  waitFor,
} from './harness.ts';
import type { Target } from './operations.ts';
import type { Scenario } from './scenarios.ts';
import { AUTHORIZATION } from './state.ts';

/** The emulator, through its control server (bench/emulatorWithDelay.ts). */
export class Upstream {
  /** `http://127.0.0.1:PORT/v1.0`. */
  readonly url: string;
  readonly #control: string;
  readonly child: Child;

  constructor(url: string, control: string, child: Child) {
    this.url = url;
    this.#control = control;
    this.child = child;
  }

  async count(): Promise<number> {
    const res = await fetch(`${this.#control}/__bench/count`);
    return ((await res.json()) as { count: number }).count;
  }
  async reset(): Promise<void> {
    await fetch(`${this.#control}/__bench/reset`, { method: 'POST' });
  }
  async setDelay(ms: number): Promise<void> {
    await fetch(`${this.#control}/__bench/delay?ms=${ms}`, { method: 'POST' });
  }
  /** The seed again (same ids, new eTags); waits a moment so clients see their pooled sockets closed. */
  async restore(): Promise<void> {
    await fetch(`${this.#control}/__bench/restore`, { method: 'POST' });
    await sleep(50);
  }
  /** The newest `top` referrals as listed. */
  async list(top: number): Promise<{ id: string; eTag: string; engagementId?: string }[]> {
    const res = await fetch(`${this.url}/engagements/referrals?$top=${top}`, {
      headers: { authorization: AUTHORIZATION },
    });
    return ((await res.json()) as { value: { id: string; eTag: string; engagementId?: string }[] }).value;
  }
}

/** A contestant ready to be measured. */
export interface Running {
  readonly target: Target;
  /** Its process (CPU and RSS are read from it); undefined for `rest`. */
  readonly child?: Child;
}

export interface StartContext {
  readonly children: Children;
  readonly upstream: Upstream;
  readonly pin: boolean;
  /** Base URL of the OTLP receiver, for `gateway+tracing`. */
  readonly otlpUrl?: string;
  readonly redisUrl: string;
  /** The bench's own key prefix on Redis. */
  readonly redisPrefix: string;
  /** Checkout of the `before` contestant (with a trailing slash). */
  readonly baselineDir?: string;
}

export function pinTo(enabled: boolean, pid: number | undefined, cpu: number): void {
  if (enabled) pin(pid, cpu);
}

function start(
  ctx: StartContext,
  name: string,
  script: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
  cwd = ROOT,
): Child {
  return ctx.children.start(name, script, { env, nodeArgs, cwd });
}

/** The first JSON line a child prints when ready. */
async function readyLine<T>(name: string, child: Child): Promise<T> {
  let info: T | undefined;
  await waitFor(name, async () => {
    const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
    if (line) info = JSON.parse(line) as T;
    return info !== undefined;
  });
  return info as T;
}

export async function startUpstream(children: Children, pinning: boolean): Promise<Upstream> {
  const child = children.start('emulator', 'bench/emulatorWithDelay.ts', {
    env: { EMULATOR_PORT: '0', BENCH_CONTROL_PORT: '0' },
  });
  const info = await readyLine<{ url: string; control: string }>('emulator', child);
  pinTo(pinning, child.proc.pid, 0);
  return new Upstream(info.url, info.control, child);
}

/** The loopback OTLP receiver (bench/peers/otlpSink.ts), on CPU 0 with the load generator. */
export async function startOtlpSink(
  children: Children,
  pinning: boolean,
): Promise<{ url: string; counts: () => Promise<{ exports: number; bytes: number }> }> {
  const child = children.start('otlp-sink', 'bench/peers/otlpSink.ts', { env: { PORT: '0' } });
  const { url } = await readyLine<{ url: string }>('otlp sink', child);
  pinTo(pinning, child.proc.pid, 0);
  return {
    url,
    counts: async () => (await (await fetch(`${url}/__count`)).json()) as { exports: number; bytes: number },
  };
}

/** Whether Redis answers PING within 2 s. */
export async function redisReachable(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Deletes the bench's keys (its own prefix only; never a flush). */
export function cleanRedis(url: string, prefix: string): Promise<number> {
  return deleteKeys(url, prefix);
}

/**
 * A checkout of `ref` (git worktree under .bench-baseline/, ignored by git) that shares this
 * checkout's node_modules, or undefined (with a note) when there is none to be had.
 */
export function baselineCheckout(ref: string): { dir: string; commit: string } | undefined {
  if (ref === '' || ref === 'none') return undefined;
  try {
    return { dir: `${baselineWorktree(ref)}/`, commit: git(['rev-parse', '--short', ref]) ?? ref };
  } catch (error) {
    process.stderr.write(`bench: no baseline checkout of ${ref} (${String(error)}); 'before' left out\n`);
    return undefined;
  }
}

const graphqlReady = (url: string) => async () => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
    body: '{"query":"{ __typename }"}',
  });
  return res.status === 200;
};

/** Tracing on, 100 % sampled, exporting to the bench's OTLP receiver (`gateway+tracing`, `apollo-floor+tracing`). */
function tracingEnv(ctx: StartContext): Record<string, string> {
  if (ctx.otlpUrl === undefined) return {};
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: ctx.otlpUrl,
    OTEL_TRACES_SAMPLER: 'always_on',
    OTEL_SERVICE_NAME: 'bench-gateway',
  };
}

/** The environment of a gateway contestant (besides PORT). */
function gatewayEnv(ctx: StartContext, name: ContestantName): Record<string, string> {
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PARTNER_API_URL: ctx.upstream.url,
    LOG_LEVEL: 'warn',
    // The default 9464 is one per machine; several gateways run side by side here.
    METRICS_PORT: '0',
    // No load balancer to tell: stop at once (a CPU profile is written only on a clean exit).
    SHUTDOWN_DELAY_MS: '0',
  };
  if (name === 'gateway+tracing') Object.assign(env, tracingEnv(ctx));
  if (name === 'gateway+redis-apq') {
    env.REDIS_URL = ctx.redisUrl;
    env.REDIS_KEY_PREFIX = ctx.redisPrefix;
  }
  return env;
}

/**
 * Starts one contestant (for GraphQL contestants, with `variant` added to its environment) and
 * waits until it answers; pins it to CPU 1. `rest` starts nothing.
 */
export async function startContestant(
  ctx: StartContext,
  name: ContestantName,
  variant: Readonly<Record<string, string>> = {},
  nodeArgs: readonly string[] = [],
): Promise<Running> {
  const upstream = new URL(ctx.upstream.url);
  const label = Object.keys(variant).length ? `${name} (${variantKey(variant)})` : name;
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let child: Child;
  let target: Target;
  if (name === 'rest') {
    return { target: { name, kind: 'rest', origin: upstream.origin, path: upstream.pathname } };
  } else if (name === 'proxy' || name === 'proxy+json') {
    child = start(
      ctx,
      label,
      'bench/peers/bareProxy.ts',
      {
        PORT: String(port),
        UPSTREAM_ORIGIN: upstream.origin,
        PROXY_JSON: name === 'proxy+json' ? '1' : '0',
      },
      nodeArgs,
    );
    target = { name, kind: 'rest', origin, path: upstream.pathname };
    const probe = `${origin}${upstream.pathname}/engagements/referrals?$top=1`;
    await waitFor(
      label,
      async () => (await fetch(probe, { headers: { authorization: AUTHORIZATION } })).status === 200,
    );
  } else if (name === 'graphql-floor' || name === 'apollo-floor' || name === 'apollo-floor+tracing') {
    child = start(
      ctx,
      label,
      'bench/peers/graphqlFloor.ts',
      {
        PORT: String(port),
        PARTNER_API_URL: ctx.upstream.url,
        FLOOR: name === 'graphql-floor' ? 'graphql' : 'apollo',
        ...(name === 'apollo-floor+tracing' ? tracingEnv(ctx) : {}),
        ...variant,
      },
      nodeArgs,
    );
    target = { name, kind: 'graphql', origin, path: '/graphql' };
    await waitFor(label, graphqlReady(`${origin}/graphql`));
  } else if (name === 'datasource-rest') {
    child = start(
      ctx,
      label,
      'bench/peers/datasourceRest.ts',
      {
        PORT: String(port),
        PARTNER_API_URL: ctx.upstream.url,
        ...variant,
      },
      nodeArgs,
    );
    target = { name, kind: 'graphql', origin, path: '/' };
    await waitFor(label, graphqlReady(`${origin}/`));
  } else {
    const dir = name === 'before' ? ctx.baselineDir : ROOT;
    if (dir === undefined) throw new Error('bench: no baseline checkout for `before`');
    child = start(
      ctx,
      label,
      'src/main.ts',
      { PORT: String(port), ...gatewayEnv(ctx, name), ...variant },
      [...startFlags(dir), ...nodeArgs],
      dir,
    );
    target = {
      name,
      kind: 'graphql',
      origin,
      path: '/graphql',
      apq: name === 'gateway+apq' || name === 'gateway+redis-apq',
    };
    await waitFor(label, graphqlReady(`${origin}/graphql`));
  }
  pinTo(ctx.pin, child.proc.pid, 1);
  return { target, child };
}

/** `K=V K=V` of a scenario's environment ('' for none): one process per distinct one. */
export function variantKey(env: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(env ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** The variant a contestant runs a scenario in: GraphQL contestants take the scenario's environment. */
export function variantOf(scenario: Scenario, name: ContestantName): Readonly<Record<string, string>> {
  return CONTESTANTS[name].kind === 'graphql' ? (scenario.graphqlEnv ?? {}) : {};
}

/** Every running contestant, by name and variant. */
export class Lineup {
  readonly #running = new Map<string, Running>();

  static key(name: ContestantName, variant: Readonly<Record<string, string>>): string {
    return `${name}|${variantKey(variant)}`;
  }

  set(name: ContestantName, variant: Readonly<Record<string, string>>, running: Running): void {
    this.#running.set(Lineup.key(name, variant), running);
  }

  get(name: ContestantName, variant: Readonly<Record<string, string>>): Running | undefined {
    return this.#running.get(Lineup.key(name, variant));
  }

  /** The process that runs `scenario` for `name`, if it was started. */
  for(scenario: Scenario, name: ContestantName): Running | undefined {
    return this.#running.get(Lineup.key(name, variantOf(scenario, name)));
  }

  /** Every distinct process. */
  all(): Running[] {
    const seen = new Set<Child | undefined>();
    return [...this.#running.values()].filter((r) => {
      if (r.child && seen.has(r.child)) return false;
      seen.add(r.child);
      return true;
    });
  }
}
