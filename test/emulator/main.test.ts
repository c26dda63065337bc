import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, test } from '@jest/globals';

const NODE = './node_modules/.bin/node';
const MAIN = 'src/emulator/main.ts';

describe('npm run emulator (src/emulator/main.ts)', () => {
  test('logs its URL as one JSON line, serves the seed, and exits 0 on SIGTERM', async () => {
    const child = spawn(NODE, [MAIN], {
      env: { ...process.env, EMULATOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    const log = JSON.parse(line);
    expect(log).toMatchObject({ level: 'info', msg: 'Partner API emulator listening' });
    expect(log.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\.0\/engagements\/referrals$/);
    expect(log.referrals).toBeGreaterThanOrEqual(60);
    const res = await fetch(`${log.url}?$top=1`, { headers: { authorization: 'Bearer t' } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  test('refuses an invalid EMULATOR_PORT with a one-line error and exit code 1', async () => {
    const child = spawn(NODE, [MAIN], {
      env: { ...process.env, EMULATOR_PORT: '70000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('EMULATOR_PORT');
  });
});
