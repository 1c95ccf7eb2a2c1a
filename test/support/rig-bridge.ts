/**
 * A real bridge in front of a lifecycle rig (real workflow, real workers, the sandbox): the start API's actions and
 * reads as other services use them, and the CLI's settings for the same customers.
 */
import { inject } from 'vitest';
import type { Client } from '@temporalio/client';
import { loadBridgeConfig, type BridgeConfig } from '../../src/config/bridge.js';
import { createLogger } from '../../src/logging.js';
import { startBridge, type RunningBridge } from '../../src/bridge/server.js';
import { TEST_PARTNER } from '../../sandbox/testing.js';
import type { LifecycleRig } from './lifecycle.js';
import { portOf } from './cli.js';

export const RIG_API_TOKEN = 'rig-bridge-api-token';
export const RIG_READ_TOKEN = 'rig-bridge-read-token';

export async function startRigBridge(rig: LifecycleRig): Promise<RunningBridge> {
  return startTestBridge(rig.client, rig.taskQueue, { apiTokens: [RIG_API_TOKEN], readTokens: [RIG_READ_TOKEN] });
}

/** A bridge on a free loopback port, metrics off, for `client`'s Temporal and `taskQueue`; `bridge` overrides its settings. */
export async function startTestBridge(client: Client, taskQueue: string, bridge: Partial<BridgeConfig>): Promise<RunningBridge> {
  const loaded = loadBridgeConfig({});
  return startBridge({
    config: {
      bridge: {
        ...loaded.bridge,
        host: '127.0.0.1',
        port: 0,
        metrics: { ...loaded.bridge.metrics, enabled: false },
        usingDevelopmentApiToken: false,
        ...bridge,
      },
      onboarding: loaded.onboarding,
      temporal: { taskQueue },
    },
    client,
    logger: createLogger({ level: 'silent' }),
  });
}

/** The CLI's environment for the rig's customers: its dev server, task queue and sandbox. */
export function rigCliEnv(rig: LifecycleRig): Record<string, string> {
  return {
    TEMPORAL_DEV_PORT: portOf(inject('temporalAddress')),
    TEMPORAL_NAMESPACE: rig.server.namespace,
    TEMPORAL_TASK_QUEUE: rig.taskQueue,
    VOBIZ_BASE_URL: rig.sandbox.url,
    VOBIZ_PARTNER_AUTH_ID: TEST_PARTNER.authId,
    VOBIZ_PARTNER_AUTH_TOKEN: TEST_PARTNER.authToken,
  };
}
