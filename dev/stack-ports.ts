/**
 * Where a stack will listen, each port with the setting that chose it, checked before anything binds: two settings
 * on one port (TEMPORAL_DEV_UI_PORT equal to TEMPORAL_DEV_PORT, the bridge on the sandbox's port) are a
 * configuration error naming both, and a port something else already holds is named with its setting, instead of
 * a bind error halfway through start-up.
 */
import type { z } from 'zod';
import { BRIDGE } from '../src/config/bridge.js';
import { BRIDGE_ADDRESS } from '../src/config/bridge-address.js';
import { CODEC_SERVER } from '../src/config/codec-server.js';
import { parseEnvironment } from '../src/config/fields.js';
import { ConfigError } from '../src/config/problems.js';
import { SANDBOX_ADDRESS } from '../src/config/vobiz.js';
import { WORKER } from '../src/config/worker.js';
import { serverPortsFrom } from './cluster/temporal-server.js';
import { assertPortFree, PortInUseError } from './processes.js';
import type { StackOptions } from './stack.js';

interface Listener {
  /** The setting that chose the port, e.g. `BRIDGE_PORT`, or `TEMPORAL_DEV_PORT + 1` for one derived from it. */
  setting: string;
  /** The variable that moves it. */
  variable: string;
  host: string;
  port: number;
  /** What listens there. */
  what: string;
}

const listener = (variable: string, host: string, port: number, what: string, setting = variable): Listener => ({ setting, variable, host, port, what });

/** `host:port` as the listen-address settings take it. */
function fromAddress(variable: string, address: string, what: string): Listener {
  const [host = '127.0.0.1', port = '0'] = address.split(':');
  return listener(variable, host, Number(port), what);
}

/** The settings of one piece, read as the piece's own loader reads them (a bad value is named here already). */
function settingsOf<Shape extends z.ZodRawShape>(shape: Shape, env: NodeJS.ProcessEnv) {
  return parseEnvironment(shape, env, (e) => e);
}

/** Every port the stack of `options` will listen on; the pieces' environments are composed as startStack does. */
export function stackListeners(options: StackOptions): Listener[] {
  const listeners: Listener[] = [];
  const temporal = options.temporal;
  if ('devServer' in temporal) {
    listeners.push(
      listener('TEMPORAL_DEV_PORT', '127.0.0.1', temporal.devServer.port, 'Temporal dev server'),
      listener('TEMPORAL_DEV_UI_PORT', '127.0.0.1', temporal.devServer.uiPort, 'Temporal Web UI'),
    );
  } else if ('cluster' in temporal) {
    const { port, uiPort, postgresPort } = temporal.cluster;
    for (const [service, p] of Object.entries(serverPortsFrom(port)) as [string, number][]) {
      const offset = p - port;
      const setting = offset === 0 ? 'TEMPORAL_DEV_PORT' : `TEMPORAL_DEV_PORT ${offset > 0 ? '+' : '-'} ${Math.abs(offset)}`;
      listeners.push(listener('TEMPORAL_DEV_PORT', '127.0.0.1', p, `Temporal server (${service})`, setting));
    }
    listeners.push(listener('TEMPORAL_DEV_UI_PORT', '127.0.0.1', uiPort, 'Temporal Web UI'), listener('CLUSTER_POSTGRES_PORT', '127.0.0.1', postgresPort, 'PostgreSQL'));
  }
  if (options.codecServer) {
    const e = settingsOf({ CODEC_SERVER_HOST: CODEC_SERVER.CODEC_SERVER_HOST, CODEC_SERVER_PORT: CODEC_SERVER.CODEC_SERVER_PORT }, { ...options.env, ...options.codecServer.env });
    listeners.push(listener('CODEC_SERVER_PORT', e.CODEC_SERVER_HOST, e.CODEC_SERVER_PORT, 'codec server'));
  }
  if (!('url' in options.sandbox)) {
    const e = settingsOf({ SANDBOX_HOST: SANDBOX_ADDRESS.SANDBOX_HOST, SANDBOX_PORT: SANDBOX_ADDRESS.SANDBOX_PORT }, { ...options.env, ...options.sandbox.env });
    listeners.push(listener('SANDBOX_PORT', e.SANDBOX_HOST, e.SANDBOX_PORT, 'Vobiz sandbox'));
  }
  if (!('url' in options.bridge)) {
    const e = settingsOf(
      { BRIDGE_HOST: BRIDGE_ADDRESS.BRIDGE_HOST, BRIDGE_PORT: BRIDGE_ADDRESS.BRIDGE_PORT, BRIDGE_METRICS: BRIDGE.BRIDGE_METRICS, BRIDGE_METRICS_ADDRESS: BRIDGE.BRIDGE_METRICS_ADDRESS },
      { ...options.env, ...options.bridge.env },
    );
    listeners.push(listener('BRIDGE_PORT', e.BRIDGE_HOST, e.BRIDGE_PORT, 'bridge'));
    if (e.BRIDGE_METRICS) listeners.push(fromAddress('BRIDGE_METRICS_ADDRESS', e.BRIDGE_METRICS_ADDRESS, 'bridge metrics'));
  }
  const { WORKER_METRICS_ADDRESS } = settingsOf({ WORKER_METRICS_ADDRESS: WORKER.WORKER_METRICS_ADDRESS }, { ...options.env, ...options.workers.env });
  if (WORKER_METRICS_ADDRESS) {
    for (let i = 0; i < options.workers.count; i++) listeners.push(fromAddress('WORKER_METRICS_ADDRESS', WORKER_METRICS_ADDRESS, options.workers.count === 1 ? 'worker metrics' : `worker ${i + 1} metrics`));
  }
  return listeners;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);
const canonicalHost = (host: string) => (host === 'localhost' ? '127.0.0.1' : host);

/** Two listeners on one port collide when their hosts are the same or either listens on every address. */
function collide(a: Listener, b: Listener): boolean {
  if (a.port !== b.port || a.port === 0) return false;
  return WILDCARD_HOSTS.has(a.host) || WILDCARD_HOSTS.has(b.host) || canonicalHost(a.host) === canonicalHost(b.host);
}

/** Throws a ConfigError naming every pair of settings that chose one port. */
export function assertNoPortClash(listeners: Listener[]): void {
  const problems: string[] = [];
  listeners.forEach((b, j) => {
    const a = listeners.slice(0, j).find((earlier) => collide(earlier, b));
    if (a) problems.push(`${b.setting}: port ${b.port} (${b.what}) is also ${a.setting} (${a.what}); each needs a port of its own`);
  });
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Throws, naming each one's setting, when any of the ports is already taken (by another stack or program). */
export async function assertPortsFree(listeners: Listener[]): Promise<void> {
  const taken: string[] = [];
  for (const l of listeners) {
    if (l.port === 0) continue;
    try {
      await assertPortFree(l.host, l.port, l.what, '');
    } catch (err) {
      if (!(err instanceof PortInUseError)) throw err;
      taken.push(`${l.setting}: ${l.host}:${l.port} (${l.what}); ${l.setting === l.variable ? `set ${l.variable} to a free port` : `move it with ${l.variable}`}`);
    }
  }
  if (taken.length > 0) {
    throw new Error(
      `ports already in use (by another stack with another DATA_DIR, or another program):\n${taken.map((t) => `  - ${t}`).join('\n')}\n` +
        'Stop what uses them, or choose other ports (in .env or the environment).',
    );
  }
}
