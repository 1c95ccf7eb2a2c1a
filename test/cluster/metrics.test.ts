/**
 * Metrics people can look at: the worker (src/worker.ts, as deployed, with WORKER_METRICS_ADDRESS) and the
 * Temporal server expose Prometheus endpoints; after one onboarding on the cluster both are scraped, the series
 * the Grafana dashboard (deploy/grafana/dashboards/vobiz-lifecycle.json) plots exist, and their values are sane;
 * the worker's business series are there too (test/integration/metrics.test.ts checks them, and the bridge's, in
 * depth on the dev server).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { startTestSandbox, TEST_PARTNER, type TestSandbox } from '../../sandbox/testing.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { vobizTaskQueue } from '../../src/workflows/task-queues.js';
import { customerLifecycle } from '../../src/workflows/lifecycle.js';
import { completeOnboarding } from '../support/crash.js';
import { onboardingRequest } from '../support/lifecycle.js';
import { scrape, total } from '../support/prometheus.js';
import { uniqueTaskQueue } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { freePorts, startTestCluster, type TestCluster } from './support/cluster.js';

const DASHBOARD = join(PROJECT_ROOT, 'deploy', 'grafana', 'dashboards', 'vobiz-lifecycle.json');
/** Counters the SDK creates on their first event: a clean onboarding has none (its panel title says so). */
const ON_FIRST_EVENT = new Set(['temporal_activity_execution_failed']);

/** The metric names the dashboard's PromQL expressions use. */
function dashboardMetrics(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  return [...new Set(exprs.flatMap((e) => e.match(/\b(temporal_[a-z_]+|service_[a-z_]+|persistence_[a-z_]+)\b/g) ?? []))];
}

describe('metrics on the cluster', () => {
  let cluster: TestCluster;
  let sandbox: TestSandbox;
  let worker: WorkerProcess | undefined;
  let metricsPort: number;
  const taskQueue = uniqueTaskQueue('metrics');

  beforeAll(async () => {
    [cluster, sandbox] = await Promise.all([startTestCluster(), startTestSandbox()]);
    [metricsPort] = (await freePorts(1)) as [number];
    worker = await startWorkerProcess({
      env: {
        TEMPORAL_ADDRESS: cluster.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        VOBIZ_BASE_URL: sandbox.url,
        VOBIZ_PARTNER_AUTH_ID: TEST_PARTNER.authId,
        VOBIZ_PARTNER_AUTH_TOKEN: TEST_PARTNER.authToken,
        BRIDGE_PUBLIC_URL: 'http://127.0.0.1:9', // no bridge here: the test signals the workflow itself
        WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
      },
      client: cluster.client,
      namespace: cluster.namespace,
      taskQueue,
      timeoutMs: 120_000,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await sandbox?.close();
    await cluster?.close();
  });

  it('exposes the worker and server series the dashboard plots, with sane values after an onboarding', async () => {
    const req = onboardingRequest();
    const handle = await cluster.client.workflow.start(customerLifecycle, { taskQueue, workflowId: workflowIdFor(req.customerRef), args: [req] });
    await completeOnboarding(handle, sandbox.admin, { timeoutMs: 120_000 });

    const workerMetrics = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    const serverMetrics = await scrape(`http://127.0.0.1:${cluster.ports.metrics}/metrics`);
    const all = [...workerMetrics.samples, ...serverMetrics.samples];

    // Every series the dashboard plots exists.
    const names = new Set(all.map((s) => s.name.replace(/_(bucket|count|sum)$/, '')));
    const plotted = dashboardMetrics();
    expect(plotted.length).toBeGreaterThanOrEqual(10);
    const missing = plotted.filter((m) => !ON_FIRST_EVENT.has(m) && !names.has(m.replace(/_(bucket|count|sum)$/, '')));
    expect(missing, `dashboard metrics not exposed: ${missing.join(', ')}`).toEqual([]);

    // Sane values: this onboarding's activities ran once each on our task queues (the Vobiz calls on their own one),
    // and took some time but not minutes.
    const ours = new Set([taskQueue, vobizTaskQueue(taskQueue)]);
    const activityCount = (type: string) =>
      workerMetrics.samples.filter((s) => s.name === 'temporal_activity_execution_latency_count' && s.labels.activity_type === type && ours.has(s.labels.task_queue ?? '')).reduce((n, s) => n + s.value, 0);
    expect(activityCount('createCustomerAccount')).toBe(1);
    expect(activityCount('transferOpeningBalance')).toBe(1);
    const latencySum = workerMetrics.samples.filter((s) => s.name === 'temporal_activity_execution_latency_sum' && ours.has(s.labels.task_queue ?? '')).reduce((n, s) => n + s.value, 0);
    expect(latencySum).toBeGreaterThan(0);
    expect(latencySum).toBeLessThan(120_000);
    const failed = workerMetrics.samples.filter((s) => s.name === 'temporal_activity_execution_failed' && ours.has(s.labels.task_queue ?? '')).reduce((n, s) => n + s.value, 0);
    expect(failed).toBe(0);
    // The worker's business series: the transfer on its route template, the KYC outcome, one time to active.
    const transfers = total(workerMetrics.samples, 'vobiz_api_request_latency_ms_count', { route: '/api/v1/partner/accounts/{id}/transfer-balance', status: '200' });
    expect(transfers).toBe(1);
    expect(total(workerMetrics.samples, 'vobiz_kyc_outcomes', { outcome: 'completed', taskQueue })).toBe(1);
    expect(total(workerMetrics.samples, 'vobiz_time_to_active_seconds_count', { taskQueue })).toBe(1);
    // The server counted our start request.
    const starts = serverMetrics.samples.filter((s) => s.name === 'service_requests' && s.labels.operation === 'StartWorkflowExecution').reduce((n, s) => n + s.value, 0);
    expect(starts).toBeGreaterThanOrEqual(1);
  });
});
