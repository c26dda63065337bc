/**
 * Process entry (`npm start`): load the configuration, start the embedded Partner API emulator
 * when no upstream is configured (development only), start the gateway, stop cleanly on
 * SIGTERM/SIGINT (the sequence is server/shutdown.ts). No logic beyond wiring.
 */
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import type { Emulator } from './emulator/emulatorServer.ts';
import { PortUnavailableError, portUnavailable } from './http/listen.ts';
import { createLogger } from './log/logger.ts';
import { createShutdown, shutdownBudgetMs } from './server/shutdown.ts';
import { startGateway } from './server/startGateway.ts';

/** The token Sandbox is preset with when the embedded emulator (which accepts any bearer token) is the upstream. */
const EMULATOR_DEMO_AUTHORIZATION = 'Bearer emulator-demo-token';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) exitWithReason(error);
  throw error;
}

const logger = createLogger(config.logLevel);

/**
 * Signals are ours from here on, start-up included: a SIGTERM while the gateway starts (Redis's
 * connect alone may take seconds) lets what is starting finish, closes it and exits 0, rather
 * than dying with 143 and no shutdown at all. Once the gateway listens, shutdown.ts's sequence
 * takes over. Later signals during start-up change nothing: the watchdog bounds the wait.
 */
let stopRequested = false;
let onSignal = (signal: NodeJS.Signals): void => {
  if (stopRequested) return;
  stopRequested = true;
  const budgetMs = shutdownBudgetMs(config.shutdown);
  logger.info({ signal }, 'signal during start-up: stopping once what is starting has started');
  setTimeout(() => {
    logger.error({ budgetMs }, 'shutdown outlived its budget; exiting now');
    process.exit(1);
  }, budgetMs).unref();
};
process.on('SIGTERM', (signal) => onSignal(signal));
process.on('SIGINT', (signal) => onSignal(signal));

let emulator: Emulator | undefined;
let partnerApiUrl = config.partnerApiUrl;
if (partnerApiUrl === undefined) {
  // Loaded only when used: production never needs the emulator's code.
  const { startEmulator } = await import('./emulator/emulatorServer.ts');
  const at = { variable: 'EMULATOR_PORT', port: config.emulatorPort, host: '127.0.0.1' };
  emulator = await startEmulator({ port: at.port, host: at.host }).catch((error: unknown) => {
    const reason = portUnavailable(error, at);
    if (reason) exitWithReason(reason);
    throw error;
  });
  partnerApiUrl = emulator.url;
  logger.info(
    { emulatorUrl: `${emulator.url}/engagements/referrals`, referrals: emulator.listReferrals().length },
    'PARTNER_API_URL is not set: using the embedded Partner API emulator (any "Authorization: Bearer <token>" is accepted)',
  );
}
const embedded = emulator;
if (stopRequested) await stopEarly(async () => embedded?.close());

const gateway = await startGateway({
  config,
  partnerApiUrl,
  logger,
  ...(emulator ? { sandboxHeaders: { Authorization: EMULATOR_DEMO_AUTHORIZATION } } : {}),
}).catch((error: unknown) => {
  // A taken PORT or METRICS_PORT is a configuration problem: one line, like a bad variable.
  if (error instanceof PortUnavailableError) exitWithReason(error);
  throw error;
});
if (embedded) gateway.onStop(() => embedded.close());
// Nothing was told this replica is ready: no delay, no drain worth the name.
if (stopRequested) await stopEarly(() => gateway.stop());

logger.info(
  {
    url: gateway.url,
    metricsUrl: gateway.metricsUrl,
    // Where spans go (origin and path only: a URL may carry credentials).
    tracing: config.tracing === undefined ? 'off' : tracesEndpoint(config.tracing.url),
    upstream: emulator ? 'embedded emulator' : 'PARTNER_API_URL',
  },
  'gateway ready',
);
onSignal = createShutdown({
  gateway,
  timings: config.shutdown,
  logger,
  exit: (code) => process.exit(code),
});

/** A start-up problem that is the operator's to fix: one line on stderr, exit 1. */
function exitWithReason(error: Error): never {
  process.stderr.write(`referrals-gateway: ${error.message}\n`);
  process.exit(1);
}

/** A signal came while starting: close what was opened, then exit 0 (1 if closing failed). */
async function stopEarly(close: () => Promise<void>): Promise<never> {
  try {
    await close();
    logger.info('stopped');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}

function tracesEndpoint(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
