/**
 * `npm run demo -- --cluster` as a user runs it: a child process that starts the self-hosted cluster (private
 * PostgreSQL, schema and namespace jobs, Temporal server, Web UI) and the rest of the stack on free ports with a
 * temporary data folder, takes one customer to `active`, stops everything and exits 0. Then: PostgreSQL holds the
 * customer's workflow, and the cluster started again on the same folder (as `npm run cluster` does) still knows
 * it — through the API, a search-attribute query, and the Web UI server's HTTP API.
 */
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_DB_PASSWORD, CLUSTER_DB_USER, startCluster } from '../../dev/cluster/cluster.js';
import { psqlPath, startPostgres } from '../../dev/cluster/postgres.js';
import { assertPortFree } from '../../dev/processes.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';
import { dataConverter } from '../support/lifecycle.js';
import { clusterDataDir, freeClusterBase, freePorts } from './support/cluster.js';

/** The parent's environment without anything that would point the demo at another Temporal, Vobiz or bridge. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(TEMPORAL_|VOBIZ_|SANDBOX_|BRIDGE_|CODEC_|WORKER_|CLUSTER_|DATA_DIR$|DEMO_)/.test(name) && name !== 'TEMPORAL_CLI') delete env[name];
  }
  return env;
}

describe('npm run demo -- --cluster', () => {
  const dataDir = clusterDataDir('vobiz-demo-cluster-');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs one customer to active on the self-hosted server; PostgreSQL holds it; a restart keeps it', async () => {
    const temporalPort = await freeClusterBase();
    const [uiPort, codecPort, sandboxPort, bridgePort, postgresPort] = (await freePorts(5)) as [number, number, number, number, number];
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'dev', 'demo.ts'), '--cluster'], {
      cwd: PROJECT_ROOT,
      env: {
        ...cleanEnv(),
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        TEMPORAL_DEV_PORT: String(temporalPort),
        TEMPORAL_DEV_UI_PORT: String(uiPort),
        CLUSTER_POSTGRES_PORT: String(postgresPort),
        CODEC_SERVER_PORT: String(codecPort),
        SANDBOX_PORT: String(sandboxPort),
        BRIDGE_PORT: String(bridgePort),
        BRIDGE_METRICS: 'false', // its own listener on a fixed port otherwise
        DEMO_TIMEOUT_SECONDS: '240',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));

    expect(code, `demo exited ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr.slice(-4000)}`).toBe(0);
    expect(stdout).toContain('Temporal server on PostgreSQL');
    expect(stdout).toContain(`Temporal 127.0.0.1:${temporalPort}`);
    // Without --keep the stack stops with the demo, so it prints no Web UI links that would point at nothing.
    expect(stdout).toContain('No links: the stack the demo started stops now');
    expect(stdout).not.toContain(`http://localhost:${uiPort}/namespaces/default/workflows/customer-demo-`);
    const customerRef = /Customer (demo-\d+) is active/.exec(stdout)?.[1];
    expect(customerRef).toBeDefined();
    const workflowId = `customer-${customerRef}`;
    // Everything stopped: the server's, the UI's and PostgreSQL's ports are free again.
    for (const port of [temporalPort, uiPort, postgresPort, codecPort, sandboxPort, bridgePort]) {
      await assertPortFree('127.0.0.1', port, `port ${port} after the demo`, 'something the demo started is still running');
    }

    // PostgreSQL holds the workflow: its current run in `temporal`, its visibility row in `temporal_visibility`.
    const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
    const postgres = await startPostgres({ dir: join(dataDir, 'cluster', 'postgres'), port: postgresPort, user: CLUSTER_DB_USER, password: CLUSTER_DB_PASSWORD, output: quiet });
    try {
      const psql = (db: string, sql: string) =>
        execFileSync(psqlPath(), ['-h', '127.0.0.1', '-p', String(postgresPort), '-U', CLUSTER_DB_USER, '-d', db, '-At', '-c', sql], {
          env: { ...process.env, PGPASSWORD: CLUSTER_DB_PASSWORD },
          encoding: 'utf8',
        }).trim();
      expect(psql('temporal', `SELECT count(*) FROM current_executions WHERE workflow_id = '${workflowId}'`)).toBe('1');
      expect(psql('temporal_visibility', `SELECT workflow_type_name FROM executions_visibility WHERE workflow_id = '${workflowId}'`)).toBe('customerLifecycle');
    } finally {
      await postgres.stop();
    }

    // `npm run cluster` on the same folder: the customer is still there, active, found by its search attribute,
    // and the Web UI server (pointed at this cluster) lists it too.
    const cluster = await startCluster({ dataDir, port: temporalPort, uiPort, postgresPort, namespace: 'default', output: quiet });
    try {
      const connection = await Connection.connect({ address: cluster.address });
      try {
        const client = new Client({ connection, namespace: 'default', dataConverter }); // memo is encrypted
        const found: string[] = [];
        for await (const wf of client.workflow.list({ query: `VobizStage = "active" AND WorkflowId = "${workflowId}"` })) found.push(wf.workflowId);
        expect(found).toEqual([workflowId]);
      } finally {
        await connection.close();
      }
      const res = await request(`http://127.0.0.1:${uiPort}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId = "${workflowId}"`)}`);
      const body = (await res.body.json()) as { executions?: { execution?: { workflowId?: string } }[] };
      expect(res.statusCode).toBe(200);
      expect(body.executions?.map((e) => e.execution?.workflowId)).toEqual([workflowId]);
    } finally {
      await cluster.stop();
    }
  }, 400_000);
});
