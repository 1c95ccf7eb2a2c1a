/**
 * `npm run codec-server`: serves /encode and /decode for the Temporal Web UI and CLI with the configured keys.
 *
 * Its settings (src/config/codec-server.ts) are the codec keys and its own CODEC_* variables, nothing else. It does
 * not start without authentication in production or beyond loopback (exit 78, naming the settings).
 */
import { CODEC_SERVER_PROCESS, loadCodecServerConfig } from '../config/codec-server.js';
import { loadSettingsOrExit } from '../config/dotenv.js';
import { EXIT_CONFIG } from '../config/problems.js';
import { createLogger } from '../logging.js';
import { startCodecServer } from './server.js';

// The secrets private keys open customers' sealed passwords; anyone who can reach this server must not get that
// power along with payload decoding. They belong to the account-creating worker alone (docs/codec.md).
if (process.env.SECRETS_KEYS || process.env.SECRETS_KEYS_FILE) {
  process.stderr.write('SECRETS_KEYS / SECRETS_KEYS_FILE: must not be given to the codec server; they belong to the worker alone\n');
  process.exit(EXIT_CONFIG);
}

const config = loadSettingsOrExit(CODEC_SERVER_PROCESS, loadCodecServerConfig);
const logger = createLogger({ level: config.logLevel, name: 'codec-server' });
const { server } = config;

if (config.codec.usingDevelopmentKey) {
  logger.warn('no CODEC_KEYS/CODEC_KEYS_FILE set: using the INSECURE development key (local development only)');
}
if (!server.token && !server.oidc) {
  logger.warn('no CODEC_SERVER_TOKEN or CODEC_OIDC_* set: only browsers on CODEC_CORS_ORIGINS may decode, on loopback (development only)');
}

const codecServer = await startCodecServer({
  host: server.host,
  port: server.port,
  keys: config.codec.keys,
  corsOrigins: server.corsOrigins,
  logger,
  ...(server.token ? { token: server.token } : {}),
  ...(server.oidc ? { oidc: server.oidc } : {}),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'codec server shutting down');
    void codecServer.close().then(() => logger.flush());
  });
}
