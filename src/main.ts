/**
 * Process entry (`npm start`): load the configuration, start the embedded Partner API emulator
 * when no upstream is configured (development only), start the gateway, stop cleanly on
 * SIGTERM/SIGINT. No logic beyond wiring.
 */
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import type { Emulator } from './emulator/emulatorServer.ts';
import { createLogger } from './log/logger.ts';
import { startGateway } from './server/startGateway.ts';

/** The token Sandbox is preset with when the embedded emulator (which accepts any bearer token) is the upstream. */
const EMULATOR_DEMO_AUTHORIZATION = 'Bearer emulator-demo-token';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`referrals-gateway: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger(config.logLevel);
let emulator: Emulator | undefined;
let partnerApiUrl = config.partnerApiUrl;
if (partnerApiUrl === undefined) {
  // Loaded only when used: production never needs the emulator's code.
  const { startEmulator } = await import('./emulator/emulatorServer.ts');
  emulator = await startEmulator({ port: config.emulatorPort, host: '127.0.0.1' });
  partnerApiUrl = emulator.url;
  logger.info(
    { emulatorUrl: `${emulator.url}/engagements/referrals`, referrals: emulator.listReferrals().length },
    'PARTNER_API_URL is not set: using the embedded Partner API emulator (any "Authorization: Bearer <token>" is accepted)',
  );
}

const gateway = await startGateway({
  config,
  partnerApiUrl,
  logger,
  ...(emulator ? { sandboxHeaders: { Authorization: EMULATOR_DEMO_AUTHORIZATION } } : {}),
});
logger.info(
  { url: gateway.url, upstream: emulator ? 'embedded emulator' : 'PARTNER_API_URL' },
  'gateway ready',
);

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, 'shutting down: finishing in-flight requests');
  try {
    await gateway.stop();
    await emulator?.close();
    logger.info('stopped');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
