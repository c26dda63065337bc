/**
 * SIGTERM while requests are in flight: the gateway stops taking new connections, finishes
 * every request it has, then exits 0 (what an orchestrator's rolling deploy relies on).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/emulatorServer.ts';
import { report } from '../helpers/report.ts';
import { TEST_TOKEN } from '../helpers/stack.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

async function until(probe: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('graceful shutdown', () => {
  test('SIGTERM with 20 requests in flight: 20 of 20 complete, then the process exits 0', async () => {
    const proc = spawn(process.execPath, ['src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        PARTNER_API_URL: emulator.url,
        METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until(() => output.includes('gateway ready'));
    const url = /"url":"([^"]+)"/.exec(
      output.split('\n').find((l) => l.includes('gateway ready')) ?? '',
    )?.[1] as string;

    // Every upstream call takes 1 s, so all 20 are surely in flight when SIGTERM arrives.
    emulator.injectFault({ method: 'GET', fault: { kind: 'delay', ms: 1000 } });
    const ids = emulator
      .listReferrals()
      .slice(0, 20)
      .map((r) => String(r.id));
    const responses = ids.map((id) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: TEST_TOKEN },
        body: JSON.stringify({ query: 'query($id: ID!) { referral(id: $id) { id } }', variables: { id } }),
      }).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as { data?: { referral?: { id: string } } },
      })),
    );
    await until(() => emulator.requests.length >= 20);
    proc.kill('SIGTERM');

    const results = await Promise.all(responses);
    const completed = results.filter(
      (r, i) => r.status === 200 && r.body.data?.referral?.id === ids[i],
    ).length;
    const code = await exited;
    expect(completed).toBe(20);
    expect(code).toBe(0);
    report(
      'shutdown',
      `SIGTERM with 20 requests in flight: ${completed} of 20 completed with data, exit code ${code}`,
    );
  });
});
