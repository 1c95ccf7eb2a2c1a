/**
 * The local system's settings (`npm start`, `npm run demo`, `npm run cluster`): one process runs the codec server,
 * the sandbox and the bridge, and starts the dev server and the worker, so it reads what all of them read, plus
 * where it keeps its state. The worker it starts is its own process and loads its own settings (src/config/worker.ts).
 */
import { bridgeAddress } from '../src/config/bridge-address.js';
import { bridgeSection, BRIDGE_PROCESS, type BridgeConfig } from '../src/config/bridge.js';
import { codecKeys, type CodecConfig } from '../src/config/codec-keys.js';
import { codecServerSection, CODEC_SERVER_PROCESS, type CodecServerConfig } from '../src/config/codec-server.js';
import { CLI_PROCESS } from '../src/config/cli.js';
import { nonEmpty, parseEnvironment, port, positiveInt } from '../src/config/fields.js';
import { general, type GeneralConfig } from '../src/config/general.js';
import { onboardingEdges } from '../src/config/onboarding-edges.js';
import { onboardingLimits, type OnboardingConfig } from '../src/config/onboarding-limits.js';
import { sandboxSection, SANDBOX_PROCESS, type SandboxConfig } from '../sandbox/config.js';
import { sealingKey, unsealingKeys, type SealingConfig, type UnsealingConfig } from '../src/config/secrets-keys.js';
import { temporal, type TemporalConfig } from '../src/config/temporal.js';
import { vobiz, type VobizConfig } from '../src/config/vobiz.js';
import { workerSection, WORKER_PROCESS, type WorkerConfig } from '../src/config/worker.js';

const LOCAL = {
  DATA_DIR: nonEmpty().default('.data'),
  DEMO_TIMEOUT_SECONDS: positiveInt(180),
  CLUSTER_POSTGRES_PORT: port(5433),
};

/** Every variable the local orchestration reads: the union of the parts it runs, and its own. */
export const LOCAL_PROCESS = { ...WORKER_PROCESS, ...BRIDGE_PROCESS, ...CODEC_SERVER_PROCESS, ...CLI_PROCESS, ...SANDBOX_PROCESS, ...LOCAL };

/** The local system that `npm start` and `npm run demo` bring up. */
export interface DevConfig {
  /** Folder for local state: the dev server's and the sandbox's SQLite files (created 0700). */
  dataDir: string;
  temporalPort: number;
  temporalUiPort: number;
  /** TEMPORAL_ADDRESS was set: use that server instead of starting a dev server. */
  externalTemporal: boolean;
  /** VOBIZ_BASE_URL was set: talk to that Vobiz instead of starting the sandbox. */
  externalVobiz: boolean;
  /** How long `npm run demo` waits for its customer to become active. */
  demoTimeoutMs: number;
  /** Port of the private PostgreSQL `npm run cluster` starts. */
  clusterPostgresPort: number;
}

export interface LocalConfig extends GeneralConfig {
  temporal: TemporalConfig;
  worker: WorkerConfig;
  vobiz: VobizConfig;
  sandbox: SandboxConfig;
  codec: CodecConfig;
  codecServer: CodecServerConfig;
  /** The worker's private keys (for the worker it starts) and the public key the demo seals with. */
  secrets: UnsealingConfig & SealingConfig;
  bridge: BridgeConfig;
  /** What one onboarding may ask for, at the bridge it runs. */
  onboarding: OnboardingConfig;
  dev: DevConfig;
}

export function loadLocalConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  return parseEnvironment(LOCAL_PROCESS, env, (e, problems) => {
    const unsealing = unsealingKeys(e, problems);
    return {
      ...general(e),
      temporal: temporal(e, problems),
      worker: workerSection(e, problems),
      vobiz: vobiz(e, problems),
      sandbox: sandboxSection(e),
      codec: codecKeys(e, problems),
      codecServer: codecServerSection(e, problems),
      secrets: { ...unsealing, ...sealingKey(e, problems, unsealing) },
      bridge: bridgeSection(e, bridgeAddress(e, problems), onboardingEdges(e), problems),
      onboarding: onboardingLimits(e, problems),
      dev: {
        dataDir: e.DATA_DIR,
        temporalPort: e.TEMPORAL_DEV_PORT,
        temporalUiPort: e.TEMPORAL_DEV_UI_PORT ?? e.TEMPORAL_DEV_PORT + 1000,
        externalTemporal: e.TEMPORAL_ADDRESS !== undefined,
        externalVobiz: e.VOBIZ_BASE_URL !== undefined,
        demoTimeoutMs: e.DEMO_TIMEOUT_SECONDS * 1000,
        clusterPostgresPort: e.CLUSTER_POSTGRES_PORT,
      },
    };
  });
}
