/**
 * Metrics after one onboarding through the bridge, on the dev server: the worker (src/worker.ts as deployed, in its
 * own process with WORKER_METRICS_ADDRESS) and the bridge (on its own metrics listener, never the public port) are
 * scraped, and the business series exist with values that match what happened: the customer counted by stage, its
 * webhook delivered (a stale one refused), each Vobiz call on its route
 * template (one 429 with Retry-After on the transfer, then the retry's 200), one KYC outcome, one time-to-active.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBridge, type RunningBridge } from '../../src/bridge/server.js';
import { OnboardingClient } from '../../src/client/index.js';
import { DEVELOPMENT_BRIDGE_API_TOKEN, loadBridgeConfig } from '../../src/config/bridge.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { createLogger } from '../../src/logging.js';
import { startTestSandbox, TEST_PARTNER, type TestSandbox } from '../../sandbox/testing.js';
import { STAGES, WORKFLOW_TYPE } from '../../src/workflows/messages.js';
import { freePort, waitFor } from '../support/crash.js';
import { atStage, dataConverter, onboardingRequest, waitForState } from '../support/lifecycle.js';
import { scrape, total, type Sample } from '../support/prometheus.js';
import { connectDevServer, uniqueTaskQueue, type DevServer } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

const TRANSFER_ROUTE = '/api/v1/partner/accounts/{id}/transfer-balance';
const DASHBOARD = join(PROJECT_ROOT, 'deploy', 'grafana', 'dashboards', 'vobiz-lifecycle.json');
/** Series that appear on their first event, which a clean onboarding (even with its one 429) does not have. */
const ON_FIRST_EVENT = new Set(['vobiz_api_rate_budget_wait_ms', 'vobiz_lifecycle_stalled_rounds', 'vobiz_lifecycle_blocked']);

/** The vobiz_* metric names (without _bucket/_count/_sum) the dashboard's PromQL expressions use. */
function dashboardBusinessMetrics(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  return [...new Set(exprs.flatMap((e) => e.match(/\bvobiz_[a-z_]+\b/g) ?? []).map(baseName))];
}
const baseName = (name: string) => name.replace(/_(bucket|count|sum)$/, '');

describe('metrics after an onboarding through the bridge', () => {
  let server: DevServer;
  let client: Client;
  let sandbox: TestSandbox;
  let bridge: RunningBridge;
  let worker: WorkerProcess | undefined;
  let workerMetricsPort: number;
  const taskQueue = uniqueTaskQueue('metrics');

  beforeAll(async () => {
    server = await connectDevServer();
    client = new Client({ connection: server.client.connection, namespace: server.namespace, dataConverter });
    sandbox = await startTestSandbox();
    const base = loadBridgeConfig({});
    bridge = await startBridge({
      config: {
        ...base,
        bridge: { ...base.bridge, port: 0, webhookSecrets: [TEST_PARTNER.authToken], metrics: { enabled: true, host: '127.0.0.1', port: 0, stageCountTtlMs: 1_000 } },
        temporal: { ...base.temporal, taskQueue },
      },
      client,
      logger: createLogger({ level: 'silent' }),
    });
    workerMetricsPort = await freePort();
    worker = await startWorkerProcess({
      env: {
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_NAMESPACE: server.namespace,
        TEMPORAL_TASK_QUEUE: taskQueue,
        VOBIZ_BASE_URL: sandbox.url,
        VOBIZ_PARTNER_AUTH_ID: TEST_PARTNER.authId,
        VOBIZ_PARTNER_AUTH_TOKEN: TEST_PARTNER.authToken,
        BRIDGE_PUBLIC_URL: bridge.url, // KYC sessions tell the sandbox to send their webhooks to this bridge
        WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`,
      },
      client: server.client,
      namespace: server.namespace,
      taskQueue,
      timeoutMs: 90_000,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await bridge?.close();
    await sandbox?.close();
    await server?.close();
  });

  it('serves the bridge metrics on their own listener, not on the public webhook port', async () => {
    expect(bridge.metricsUrl).toBeDefined();
    expect(bridge.metricsUrl).not.toBe(bridge.url);
    const onPublicPort = await request(`${bridge.url}/metrics`);
    await onPublicPort.body.dump();
    expect(onPublicPort.statusCode).toBe(404);
    const onMetricsPort = await request(`${bridge.metricsUrl!}/metrics`);
    expect(onMetricsPort.statusCode).toBe(200);
    expect(await onMetricsPort.body.text()).toContain('vobiz_bridge_kyc_webhooks_total');
  });

  it('counts the customer, its webhook, its Vobiz calls, its KYC outcome and its time to active', async () => {
    // The first transfer is refused with 429 and Retry-After: 1 s, so a retry and a rate-limit wait happen too.
    await sandbox.admin.addFault({ route: 'POST /api/v1/partner/accounts/:id/transfer-balance', mode: 'error', status: 429, retryAfterSeconds: 1, count: 1 });
    // The webhook, not a poll, must move it; the start API's edge rules allow no test-speed intervals anyway.
    const req = onboardingRequest({ kyc: { pollInterval: '1 hour' }, monitoring: { cdrPollInterval: '1 hour', lowBalanceThreshold: '100' } });
    const api = new OnboardingClient({ baseUrl: bridge.url, token: DEVELOPMENT_BRIDGE_API_TOKEN });
    const started = await api.start(req);
    expect(started.status).toBe('started');
    const handle = client.workflow.getHandle(started.workflowId);

    const kyc = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === 1, { what: 'the KYC session', timeoutMs: 60_000 });
    await sandbox.admin.completeKyc(kyc.kyc.attempts[0]!.sessionId, { pan: 'ABCPE1234F' });
    const active = await waitForState(handle, atStage('active'), { what: 'active after the webhook', timeoutMs: 60_000 });

    // --- the bridge ---
    let bridgeSamples: Sample[] = [];
    let running = -1;
    // Visibility is eventually consistent: the stage counts catch up within a few scrapes (the TTL here is 1 s). Other
    // files' customers start and finish on the shared dev server meanwhile, so the running count is read beside
    // each scrape, and the two must agree at some scrape.
    await waitFor(
      async () => {
        bridgeSamples = (await scrape(`${bridge.metricsUrl!}/metrics`)).samples;
        running = (await client.workflow.count(`WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`)).count;
        return total(bridgeSamples, 'vobiz_customers', { stage: 'active' }) >= 1 && total(bridgeSamples, 'vobiz_customers') === running;
      },
      { what: 'the customer counted as active, and the stage counts summing to the running customers', timeoutMs: 30_000, intervalMs: 1_000 },
    );
    const stages = bridgeSamples.filter((s) => s.name === 'vobiz_customers');
    expect(stages.map((s) => s.labels.stage).sort()).toEqual([...STAGES].sort());
    expect(total(bridgeSamples, 'vobiz_customers')).toBe(running);
    expect(total(bridgeSamples, 'vobiz_bridge_kyc_webhooks_total', { outcome: 'delivered' })).toBe(1);
    expect(total(bridgeSamples, 'vobiz_bridge_kyc_webhooks_total', { outcome: 'signalled' })).toBe(0);
    expect(total(bridgeSamples, 'vobiz_bridge_kyc_webhooks_total', { outcome: 'bad_signature' })).toBe(0);
    expect(total(bridgeSamples, 'vobiz_bridge_http_request_duration_seconds_count', { route: '/onboardings', method: 'POST', status_code: '201' })).toBe(1);
    expect(total(bridgeSamples, 'vobiz_bridge_http_request_duration_seconds_count', { route: '/webhooks/vobiz/kyc', status_code: '200' })).toBe(1);
    expect(total(bridgeSamples, 'vobiz_bridge_http_request_duration_seconds_sum', { route: '/webhooks/vobiz/kyc' })).toBeGreaterThan(0);

    // A rejected webhook is counted by its reason, and nothing about the request reaches a label.
    const forged = await request(`${bridge.url}/webhooks/vobiz/kyc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vobiz-signature': 'sha256=00' },
      body: JSON.stringify({ event: 'kyc.completed', metadata: { workflowId: started.workflowId } }),
    });
    expect(forged.statusCode).toBe(401);
    await forged.body.dump();
    // A genuinely signed delivery of an event two days old is refused as stale, and counted so.
    const staleBody = JSON.stringify({
      event: 'kyc.completed',
      session_id: kyc.kyc.attempts[0]!.sessionId,
      account_auth_id: active.authId,
      status: 'kyc_completed',
      timestamp: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      metadata: { workflowId: started.workflowId },
    });
    const stale = await request(`${bridge.url}/webhooks/vobiz/kyc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vobiz-signature': `sha256=${createHmac('sha256', TEST_PARTNER.authToken).update(staleBody).digest('hex')}` },
      body: staleBody,
    });
    expect(stale.statusCode).toBe(422);
    expect(await stale.body.json()).toMatchObject({ error: 'stale_event', field: 'timestamp' });
    const afterForgery = await scrape(`${bridge.metricsUrl!}/metrics`);
    expect(total(afterForgery.samples, 'vobiz_bridge_kyc_webhooks_total', { outcome: 'bad_signature' })).toBe(1);
    expect(total(afterForgery.samples, 'vobiz_bridge_kyc_webhooks_total', { outcome: 'stale_event' })).toBe(1);
    for (const secret of [req.customerRef, req.customer.email, req.customer.phone, started.workflowId, DEVELOPMENT_BRIDGE_API_TOKEN]) {
      expect(afterForgery.text).not.toContain(secret);
    }

    // --- the worker ---
    const { samples, text } = await scrape(`http://127.0.0.1:${workerMetricsPort}/metrics`);
    const latency = 'vobiz_api_request_latency_ms';
    expect(total(samples, `${latency}_count`, { route: TRANSFER_ROUTE, method: 'POST', status: '429' })).toBe(1);
    expect(total(samples, `${latency}_count`, { route: TRANSFER_ROUTE, method: 'POST', status: '200' })).toBe(1);
    expect(total(samples, `${latency}_sum`, { route: TRANSFER_ROUTE, status: '200' })).toBeGreaterThan(0);
    expect(total(samples, `${latency}_count`, { route: '/api/v1/partner/accounts', method: 'POST', status: '201' })).toBe(1);
    expect(total(samples, 'vobiz_api_rate_limited_retry_after_ms_count', { route: TRANSFER_ROUTE })).toBe(1);
    expect(total(samples, 'vobiz_api_rate_limited_retry_after_ms_sum', { route: TRANSFER_ROUTE })).toBe(1_000);
    expect(total(samples, 'vobiz_activity_retries', { activity_type: 'transferOpeningBalance' })).toBe(1);
    // The workflow meter tags its series `taskQueue`/`workflowType` (camelCase), unlike the SDK's own series.
    expect(total(samples, 'vobiz_kyc_outcomes', { outcome: 'completed', taskQueue })).toBe(1);
    const toActive = { taskQueue, workflowType: WORKFLOW_TYPE };
    expect(total(samples, 'vobiz_time_to_active_seconds_count', toActive)).toBe(1);
    const seconds = total(samples, 'vobiz_time_to_active_seconds_sum', toActive);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(120);
    // Our bucket boundaries, not the exporter's defaults: minutes to days for onboarding, milliseconds for calls.
    const bounds = (name: string) => new Set(samples.filter((x) => x.name === `${name}_bucket`).map((x) => x.labels.le));
    expect(bounds('vobiz_time_to_active_seconds')).toContain(String(7 * 86_400));
    expect(bounds(latency)).toContain('5');
    // No Vobiz route label holds an id: every segment is a literal or {id}.
    const routes = new Set(samples.filter((s) => s.name === `${latency}_count`).map((s) => s.labels.route!));
    for (const route of routes) expect(route).toMatch(/^(\/([a-zA-Z-]+|v1|\{id\}))+$/);
    // Started as every launcher of the project starts it: with the heap limit its memory budget derives.
    expect(total(samples, 'vobiz_startup_check', { check: 'heap_limit', result: 'ok' })).toBe(1);

    // Every business series the dashboard plots is exposed by one of the two.
    const exposed = new Set([...afterForgery.samples, ...samples].map((x) => baseName(x.name)));
    const plotted = dashboardBusinessMetrics();
    expect(plotted.length).toBeGreaterThanOrEqual(10);
    expect(plotted.filter((m) => !ON_FIRST_EVENT.has(m) && !exposed.has(m))).toEqual([]);

    expect(active.authId).toBeTruthy();
    expect(text).not.toContain(active.authId!);
  });
});
