/**
 * One stack per folder, and a folder's .env, as a person meets them: `npm start` (dev/start.ts, its own process) run
 * in a temporary folder whose .env alone names the data folder and every port. The stack comes up on those ports
 * (the worker, a process of its own, serves metrics where .env says); the CLI run in the same folder finds that
 * Temporal; a second `npm start` there exits non-zero naming the first, and one with another DATA_DIR but the same
 * ports names the ports by setting; the first keeps answering throughout and stops cleanly on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TSX_LOADER } from '../../dev/pieces.js';
import { assertPortFree, freePort, sleep, waitForExit } from '../../dev/processes.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';

/** The parent's environment without anything that would choose a port, a folder or another Temporal, Vobiz or bridge. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(TEMPORAL_|VOBIZ_|SANDBOX_|BRIDGE_|CODEC_|WORKER_|DATA_DIR$|LOG_LEVEL$)/.test(name) && name !== 'TEMPORAL_CLI') delete env[name];
  }
  return { ...env, NODE_ENV: 'test' };
}

interface Run {
  child: ChildProcess;
  output: () => string;
}

/** A project entry point run as `npm run` runs it, but in `cwd`. */
function run(entry: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, join(PROJECT_ROOT, entry), ...args], { cwd, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function finished(r: Run): Promise<{ code: number | string; output: string }> {
  const code = await waitForExit(r.child);
  return { code, output: r.output() };
}

async function answers(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
  await res.body?.cancel();
  return res.status;
}

describe('one stack per folder, configured by its .env', () => {
  const folder = mkdtempSync(join(tmpdir(), 'vobiz-stack-folder-'));
  let first: Run | undefined;
  afterAll(async () => {
    if (first && first.child.exitCode === null) {
      first.child.kill('SIGKILL');
      await waitForExit(first.child);
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it('runs npm start on the ports .env names, and refuses a second stack on its folder or its ports', async () => {
    const [temporal, ui, codec, sandbox, bridge, bridgeMetrics, workerMetrics] = (await Promise.all(Array.from({ length: 7 }, () => freePort()))) as [number, number, number, number, number, number, number];
    writeFileSync(
      join(folder, '.env'),
      [
        '# this folder\'s stack',
        'DATA_DIR=./data',
        `TEMPORAL_DEV_PORT=${temporal}`,
        `TEMPORAL_DEV_UI_PORT=${ui}`,
        `CODEC_SERVER_PORT=${codec}`,
        `SANDBOX_PORT=${sandbox}`,
        `BRIDGE_PORT=${bridge}`,
        `BRIDGE_METRICS_ADDRESS=127.0.0.1:${bridgeMetrics}`,
        `WORKER_METRICS_ADDRESS=127.0.0.1:${workerMetrics}`,
        '',
      ].join('\n'),
    );
    const ports = [temporal, ui, codec, sandbox, bridge, bridgeMetrics, workerMetrics];

    first = run('dev/start.ts', [], folder);
    for (let waited = 0; !first.output().includes('local system is up'); waited += 250) {
      if (first.child.exitCode !== null || waited > 150_000) throw new Error(`npm start did not come up (exit ${first.child.exitCode}):\n${first.output().slice(-4000)}`);
      await sleep(250);
    }
    const started = first.output();
    expect(started).toContain(`Temporal         127.0.0.1:${temporal} `);
    expect(started).toContain(`state in ${join(folder, 'data')}/temporal.sqlite`);
    expect(await answers(`http://127.0.0.1:${bridge}/readyz`)).toBe(200);
    expect(await answers(`http://127.0.0.1:${workerMetrics}/metrics`)).toBe(200); // the worker process read it too
    // Start-up logs stay readable: the workflow bundle is one line, webpack's report only at LOG_LEVEL=debug.
    expect(started).toMatch(/"msg":"Workflow code bundled \(\d+\.\d\d MB in \d+\.\d s\)"/);
    expect(started).not.toContain('modules by path');

    // The CLI run in the folder finds that Temporal through .env alone: it starts a customer the stack's bridge sees.
    const cli = await finished(run('src/cli/main.ts', ['onboard', join(PROJECT_ROOT, 'examples', 'onboarding.json')], folder, { LOG_LEVEL: 'silent' }));
    expect(cli.code, cli.output).toBe(0);
    expect(await answers(`http://127.0.0.1:${bridge}/onboardings/acme-0001`, { authorization: 'Bearer dev-bridge-token' })).toBe(200);

    // A second npm start on the same folder: refused, naming the first.
    const second = await finished(run('dev/start.ts', [], folder));
    expect(second.code).toBe(1);
    expect(second.output).toContain(`npm start failed: a stack already runs on this data folder (${join(folder, 'data')}): npm start, pid ${first.child.pid}`);
    expect(second.output).toContain(`BRIDGE_PORT ${bridge}`);
    expect(second.output).not.toContain('Stopping a Temporal dev server');

    // Another folder, the same ports: refused, each port named by its setting.
    const elsewhere = await finished(run('dev/start.ts', [], folder, { DATA_DIR: join(folder, 'other') }));
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.output).toContain(`  - TEMPORAL_DEV_PORT: 127.0.0.1:${temporal} (Temporal dev server); set TEMPORAL_DEV_PORT to a free port`);
    expect(elsewhere.output).toContain(`  - BRIDGE_PORT: 127.0.0.1:${bridge} (bridge); set BRIDGE_PORT to a free port`);
    expect(existsSync(join(folder, 'other', 'temporal.sqlite'))).toBe(false);

    // The first stack never noticed.
    expect(first.child.exitCode).toBeNull();
    expect(await answers(`http://127.0.0.1:${bridge}/readyz`)).toBe(200);
    expect(await answers(`http://127.0.0.1:${bridge}/onboardings/acme-0001`, { authorization: 'Bearer dev-bridge-token' })).toBe(200);

    // Ctrl-C stops it, gives the folder back and frees every port.
    first.child.kill('SIGINT');
    const stopped = await finished(first);
    expect(stopped.code, stopped.output.slice(-3000)).toBe(0);
    expect(existsSync(join(folder, 'data', 'stack.lock'))).toBe(false);
    for (const port of ports) await assertPortFree('127.0.0.1', port, `port ${port} after Ctrl-C`, 'something the stack started still runs');
  }, 240_000);
});
