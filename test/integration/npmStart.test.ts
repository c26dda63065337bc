/**
 * `npm start` as a user runs it: a real process on the embedded emulator, answering the README's
 * example operation, then stopping cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from '@jest/globals';

const ROOT = new URL('../../', import.meta.url).pathname;
const NODE = process.execPath;

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

function start(env: Record<string, string>) {
  const proc = spawn(NODE, ['src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let buffer = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part));
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, lines, stderr: () => stderr, exited };
}

async function waitFor<T>(probe: () => T | undefined, ms = 15000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The first ```graphql block of the README after the "Example operations" heading. */
function readmeExample(): string {
  const readme = readFileSync(new URL('README.md', `file://${ROOT}`), 'utf8');
  const section = readme.slice(readme.indexOf('## Example operations'));
  const match = /```graphql\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README has no example operation');
  return match[1];
}

describe('npm start', () => {
  test('starts the embedded emulator, answers the README example with its data, and exits 0 on SIGTERM', async () => {
    const run = start({ PORT: '0', EMULATOR_PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1' });
    const emulatorLine = await waitFor(() => run.lines.find((l) => typeof l.emulatorUrl === 'string'));
    expect(String(emulatorLine.emulatorUrl)).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/v1\.0\/engagements\/referrals$/,
    );
    const ready = await waitFor(() => run.lines.find((l) => l.msg === 'gateway ready'));
    const url = String(ready.url);

    const health = await fetch(url.replace('/graphql', '/health'));
    expect(await health.json()).toEqual({ status: 'ok' });

    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer my-token' },
      body: JSON.stringify({ query: readmeExample() }),
    });
    const body = (await res.json()) as {
      data: { referrals: { edges: { node: { id: string; etag: string } }[] } };
    };
    expect(body.data.referrals.edges.length).toBeGreaterThan(0);
    expect(body.data.referrals.edges[0]?.node.etag).toMatch(/^".+"$/);

    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  test('refuses to start in production without PARTNER_API_URL, with a one-line reason', async () => {
    const run = start({ NODE_ENV: 'production', PORT: '0' });
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim().split('\n')).toEqual([
      'referrals-gateway: PARTNER_API_URL is required when NODE_ENV=production (the emulator is for development only)',
    ]);
  });
});
