/**
 * The bridge's checks: Temporal, the namespace and its search attributes, the codec keys (do they open what the
 * workers wrote?), the public URL and the webhook signing secret. Run at start and on every `/readyz`; each change
 * of a check's result is logged once (an error when it starts failing, info when it passes again), not per probe,
 * and `vobiz_startup_check{check,result}` on the metrics listener always holds the latest.
 */
import type { Client } from '@temporalio/client';
import { publicUrl, webhookSecret } from '../checks/bridge-settings.js';
import { codecKeys } from '../checks/keys.js';
import type { CheckName, CheckResult, CheckStatus } from '../checks/results.js';
import { runChecks, type Check } from '../checks/run.js';
import { namespaceReady, temporalReachable, type TemporalWhere } from '../checks/temporal.js';
import type { BridgeConfig } from '../config/bridge.js';
import type { Logger } from '../logging.js';

/** Without these the bridge cannot serve (start or deliver anything): `/readyz` answers 503 while one fails. */
export const READINESS_CHECKS: readonly CheckName[] = ['temporal', 'namespace', 'codec_keys'];

export interface BridgeChecks {
  run(): Promise<CheckResult[]>;
}

interface BridgeCheckOptions {
  client: Client;
  taskQueue: string;
  bridge: BridgeConfig;
  production: boolean;
  logger: Logger;
  /** Each check's deadline: `/readyz` answers a load balancer within a few seconds. */
  timeoutMs: number;
  record?: (results: readonly CheckResult[]) => void;
}

export function createBridgeChecks(options: BridgeCheckOptions): BridgeChecks {
  const { client, bridge, logger } = options;
  const where: TemporalWhere = { client, namespace: client.options.namespace, taskQueue: options.taskQueue };
  const checks: Check[] = [
    temporalReachable(where),
    namespaceReady(where),
    { ...codecKeys(where), needs: ['temporal'] },
    publicUrl({ url: bridge.publicUrl, production: options.production }),
    webhookSecret({ count: bridge.webhookSecrets.length, source: bridge.webhookSecretSource, signature: bridge.webhookSignature }),
  ];
  const last = new Map<CheckName, CheckStatus>();
  return {
    async run() {
      const results = await runChecks(checks, { timeoutMs: options.timeoutMs });
      for (const r of results) {
        const before = last.get(r.name);
        last.set(r.name, r.status);
        if (before === r.status) continue;
        if (r.status === 'fail') logger.error({ check: r.name, detail: r.detail, fix: r.fix }, `Start-up check failed: ${r.name}`);
        else if (r.status === 'warn') logger.warn({ check: r.name, detail: r.detail, fix: r.fix }, `Start-up check warns: ${r.name}`);
        else if (before === 'fail' || before === 'warn') logger.info({ check: r.name, detail: r.detail }, `Start-up check passes again: ${r.name}`);
      }
      options.record?.(results);
      return results;
    },
  };
}
