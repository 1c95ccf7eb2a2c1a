/**
 * One CLI command's run: the config, a Temporal client and a Vobiz client made only when the command needs them
 * (so a typo is reported as such even when Temporal is down), failures turned into a message and an exit code,
 * and everything closed at the end.
 *
 * Temporal is the one `npm start` uses: TEMPORAL_ADDRESS, or the dev server on 127.0.0.1:TEMPORAL_DEV_PORT when it
 * is unset (src/config/temporal.ts). The connection attempt gives up after CONNECT_TIMEOUT_MS with exit 5 and a hint.
 */
import type { Client } from '@temporalio/client';
import { CLI_PROCESS, loadCliConfig, type CliConfig } from '../config/cli.js';
import { loadSettingsOrExit } from '../config/dotenv.js';
import { connectClient } from '../temporal/connection.js';
import { startTracing } from '../tracing/provider.js';
import { tracingClientInterceptors } from '../tracing/temporal.js';
import { VobizClient } from '../vobiz/index.js';
import { TemporalUnreachableError, describeFailure, failureLines } from './errors.js';
import { createOutput, printable, type Output } from './output.js';
import { escapeJsonText } from '../text/unsafe-characters.js';

/** Long enough for a TLS handshake to Temporal Cloud, short enough that "nothing there" is said promptly. */
const CONNECT_TIMEOUT_MS = 3_000;

export interface Session {
  config: CliConfig;
  out: Output;
  temporal(): Promise<Client>;
  vobiz(): VobizClient;
}

export function unreachableHint(config: CliConfig): string {
  return config.dev.externalTemporal
    ? 'TEMPORAL_ADDRESS is set: check that this server runs and that TLS/API-key settings match'
    : `TEMPORAL_ADDRESS is unset, so the CLI uses the dev server npm start runs (TEMPORAL_DEV_PORT=${config.dev.temporalPort}): ` +
        'start it with `npm start`, or set TEMPORAL_ADDRESS / TEMPORAL_DEV_PORT to the one you run';
}

export async function runCommand(options: { json?: boolean }, fn: (session: Session) => Promise<void>): Promise<void> {
  const config = loadSettingsOrExit(CLI_PROCESS, loadCliConfig);
  const out = createOutput(Boolean(options.json));
  // Traced (OTEL_* set): the command's starts, updates and queries, and its Vobiz calls.
  const tracing = config.tracing ? startTracing(config.tracing) : undefined;
  let client: Client | undefined;
  let vobiz: VobizClient | undefined;
  const session: Session = {
    config,
    out,
    async temporal() {
      if (client) return client;
      try {
        client = await connectClient(config.temporal, config.codec, {
          connectTimeoutMs: CONNECT_TIMEOUT_MS,
          ...(tracing ? { interceptors: tracingClientInterceptors(tracing) } : {}),
        });
      } catch {
        throw new TemporalUnreachableError(config.temporal.address, unreachableHint(config));
      }
      return client;
    },
    vobiz() {
      return (vobiz ??= VobizClient.fromConfig(config.vobiz, tracing ? { tracer: tracing.tracer } : {}));
    },
  };
  try {
    await fn(session);
  } catch (err) {
    const report = describeFailure(err);
    // Failure messages can quote data (a Vobiz message, a blocked reason): escaped like every other output.
    if (out.json) process.stderr.write(`${escapeJsonText(JSON.stringify({ ...report, code: undefined, exitCode: report.code }))}\n`);
    else process.stderr.write(`${printable(failureLines(report).join('\n'))}\n`);
    process.exitCode = report.code;
  } finally {
    await client?.connection.close().catch(() => undefined);
    await vobiz?.close().catch(() => undefined);
    await tracing?.shutdown().catch(() => undefined); // a collector that does not answer never fails a command
  }
}
