/**
 * `npm run codec-server`: serves /encode and /decode for the Temporal Web UI and CLI with the configured keys.
 */
import { loadConfigOrExit } from '../config.js';
import { createLogger } from '../logging.js';
import { startCodecServer } from './server.js';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'codec-server' });
const { keys, usingDevelopmentKey, server } = config.codec;

// The secrets private keys open customers' sealed passwords; anyone who can reach this server must not get that
// power along with payload decoding. They belong to the account-creating worker alone (docs/codec.md).
if (config.secrets.unsealingKeys.length > 0 && !config.secrets.usingDevelopmentKey) {
  process.stderr.write('SECRETS_KEYS / SECRETS_KEYS_FILE: must not be given to the codec server; they belong to the worker alone\n');
  process.exit(78); // EX_CONFIG
}

if (usingDevelopmentKey) {
  logger.warn('no CODEC_KEYS/CODEC_KEYS_FILE set: using the INSECURE development key (local development only)');
}
if (!server.token && !['127.0.0.1', 'localhost', '::1'].includes(server.host)) {
  // Anyone who reaches this port can decrypt payloads; say so loudly rather than refuse (the UI may sit behind a proxy).
  logger.warn({ host: server.host }, 'codec server listens beyond loopback without CODEC_SERVER_TOKEN');
}

const codecServer = await startCodecServer({
  host: server.host,
  port: server.port,
  keys,
  corsOrigins: server.corsOrigins,
  logger,
  ...(server.token ? { token: server.token } : {}),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'codec server shutting down');
    void codecServer.close().then(() => logger.flush());
  });
}
