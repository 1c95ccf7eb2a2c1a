/**
 * `npm start`: the whole system on this machine with no setup beyond `npm run setup` — Temporal dev server (state
 * in .data/temporal.sqlite, Web UI on :8233), codec server, Vobiz sandbox (.data/sandbox.sqlite), bridge and
 * worker — then prints what runs where.
 *
 * Ctrl-C (SIGINT) or SIGTERM stops everything in reverse order and exits 0 once every child process is gone; a
 * second Ctrl-C kills the children and exits at once. See docs/operations.md.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLocalConfig, LOCAL_PROCESS, type LocalConfig } from './config.js';
import { loadSettingsOrExit } from '../src/config/dotenv.js';
import { ConfigError, EXIT_CONFIG } from '../src/config/problems.js';
import { createLogger, type Logger } from '../src/logging.js';
import { StackAbortedError, startStack, type RunningStack, type StackOptions } from './stack.js';
import { sandboxCredentialsNote, stackChecks, startupCheckLines, startupHeadline, type StackCheck } from './stack-checks.js';

/**
 * `npm start`'s stack from its settings: Temporal (a dev server on DATA_DIR's SQLite file and TEMPORAL_DEV_PORT /
 * _UI_PORT, the cluster with `--cluster`, or TEMPORAL_ADDRESS as given), the codec server, the sandbox (unless
 * VOBIZ_BASE_URL points elsewhere) and the bridge inside this process, and one worker of its own that stops when
 * this process goes away. `npm run demo` starts the same.
 */
export function localStackOptions(
  config: LocalConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
  { cluster = false, command = cluster ? 'npm run cluster' : 'npm start' }: { cluster?: boolean; command?: string } = {},
): StackOptions {
  const { dev } = config;
  const ports = { port: dev.temporalPort, uiPort: dev.temporalUiPort };
  return {
    dataDir: resolve(dev.dataDir),
    env,
    temporal: dev.externalTemporal
      ? { address: config.temporal.address, uiUrl: config.bridge.webUiUrl }
      : cluster
        ? { cluster: { ...ports, postgresPort: dev.clusterPostgresPort } }
        : { devServer: ports },
    codecServer: { placement: 'in-process' },
    sandbox: dev.externalVobiz ? { url: config.vobiz.baseUrl } : { placement: 'in-process' },
    bridge: { placement: 'in-process' },
    workers: { count: 1, orphanGuard: true },
    output: 'terminal',
    progress: (line) => logger.info(line),
    logger,
    command,
  };
}

/**
 * The "what runs where" banner. Secrets are never printed; the development API token is documented, so it is.
 * Its first line says "up" only when the start-up checks pass; what fails is listed with its fix (stack-checks.ts).
 */
function describeStack(stack: RunningStack, source: LocalConfig, checks: readonly StackCheck[], sandboxNote: string | undefined): string[] {
  const uiUrl = stack.temporal.uiUrl ?? source.bridge.webUiUrl;
  const lines = [
    '',
    startupHeadline(checks),
    `  Temporal         ${stack.temporal.address} (namespace ${stack.namespace}, task queue ${stack.taskQueue})` +
      (stack.temporal.kind === 'cluster'
        ? `\n                   ${stack.temporal.description}`
        : stack.temporal.kind === 'dev server'
          ? `  dev server pid ${stack.temporal.pid}, state in ${stack.dataDir}/temporal.sqlite`
          : '  (external: TEMPORAL_ADDRESS)'),
    `  Web UI           ${uiUrl}   e.g. ${uiUrl}/namespaces/${stack.namespace}/workflows?query=${encodeURIComponent('VobizStage="kyc"')}`,
    `  Codec server     ${stack.codecServer?.url}  (/decode for the Web UI; ${source.codec.usingDevelopmentKey ? 'INSECURE development key' : `${source.codec.keys.length} configured key(s)`})`,
  ];
  if (stack.sandbox) {
    lines.push(
      `  Vobiz sandbox    ${stack.sandbox.url}  (partner ${stack.sandbox.partnerAuthId}; state in ${stack.sandbox.dbPath})`,
      `    admin          ${stack.sandbox.url}/_sandbox/health`,
      `    outbox (KYC e-mails with widget links)  ${stack.sandbox.url}/_sandbox/outbox`,
    );
  } else {
    lines.push(`  Vobiz            ${stack.vobizUrl}  (external: VOBIZ_BASE_URL)`);
  }
  lines.push(
    `  Bridge           ${stack.bridge.url}  start API POST /onboardings, KYC webhooks at ${stack.bridge.kycWebhookUrl}`,
    `    API token      ${source.bridge.usingDevelopmentApiToken ? 'dev-bridge-token (the documented development token)' : 'one of BRIDGE_API_TOKENS'}`,
    `  Worker           pid ${stack.workers[0]?.pid}, task queue ${stack.taskQueue}`,
    ...startupCheckLines(checks, sandboxNote),
    '',
    'Next: npm run onboard -- examples/onboarding.json   (or `npm run demo` for one customer end to end)',
    'Ctrl-C stops everything.',
    '',
  );
  return lines;
}

/** A repeated signal within this time is the same Ctrl-C delivered twice, not a request to force. */
export const FORCE_AFTER_MS = 1_000;

async function main(): Promise<void> {
  // `npm run cluster`: the self-hosted Temporal server on PostgreSQL instead of the dev server.
  const cluster = process.argv.includes('--cluster');
  const config = loadSettingsOrExit(LOCAL_PROCESS, loadLocalConfig);
  const logger = createLogger({ level: config.logLevel, name: 'dev' });
  const sandboxNote = sandboxCredentialsNote(config, process.env, logger);
  const aborter = new AbortController();
  let stack: RunningStack | undefined;
  let stopping = false;
  let firstSignalAt = 0;

  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive twice: from the terminal (the whole foreground group) and relayed by tsx/npm. Only a
    // second one a moment later is the user insisting.
    if (stopping && Date.now() - firstSignalAt < FORCE_AFTER_MS) return;
    if (stopping) {
      process.stderr.write(`\n${signal} again: killing the child processes and exiting now\n`);
      stack?.kill();
      process.exit(130);
    }
    stopping = true;
    firstSignalAt = Date.now();
    process.stderr.write(`\n${signal}: stopping worker, bridge, sandbox, codec server, Temporal (again to force)\n`);
    aborter.abort();
    if (!stack) return; // start-up notices the abort, stops what it started and main() exits below
    stack.stop().then(
      () => {
        process.stderr.write('Stopped.\n');
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`Stop failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    stack = await startStack({ ...localStackOptions(config, logger, process.env, { cluster }), signal: aborter.signal });
  } catch (err) {
    if (err instanceof StackAbortedError) {
      process.stderr.write('Stopped during start-up.\n');
      process.exit(0);
    }
    process.stderr.write(`\nnpm ${cluster ? 'run cluster' : 'start'} failed: ${(err as Error).message}\n`);
    process.exit(err instanceof ConfigError ? EXIT_CONFIG : 1);
  }
  if (stopping) {
    // A signal arrived as the last part came up: onSignal saw no stack yet, so stop it here.
    await stack.stop();
    process.exit(0);
  }
  process.stdout.write(describeStack(stack, config, await stackChecks(stack, config), sandboxNote).join('\n'));

  const died = await stack.childExited;
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n${died}: stopping the rest\n`);
  await stack.stop();
  process.exit(1);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main();
}
