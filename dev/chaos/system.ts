/**
 * The system under test for `npm run chaos`: the local stack (dev/stack.ts) with every piece its own process on
 * free ports, state and logs in one temporary folder — the Temporal dev server on a SQLite file, the codec server,
 * the Vobiz sandbox, the bridge (their `npm run` entry points) and N production workers (src/worker.ts, on a
 * workflow bundle built once) — so each can be killed, restarted or stopped. Pieces given as URLs/addresses (an
 * existing deployment) are used as they are and never killed.
 */
import { developmentPieceEnv } from '../processes.js';
import { freePort, type Piece, type StackPiece } from '../pieces.js';
import { startStack } from '../stack.js';
import { createLogger } from '../../src/logging.js';
import type { ChaosOptions } from './options.js';

const CHAOS_API_TOKEN = 'chaos-api-token';
const CHAOS_PARTNER = { authId: 'PA_CHAOS01', authToken: 'chaos-partner-token-not-a-secret' };
/**
 * The workers' KYC sweep runs this often (production: 5 minutes), so that within a run of a few minutes it pages
 * sessions and nudges customers whose webhooks the bridge outage lost, as it does in production.
 */
export const CHAOS_KYC_SWEEP_INTERVAL = '20s';

export interface ChaosSystem {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  sandboxUrl: string;
  bridgeUrl: string;
  apiToken: string;
  dataDir: string;
  /** Owned pieces (undefined when the deployment provides it). */
  devServer?: { restart(downMs: number): Promise<void> };
  bridge?: StackPiece;
  workers: Piece[];
  /** Kills one worker (round robin) and starts its replacement. */
  killWorker?: () => Promise<void>;
  /** Resolves once every worker replacement has started (or failed to). */
  waitForWorkers: () => Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosSystem(options: ChaosOptions, dataDir: string, log: (line: string) => void): Promise<ChaosSystem> {
  const stack = await startStack({
    dataDir,
    // The pieces it starts use the development codec and secrets keys (the runner seals and decodes with them).
    env: { ...developmentPieceEnv(options.logLevel), TEMPORAL_TASK_QUEUE: options.taskQueue, TEMPORAL_NAMESPACE: 'default' },
    temporal: options.temporalAddress ? { address: options.temporalAddress } : { devServer: { port: await freePort(), uiPort: await freePort() } },
    // The Web UI of the dev server it starts decodes payloads through it.
    ...(options.temporalAddress ? {} : { codecServer: { placement: 'process', env: { CODEC_SERVER_HOST: '127.0.0.1', CODEC_SERVER_PORT: String(await freePort()) } } }),
    sandbox: options.sandboxUrl
      ? { url: options.sandboxUrl }
      : {
          placement: 'process',
          env: {
            SANDBOX_HOST: '127.0.0.1',
            SANDBOX_PORT: String(await freePort()),
            SANDBOX_PARTNER_AUTH_ID: CHAOS_PARTNER.authId,
            SANDBOX_PARTNER_AUTH_TOKEN: CHAOS_PARTNER.authToken,
            // Enough for every opening transfer of the run, so the partner wallet never stalls a customer.
            SANDBOX_PARTNER_BALANCE: String(10_000_000),
            SANDBOX_WEBHOOK_MAX_ATTEMPTS: '12',
          },
        },
    bridge: options.bridgeUrl
      ? { url: options.bridgeUrl }
      : {
          placement: 'process',
          env: {
            BRIDGE_HOST: '127.0.0.1',
            BRIDGE_PORT: String(await freePort()),
            BRIDGE_METRICS: 'false', // its own listener on a fixed port otherwise; the runner reads the sandbox's ledger
            BRIDGE_API_TOKENS: CHAOS_API_TOKEN,
          },
        },
    workers: { count: options.workers, prebuiltBundle: true, env: { WORKER_SHUTDOWN_GRACE_TIME: '5s', KYC_SWEEP_INTERVAL: CHAOS_KYC_SWEEP_INTERVAL } },
    output: 'files',
    progress: log,
    logger: createLogger({ level: 'warn', name: 'chaos' }), // only what goes wrong while stopping
  });

  // The replacement starts in the background (it takes seconds to poll), so the schedule keeps its pace; a worker
  // is killed again only once its previous replacement is up.
  const { workers } = stack;
  let next = 0;
  const replacing = new Map<Piece, Promise<void>>();
  const killWorker = async () => {
    const victim = workers[next++ % workers.length]!;
    await replacing.get(victim);
    await victim.kill();
    replacing.set(victim, startWithRetries(victim, log));
  };
  return {
    temporalAddress: stack.temporal.address,
    namespace: stack.namespace,
    taskQueue: stack.taskQueue,
    sandboxUrl: stack.vobizUrl,
    bridgeUrl: stack.bridge.url,
    apiToken: options.bridgeUrl ? (options.apiToken ?? '') : CHAOS_API_TOKEN,
    dataDir,
    ...(stack.temporal.restart ? { devServer: { restart: stack.temporal.restart } } : {}),
    ...(stack.bridge.piece ? { bridge: stack.bridge.piece } : {}),
    workers,
    ...(workers.length > 0 ? { killWorker } : {}),
    waitForWorkers: async () => {
      await Promise.all(replacing.values());
    },
    stop: stack.stop,
  };
}

/** A replacement worker can die on start-up while the dev server is down: try again, a few times. */
async function startWithRetries(piece: Piece, log: (line: string) => void, tries = 10): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await piece.start();
      return;
    } catch (err) {
      if (i >= tries) {
        log(`${piece.spec.name} did not come back after ${tries} tries: ${(err as Error).message.split('\n')[0]}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}
