/**
 * The metrics wiring of the compose deployment: Prometheus scrapes exactly the ports the worker and the Temporal
 * server are told to serve metrics on, Grafana gets the Prometheus datasource and the dashboard, and the
 * dashboard is valid JSON whose panels all query that datasource.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';

const read = (...path: string[]) => readFileSync(join(PROJECT_ROOT, ...path), 'utf8');
const compose = read('docker-compose.yml');
const prometheus = read('deploy', 'prometheus', 'prometheus.yml');

describe('metrics wiring', () => {
  it('scrapes the worker, the bridge and the server on the ports compose gives them', () => {
    const workerPort = /WORKER_METRICS_ADDRESS: 0\.0\.0\.0:(\d+)/.exec(compose)?.[1];
    const serverPort = /PROMETHEUS_ENDPOINT: 0\.0\.0\.0:(\d+)/.exec(compose)?.[1];
    expect(workerPort).toBeDefined();
    expect(serverPort).toBeDefined();
    expect(prometheus).toContain(`targets: ["worker:${workerPort}"]`);
    expect(prometheus).toContain(`targets: ["temporal:${serverPort}"]`);
    // The bridge's metrics listener, never its public webhook port.
    const bridgeMetricsPort = /BRIDGE_METRICS_ADDRESS: 0\.0\.0\.0:(\d+)/.exec(compose)?.[1];
    const bridgePort = /BRIDGE_PORT: (\d+)/.exec(compose)?.[1];
    expect(bridgeMetricsPort).toBeDefined();
    expect(bridgeMetricsPort).not.toBe(bridgePort);
    expect(compose).toContain('BRIDGE_METRICS: "true"');
    expect(prometheus).toContain(`targets: ["bridge:${bridgeMetricsPort}"]`);
    expect(prometheus).not.toContain(`bridge:${bridgePort}`);
    expect(compose).toContain('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  });

  it('provisions Grafana with the Prometheus datasource and the dashboard', () => {
    expect(compose).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
    expect(compose).toContain('./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro');
    expect(read('deploy', 'grafana', 'provisioning', 'dashboards', 'vobiz.yml')).toContain('path: /var/lib/grafana/dashboards');
    const datasource = read('deploy', 'grafana', 'provisioning', 'datasources', 'prometheus.yml');
    expect(datasource).toContain('url: http://prometheus:9090');
    expect(datasource).toContain('uid: prometheus');
    const dashboard = JSON.parse(read('deploy', 'grafana', 'dashboards', 'vobiz-lifecycle.json')) as {
      uid: string;
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    expect(dashboard.uid).toBe('vobiz-lifecycle');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe('prometheus');
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('loads the alert rules: a failing start-up check, and KYC webhooks refused for their signature', () => {
    expect(prometheus).toMatch(/^rule_files:\n {2}- alerts\.yml$/m);
    expect(compose).toContain('./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');
    const rules = read('deploy', 'prometheus', 'alerts.yml');
    // Each alert over a series this service exports (the names the bridge and the worker register).
    expect(rules).toMatch(/- alert: VobizStartupCheckFailing\n\s+expr: max by \(job, check\) \(vobiz_startup_check\{result="fail"\}\) == 1\n/);
    expect(rules).toMatch(/- alert: VobizKycWebhooksRefusedForSignature\n\s+expr: sum\(increase\(vobiz_bridge_kyc_webhooks_total\{outcome="bad_signature"\}\[15m\]\)\) > 0\n/);
    expect(read('src', 'bridge', 'metrics', 'registry.ts')).toContain("name: 'vobiz_startup_check'");
    expect(read('src', 'worker', 'startup-checks.ts')).toContain("createGauge('vobiz_startup_check'");
    expect(read('src', 'bridge', 'metrics', 'registry.ts')).toMatch(/'bad_signature',/);
  });
});
