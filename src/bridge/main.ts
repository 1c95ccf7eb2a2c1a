/**
 * `npm run bridge`: the webhook bridge and start API. Connects to Temporal with the payload codec (every start and
 * signal it sends is encrypted), serves until SIGINT/SIGTERM, then finishes in-flight requests before exiting.
 * With tracing configured (OTEL_*), its requests and the Temporal calls they make are traced and exported.
 */
import { BRIDGE_PROCESS, loadBridgeConfig } from '../config/bridge.js';
import { loadSettingsOrExit } from '../config/dotenv.js';
import { createLogger } from '../logging.js';
import { connectClient } from '../temporal/connection.js';
import { startTracing } from '../tracing/provider.js';
import { tracingClientInterceptors } from '../tracing/temporal.js';
import { startBridge } from './server.js';

const config = loadSettingsOrExit(BRIDGE_PROCESS, loadBridgeConfig);
const logger = createLogger({ level: config.logLevel, name: 'bridge' });

if (config.bridge.usingDevelopmentApiToken) {
  logger.warn('no BRIDGE_API_TOKENS set: the start API accepts the documented development token "dev-bridge-token" (development only)');
}

const tracing = config.tracing ? startTracing(config.tracing) : undefined;
let client;
try {
  client = await connectClient(config.temporal, config.codec, tracing ? { interceptors: tracingClientInterceptors(tracing) } : {});
} catch (err) {
  logger.fatal({ err, address: config.temporal.address }, 'cannot connect to Temporal');
  logger.flush();
  process.exit(1);
}

const bridge = await startBridge({ config, client, logger, ...(tracing ? { tracer: tracing.tracer } : {}) });
logger.info({ url: bridge.url, kycWebhookUrl: config.bridge.kycWebhookUrl }, 'bridge ready');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'bridge shutting down: finishing in-flight requests');
    void bridge
      .close()
      .then(() => client.connection.close())
      .then(() => tracing?.shutdown())
      .catch((err: unknown) => logger.error({ err }, 'error during shutdown'))
      .finally(() => logger.flush());
  });
}
