/**
 * Starts the real thing for a test: the Partner API emulator and the gateway, each on its own
 * loopback port, talking HTTP. `gql` posts an operation the way a browser client would.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { createLogger } from '../../src/log/logger.ts';
import { type Gateway, startGateway } from '../../src/server/startGateway.ts';

export { ALL_REFERRAL_FIELDS, MEMBER_FRAGMENT } from './selections.ts';

export const TEST_TOKEN = 'Bearer test-admin-token';

export interface GraphQLResult<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: {
    data?: T | null;
    errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
  };
}

export interface StackOptions {
  readonly emulator?: EmulatorOptions;
  /** Keep the gateway's log lines (level info and up) in `Stack.logLines`. */
  readonly captureLogs?: boolean;
}

export interface Stack {
  readonly emulator: Emulator;
  readonly gateway: Gateway;
  /** The gateway's log lines, parsed, when started with `captureLogs`; else always empty. */
  readonly logLines: Record<string, unknown>[];
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string | undefined>,
  ): Promise<GraphQLResult<T>>;
  close(): Promise<void>;
}

export async function startStack(
  env: Record<string, string> = {},
  emulatorOptions: EmulatorOptions = {},
  options: Omit<StackOptions, 'emulator'> = {},
): Promise<Stack> {
  const emulator = await startEmulator(emulatorOptions);
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    PARTNER_API_URL: emulator.url,
    // Metrics on a free port (`stack.gateway.metricsUrl`): the default 9464 is one per machine.
    METRICS_PORT: '0',
    ...env,
  });
  const logger = options.captureLogs ? createLogger('info', sink) : createLogger('silent');
  const gateway = await startGateway({ config, partnerApiUrl: emulator.url, logger });
  return {
    emulator,
    gateway,
    logLines,
    async gql(query, variables, headers = {}) {
      const merged: Record<string, string> = {
        'content-type': 'application/json',
        authorization: TEST_TOKEN,
      };
      for (const [name, value] of Object.entries(headers)) {
        if (value === undefined) delete merged[name];
        else merged[name] = value;
      }
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: merged,
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
    },
    async close() {
      await gateway.stop();
      await emulator.close();
    },
  };
}

/**
 * One stack for a test file: started before its tests, closed after them, with the emulator's
 * request record and fault rules cleared before each test. Use the returned object only inside
 * tests and hooks.
 */
export function useStack(env: Record<string, string> = {}, options: StackOptions = {}): Stack {
  let current: Stack | undefined;
  beforeAll(async () => {
    current = await startStack(env, options.emulator, options);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(() => {
    current?.emulator.clearRequests();
    current?.emulator.clearFaults();
  });
  return new Proxy({} as Stack, {
    get(_target, key) {
      if (!current) throw new Error('useStack(): the stack is only there inside tests and hooks');
      return Reflect.get(current, key);
    },
  });
}
