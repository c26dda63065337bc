/**
 * Process entry (`npm start`): load the configuration, start the embedded Partner API emulator
 * when no upstream is configured (development only), start the gateway, stop cleanly on
 * SIGTERM/SIGINT (the sequence is server/shutdown.ts). No logic beyond wiring.
 */
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import type { Emulator } from './emulator/emulatorServer.ts';
import { createLogger } from './log/logger.ts';
import { createShutdown } from './server/shutdown.ts';
import { startGateway } from './server/startGateway.ts';
import { MetricsPortError } from './telemetry/metricsServer.ts';

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
}).catch((error: unknown) => {
  // A taken METRICS_PORT is a configuration problem: one line, like a bad variable.
  if (error instanceof MetricsPortError) {
    process.stderr.write(`referrals-gateway: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
});
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

if (emulator) {
  const embedded = emulator;
  gateway.onStop(() => embedded.close());
}
const shutdown = createShutdown({
  gateway,
  timings: config.shutdown,
  logger,
  exit: (code) => process.exit(code),
});
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

function tracesEndpoint(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
