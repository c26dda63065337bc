/**
 * A gateway started in-process against an emulator the test already runs, so that several of
 * them ("replicas") can share one Partner API and one Redis. `post` sends any JSON body (an APQ
 * request has no `query`); `logLines` keeps the gateway's log lines at warn and above.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/config.ts';
import type { Emulator } from '../../src/emulator/emulatorServer.ts';
import { createLogger } from '../../src/log/logger.ts';
import { type Gateway, startGateway } from '../../src/server/startGateway.ts';
import { TEST_TOKEN } from './stack.ts';

export interface Answer {
  readonly status: number;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

export interface Replica {
  readonly gateway: Gateway;
  readonly logLines: { level: number; msg: string; [field: string]: unknown }[];
  post(body: Record<string, unknown>, signal?: AbortSignal): Promise<Answer>;
  close(): Promise<void>;
}

export async function startReplica(emulator: Emulator, env: Record<string, string>): Promise<Replica> {
  const logLines: Replica['logLines'] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
    PARTNER_API_URL: emulator.url,
    ...env,
  });
  const gateway = await startGateway({
    config,
    partnerApiUrl: emulator.url,
    logger: createLogger('warn', sink),
  });
  return {
    gateway,
    logLines,
    async post(body, signal) {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
        body: JSON.stringify(body),
        signal: signal ?? null,
      });
      return { status: res.status, body: (await res.json()) as Answer['body'] };
    },
    close: () => gateway.stop(),
  };
}
