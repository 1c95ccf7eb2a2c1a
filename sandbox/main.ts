/**
 * `npm run sandbox`: the Vobiz sandbox on SANDBOX_HOST:SANDBOX_PORT with the settings of sandbox/config.ts.
 * Prints the URL, the partner auth id and the admin URL — never the token — and stops cleanly on SIGINT/SIGTERM.
 */
import { loadSettingsOrExit } from '../src/config/dotenv.js';
import { loadSandboxConfig, SANDBOX_PROCESS } from './config.js';
import { createLogger } from '../src/logging.js';
import { sandboxOptionsFromConfig, startSandbox } from './server.js';

const config = loadSettingsOrExit(SANDBOX_PROCESS, loadSandboxConfig);
const logger = createLogger({ name: 'sandbox', level: config.logLevel });

const sandbox = await startSandbox(sandboxOptionsFromConfig(config.sandbox, logger));

process.stdout.write(
  [
    `Vobiz sandbox listening on ${sandbox.url}`,
    `  Partner API:  ${sandbox.url}/api/v1/partner   (X-Auth-ID: ${config.sandbox.partnerAuthId}; token from SANDBOX_PARTNER_AUTH_TOKEN)`,
    `  Customer API: ${sandbox.url}/api/v1/Account/{auth_id}/...`,
    `  Admin API:    ${sandbox.url}/_sandbox/health   (see docs/sandbox.md)`,
    `  Database:     ${config.sandbox.dbPath}`,
    '',
  ].join('\n'),
);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'sandbox stopping');
  sandbox.close().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err: { message: (err as Error).message } }, 'sandbox stop failed');
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
