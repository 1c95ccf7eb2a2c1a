/**
 * The KYC sweep recovering lost webhooks: the bridge is stopped, K parked customers complete KYC at the sandbox
 * (each webhook fails its few attempts and is lost), the bridge comes back, and nothing but the sweep
 * (KYC_SWEEP_INTERVAL) tells those customers: timed from the last completion until every one of them has left
 * `kyc` and reached `active`, with the sandbox's request count over the same time.
 */
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import type { SandboxAdminClient } from '../../sandbox/admin-client.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { countCustomers, type ParkedCustomer } from './customers.js';
import { sleep } from './stats.js';
import type { FleetSystem } from './system.js';
import { splitByRoute, sweepRunsSince, type SweepRun } from './vobiz-calls.js';

export interface SweepFigures {
  lostWebhooks: number;
  sweepIntervalSeconds: number;
  /** From the last KYC completion until every one of the K left `kyc` / reached `active`. */
  allConfirmedSeconds: number;
  allActiveSeconds: number;
  recovered: number;
  /** Customers nudged by the sweeps that started within one interval of the loss (the target: all K). */
  nudgedWithinOneInterval: number;
  /** Vobiz requests over the same time: the sweep's pages, session reads (the customers confirming), the rest. */
  calls: { total: number; sweepPages: number; sessionReads: number; other: number; byRoute: Record<string, number> };
  sweepRuns: SweepRun[];
}

export async function recoverLostWebhooks(
  ctx: { system: FleetSystem; client: Client; admin: SandboxAdminClient; concurrency: number },
  parkedPrefix: string,
  parked: readonly ParkedCustomer[],
  k: number,
  sweepIntervalSeconds: number,
  log: (line: string) => void,
): Promise<SweepFigures> {
  const limit = pLimit(ctx.concurrency);
  const chosen = parked.slice(0, k);
  const sessions = await Promise.all(
    chosen.map((c) =>
      limit(async () => {
        const state = await ctx.client.workflow.getHandle(c.workflowId).query(statusQuery);
        const open = state.kyc.attempts.at(-1);
        if (!open || open.outcome) throw new Error(`${c.workflowId} has no open KYC session`);
        return open.sessionId;
      }),
    ),
  );
  const parkedBefore = await countCustomers(ctx.client, parkedPrefix, 'kyc');
  // Customers of this prefix already active (an earlier phase's) are not this phase's.
  const activeBefore = await countCustomers(ctx.client, parkedPrefix, 'active');

  for (const bridge of ctx.system.bridges) await bridge.stop();
  await ctx.admin.resetRequests();
  const since = new Date();
  await Promise.all(sessions.map((id) => limit(() => ctx.admin.completeKyc(id, { kyc_type: 'individual' }))));
  const completedAt = performance.now();
  const lostAt = Date.now();
  log(`${k} customers completed KYC with the bridge down; waiting for their webhooks to be given up`);
  const wanted = new Set(sessions);
  for (let i = 0; i < 120; i++) {
    const deliveries = await ctx.admin.webhookDeliveries();
    if (!deliveries.some((d) => d.status === 'pending' && d.session_id && wanted.has(d.session_id))) break;
    await sleep(1_000);
  }
  await Promise.all(ctx.system.bridges.map((bridge) => bridge.start()));
  log(`${ctx.system.bridges.length === 1 ? 'bridge' : 'bridges'} back; only the sweep can tell those customers now`);

  let allConfirmed = 0;
  let allActive = 0;
  const deadline = Date.now() + (3 * sweepIntervalSeconds + 300) * 1000;
  while (!allActive && Date.now() < deadline) {
    const [inKyc, active] = await Promise.all([countCustomers(ctx.client, parkedPrefix, 'kyc'), countCustomers(ctx.client, parkedPrefix, 'active')]);
    const now = performance.now();
    if (!allConfirmed && inKyc <= parkedBefore - k) allConfirmed = now;
    if (active - activeBefore >= k) allActive = now;
    else await sleep(500);
  }
  const report = await ctx.admin.requests();
  const split = splitByRoute(report);
  const recovered = (await countCustomers(ctx.client, parkedPrefix, 'active')) - activeBefore;
  const sweepRuns = await sweepRunsSince(ctx.client, since);
  const oneIntervalOn = lostAt + sweepIntervalSeconds * 1000;
  return {
    lostWebhooks: k,
    sweepIntervalSeconds,
    allConfirmedSeconds: allConfirmed ? (allConfirmed - completedAt) / 1000 : Number.NaN,
    allActiveSeconds: allActive ? (allActive - completedAt) / 1000 : Number.NaN,
    recovered,
    nudgedWithinOneInterval: sweepRuns.filter((r) => Date.parse(r.startedAt) <= oneIntervalOn).reduce((sum, r) => sum + r.result.nudged, 0),
    calls: { total: report.total, ...split, byRoute: report.byRoute },
    sweepRuns,
  };
}
