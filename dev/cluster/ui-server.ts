/**
 * The Temporal Web UI for the local cluster: Temporal's own ui-server (github.com/temporalio/ui-server, the program
 * inside the temporalio/ui image that docker-compose.yml runs, same version), built by
 * scripts/build-temporal-server.mjs. The CLI embeds the same UI but only serves it next to its own dev server, so a
 * standalone ui-server is what points at a real cluster. Its config is written as base.yaml (JSON is YAML).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { assertPortFree, hasExited, pipeLines, sleep, stopChild } from '../processes.js';

interface UiServerOptions {
  binary: string;
  /** Folder for its config. */
  dir: string;
  temporalAddress: string;
  port: number;
  namespace: string;
  /** The codec server's URL as the browser sees it: the UI decodes payloads through it. */
  codecEndpoint?: string;
  output?: NodeJS.WritableStream;
}

export interface RunningUiServer {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

function uiServerConfig(options: UiServerOptions): Record<string, unknown> {
  return {
    temporalGrpcAddress: options.temporalAddress,
    host: '127.0.0.1',
    port: options.port,
    enableUi: true,
    defaultNamespace: options.namespace,
    notifyOnNewVersion: false,
    cors: { allowOrigins: [`http://localhost:${options.port}`, `http://127.0.0.1:${options.port}`], cookieInsecure: true },
    codec: options.codecEndpoint ? { endpoint: options.codecEndpoint } : {},
    auth: { enabled: false },
  };
}

export async function startUiServer(options: UiServerOptions): Promise<RunningUiServer> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'base.yaml'), JSON.stringify(uiServerConfig(options), null, 2));
  await assertPortFree('127.0.0.1', options.port, 'Temporal Web UI', 'Pick another TEMPORAL_DEV_UI_PORT.');
  const child = spawn(options.binary, ['--root', dir, '--config', '.', '--env', 'cluster', 'start'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stopping = false;
  const output = options.output ?? process.stderr;
  const tail = pipeLines(child.stdout, undefined, '', 20);
  const errTail = pipeLines(child.stderr, { write: (l: string) => (/error|fatal/i.test(l) ? output.write(l) : true) } as NodeJS.WritableStream, '[temporal-ui] ', 20, () => stopping);
  const url = `http://localhost:${options.port}`;
  const stop = async () => {
    stopping = true;
    await stopChild(child, 5_000);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (hasExited(child)) throw new Error(`the Temporal Web UI server exited during start-up:\n${[...tail(), ...errTail()].join('\n')}`);
    try {
      const res = await request(`http://127.0.0.1:${options.port}/api/v1/settings`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
      await res.body.dump();
      if (res.statusCode === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Temporal Web UI did not answer on ${url} within 30 s`);
    }
    await sleep(250);
  }
  return { url, pid: child.pid ?? -1, child, stop };
}
