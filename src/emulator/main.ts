/**
 * `npm run emulator`: the Partner API emulator alone, on 127.0.0.1:$EMULATOR_PORT (default 4010),
 * with its seed data. Logs one JSON line naming its URL; closes cleanly on SIGINT/SIGTERM.
 */
import { startEmulator } from './emulatorServer.ts';

function parsePort(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return 4010;
  if (!/^\d{1,5}$/.test(raw)) return undefined;
  const port = Number(raw);
  return port <= 65535 ? port : undefined;
}

const port = parsePort(process.env.EMULATOR_PORT);
if (port === undefined) {
  process.stderr.write(
    `${JSON.stringify({ level: 'error', msg: `EMULATOR_PORT must be an integer from 0 to 65535, got ${JSON.stringify(process.env.EMULATOR_PORT)}` })}\n`,
  );
  process.exit(1);
}

const emulator = await startEmulator({ port, host: '127.0.0.1' });
process.stdout.write(
  `${JSON.stringify({
    level: 'info',
    msg: 'Partner API emulator listening',
    url: `${emulator.url}/engagements/referrals`,
    referrals: emulator.listReferrals().length,
  })}\n`,
);

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  emulator.close().then(
    () => {
      process.stdout.write(
        `${JSON.stringify({ level: 'info', msg: 'Partner API emulator stopped', signal })}\n`,
      );
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(
        `${JSON.stringify({ level: 'error', msg: 'close failed', error: String(error) })}\n`,
      );
      process.exit(1);
    },
  );
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
