/**
 * Bench-only launcher of the Partner API emulator (src/ is untouched): the emulator on
 * 127.0.0.1:$EMULATOR_PORT plus a control server on 127.0.0.1:$BENCH_CONTROL_PORT with
 *   GET  /__bench/count        -> {"count": <requests received since the last reset>}
 *   POST /__bench/reset        -> clears the request record
 *   POST /__bench/delay?ms=N   -> every emulator request waits N ms (0 = no delay)
 *   POST /__bench/restore      -> a fresh emulator on the same port: the seed again (same ids, new
 *                                 eTags), so a scenario that creates referrals leaves the store bounded
 *                                 and the list pages of the others unchanged; the delay is kept
 * $BENCH_UPSTREAM_DELAY_MS sets the initial delay. Prints one JSON line with both URLs when ready.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator } from '../src/emulator/emulatorServer.ts';

let emulator = await startEmulator({ port: Number(process.env.EMULATOR_PORT ?? 0), host: '127.0.0.1' });
const port = Number(new URL(emulator.url).port);
let delayMs = 0;

function setDelay(ms: number): void {
  delayMs = ms;
  emulator.clearFaults();
  if (ms > 0) emulator.injectFault({ fault: { kind: 'delay', ms } });
}
setDelay(Number(process.env.BENCH_UPSTREAM_DELAY_MS ?? 0));

/** Closes the emulator (its sockets too) and starts a fresh one on the same port. */
async function restore(): Promise<number> {
  await emulator.close();
  emulator = await startEmulator({ port, host: '127.0.0.1' });
  setDelay(delayMs);
  return emulator.listReferrals().length;
}

const control = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let body: unknown;
  if (req.method === 'POST' && url.pathname === '/__bench/restore') {
    body = { referrals: await restore() };
  } else if (req.method === 'GET' && url.pathname === '/__bench/count') {
    body = { count: emulator.requestCount };
  } else if (req.method === 'POST' && url.pathname === '/__bench/reset') {
    emulator.clearRequests();
    body = { count: 0 };
  } else if (req.method === 'POST' && url.pathname === '/__bench/delay') {
    const ms = Number(url.searchParams.get('ms') ?? 0);
    setDelay(Number.isFinite(ms) ? ms : 0);
    body = { delayMs: ms };
  } else {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
await new Promise<void>((resolve) =>
  control.listen(Number(process.env.BENCH_CONTROL_PORT ?? 0), '127.0.0.1', resolve),
);
const controlPort = (control.address() as AddressInfo).port;
process.stdout.write(
  `${JSON.stringify({ url: emulator.url, control: `http://127.0.0.1:${controlPort}`, referrals: emulator.listReferrals().length })}\n`,
);

function stop(): void {
  control.close();
  control.closeAllConnections();
  void emulator.close().then(() => process.exit(0));
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
