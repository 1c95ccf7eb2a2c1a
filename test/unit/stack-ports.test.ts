/**
 * The ports a stack listens on (dev/stack-ports.ts): two settings on one port are a configuration error naming
 * both, a port something else holds is named with its setting, and either stops the start before anything binds.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { ConfigError } from '../../src/config/problems.js';
import { freePort } from '../../dev/processes.js';
import { startStack, type StackOptions } from '../../dev/stack.js';
import { assertNoPortClash, assertPortsFree, stackListeners } from '../../dev/stack-ports.js';

const root = mkdtempSync(join(tmpdir(), 'stack-ports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function options(over: Partial<StackOptions> & { env?: NodeJS.ProcessEnv } = {}): StackOptions {
  return {
    dataDir: join(root, 'data'),
    env: {},
    temporal: { devServer: { port: 17233, uiPort: 18233 } },
    codecServer: { placement: 'in-process' },
    sandbox: { placement: 'in-process' },
    bridge: { placement: 'in-process' },
    workers: { count: 1 },
    output: 'files',
    progress: () => undefined,
    logger: createLogger({ level: 'silent' }),
    ...over,
  };
}

function clashes(o: StackOptions): string[] {
  try {
    assertNoPortClash(stackListeners(o));
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('port clashes between settings', () => {
  it('names the Web UI port set to the dev server port', () => {
    expect(clashes(options({ temporal: { devServer: { port: 17233, uiPort: 17233 } } }))).toEqual([
      'TEMPORAL_DEV_UI_PORT: port 17233 (Temporal Web UI) is also TEMPORAL_DEV_PORT (Temporal dev server); each needs a port of its own',
    ]);
  });

  it("names the bridge on the sandbox's port, and every other pair at once", () => {
    const env = { SANDBOX_PORT: '4010', BRIDGE_PORT: '4010', BRIDGE_METRICS_ADDRESS: '127.0.0.1:8888' };
    expect(clashes(options({ env }))).toEqual([
      'BRIDGE_PORT: port 4010 (bridge) is also SANDBOX_PORT (Vobiz sandbox); each needs a port of its own',
      'BRIDGE_METRICS_ADDRESS: port 8888 (bridge metrics) is also CODEC_SERVER_PORT (codec server); each needs a port of its own',
    ]);
  });

  it('names the derived ports of the self-hosted server', () => {
    const cluster = { cluster: { port: 7233, uiPort: 7234, postgresPort: 5433 } };
    expect(clashes(options({ temporal: cluster }))).toEqual([
      'TEMPORAL_DEV_UI_PORT: port 7234 (Temporal Web UI) is also TEMPORAL_DEV_PORT + 1 (Temporal server (history)); each needs a port of its own',
    ]);
  });

  it('counts a listener on every address against every host, and none between two loopback addresses', () => {
    expect(clashes(options({ env: { CODEC_SERVER_PORT: '9000', BRIDGE_HOST: '0.0.0.0', BRIDGE_PORT: '9000' } }))).toHaveLength(1);
    expect(clashes(options({ env: { CODEC_SERVER_PORT: '9000', BRIDGE_HOST: '127.0.0.2', BRIDGE_PORT: '9000' } }))).toEqual([]);
    expect(clashes(options({ env: { WORKER_METRICS_ADDRESS: '127.0.0.1:9464' }, workers: { count: 2 } }))).toEqual([
      'WORKER_METRICS_ADDRESS: port 9464 (worker 2 metrics) is also WORKER_METRICS_ADDRESS (worker 1 metrics); each needs a port of its own',
    ]);
  });

  it('checks only what the stack runs itself: a sandbox or bridge given by URL, an external Temporal', () => {
    const o = options({ temporal: { address: '127.0.0.1:7233' }, sandbox: { url: 'http://127.0.0.1:4010' }, bridge: { url: 'http://127.0.0.1:8787' }, env: { BRIDGE_METRICS: 'false' } });
    expect(stackListeners(o).map((l) => l.setting)).toEqual(['CODEC_SERVER_PORT']);
  });

  it('stops the start before anything binds or is written', async () => {
    const dataDir = join(root, 'clash');
    await expect(startStack(options({ dataDir, temporal: { devServer: { port: 17233, uiPort: 17233 } } }))).rejects.toThrow(/TEMPORAL_DEV_UI_PORT: port 17233 .* is also TEMPORAL_DEV_PORT/);
    expect(readdirSync(dataDir)).toEqual([]); // no lock, no database
  });
});

describe('ports already taken', () => {
  let holder: Server | undefined;
  afterAll(() => holder?.close());

  it('are named with the setting that chose them, and stop the start before anything binds', async () => {
    const port = await freePort();
    holder = createServer();
    await new Promise<void>((resolve) => holder!.listen(port, '127.0.0.1', resolve));
    const o = options({ dataDir: join(root, 'taken'), env: { SANDBOX_PORT: String(port), BRIDGE_METRICS: 'false' }, temporal: { devServer: { port: await freePort(), uiPort: await freePort() } } });
    o.env.CODEC_SERVER_PORT = String(await freePort());
    o.env.BRIDGE_PORT = String(await freePort());
    await expect(assertPortsFree(stackListeners(o))).rejects.toThrow(`SANDBOX_PORT: 127.0.0.1:${port} (Vobiz sandbox); set SANDBOX_PORT to a free port`);
    await expect(startStack(o)).rejects.toThrow(/ports already in use .*\n {2}- SANDBOX_PORT: /);
    expect(existsSync(join(root, 'taken', 'temporal.sqlite'))).toBe(false);
    expect(existsSync(join(root, 'taken', 'stack.lock'))).toBe(false); // given back
  });
});
