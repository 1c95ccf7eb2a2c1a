// The bridge's start-up checks: /readyz names each check and its result, answers 503 while one it needs to serve
// fails (naming it, with what was found and the fix), stays 200 listing a failing setting that does not stop it
// serving; the failure is logged at error once (not per probe) and exported as vobiz_startup_check{check,result}.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { startBridge, type RunningBridge } from '../../src/bridge/server.js';
import { DEVELOPMENT_KEY, parseKeyList, newKeyLine } from '../../src/codec/keys.js';
import { loadBridgeConfig, type BridgeConfig } from '../../src/config/bridge.js';
import { connectClient } from '../../src/temporal/connection.js';
import { ensureKycSweepSchedule, kycSweepScheduleId } from '../../src/temporal/kyc-sweep-schedule.js';
import { captureLogger } from '../fixtures/bridge-harness.js';
import { scrape, total } from '../support/prometheus.js';

/** A check's result: its status, and words its detail (and fix) contain. */
function expectOutcome(r: { status: string; detail?: string; fix?: string } | undefined, status: string, detail: string, fix?: string): void {
  expect(r?.status).toBe(status);
  expect(r?.detail).toContain(detail);
  if (fix !== undefined) expect(r?.fix).toContain(fix);
}

interface ReadyBody {
  ok: boolean;
  ready: boolean;
  error?: string;
  failing: string[];
  checks: Array<{ name: string; status: string; detail?: string; fix?: string }>;
}

const address = () => inject('temporalAddress');
const taskQueue = `readiness-${randomBytes(4).toString('hex')}`;
const running: Array<{ bridge: RunningBridge; client: Client }> = [];

async function bridgeWith(options: { namespace?: string; codecKeys?: string; bridge?: Partial<BridgeConfig>; production?: boolean }, lines: string[] = []) {
  const keys = options.codecKeys ? parseKeyList(options.codecKeys).keys : [DEVELOPMENT_KEY];
  const client = await connectClient({ address: address(), namespace: options.namespace ?? inject('temporalNamespace'), taskQueue }, { keys });
  const base = loadBridgeConfig({});
  const bridge = await startBridge({
    config: {
      bridge: { ...base.bridge, port: 0, metrics: { enabled: true, host: '127.0.0.1', port: 0, stageCountTtlMs: 30_000 }, ...options.bridge },
      onboarding: { ...base.onboarding, production: options.production ?? false },
      temporal: { taskQueue },
    },
    client,
    logger: captureLogger(lines),
  });
  running.push({ bridge, client });
  return bridge;
}

async function readyz(bridge: RunningBridge): Promise<{ status: number; body: ReadyBody }> {
  const res = await request(`${bridge.url}/readyz`);
  return { status: res.statusCode, body: (await res.body.json()) as ReadyBody };
}

const gauge = async (bridge: RunningBridge, check: string, result: string) =>
  total((await scrape(`${bridge.metricsUrl}/metrics`)).samples, 'vobiz_startup_check', { check, result });

let workersClient: Client;
beforeAll(async () => {
  // What the workers wrote: the KYC sweep's schedule, its input encrypted with the development key.
  workersClient = await connectClient({ address: address(), namespace: inject('temporalNamespace'), taskQueue }, { keys: [DEVELOPMENT_KEY] });
  await ensureKycSweepSchedule(workersClient, { taskQueue, intervalMs: 3_600_000 });
});

afterAll(async () => {
  for (const { bridge, client } of running) {
    await bridge.close();
    await client.connection.close();
  }
  await workersClient?.schedule.getHandle(kycSweepScheduleId(taskQueue)).delete().catch(() => undefined);
  await workersClient?.connection.close();
});

describe('/readyz', () => {
  it('passes every check of a well-set bridge', async () => {
    const bridge = await bridgeWith({});
    const { status, body } = await readyz(bridge);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, ready: true, failing: [] });
    expect(body.checks.map((c) => [c.name, c.status])).toEqual([
      ['temporal', 'ok'],
      ['namespace', 'ok'],
      ['codec_keys', 'ok'],
      ['public_url', 'ok'],
      ['webhook_secret', 'ok'],
    ]);
    expect(await gauge(bridge, 'namespace', 'ok')).toBe(1);
  });

  it('answers 503 naming a namespace that does not exist, logs it at error once, and sets the gauge', async () => {
    const lines: string[] = [];
    const bridge = await bridgeWith({ namespace: `missing-${randomBytes(3).toString('hex')}` }, lines);
    const first = await readyz(bridge);
    await readyz(bridge);
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ ok: false, ready: false, error: 'not_ready', failing: ['namespace'] });
    const namespace = first.body.checks.find((c) => c.name === 'namespace');
    expectOutcome(namespace, 'fail', 'does not exist', 'TEMPORAL_NAMESPACE');
    expect(await gauge(bridge, 'namespace', 'fail')).toBe(1);
    expect(await gauge(bridge, 'namespace', 'ok')).toBe(0);
    // The start-up run and two probes: one error line, at the first failure.
    const errors = lines.filter((l) => l.includes('"level":"error"') && l.includes('Start-up check failed: namespace'));
    expect(errors).toHaveLength(1);
  });

  it('answers 503 naming the codec keys when they do not open what the workers wrote', async () => {
    const bridge = await bridgeWith({ codecKeys: newKeyLine('other-key') });
    const { status, body } = await readyz(bridge);
    expect(status).toBe(503);
    expect(body.failing).toEqual(['codec_keys']);
    expectOutcome(body.checks.find((c) => c.name === 'codec_keys'), 'fail', `the workers encrypt with key ${DEVELOPMENT_KEY.id}`, 'CODEC_KEYS');
  });

  it('stays ready but names a missing signing secret and a public URL Vobiz cannot reach in production', async () => {
    const bridge = await bridgeWith({ production: true, bridge: { webhookSecrets: [], webhookSecretSource: 'BRIDGE_WEBHOOK_SECRETS', publicUrl: 'http://127.0.0.1:8787' } });
    const { status, body } = await readyz(bridge);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: false, ready: true });
    expect(body.failing.sort()).toEqual(['public_url', 'webhook_secret']);
    expectOutcome(body.checks.find((c) => c.name === 'webhook_secret'), 'fail', 'every KYC webhook is refused', 'BRIDGE_WEBHOOK_SECRETS');
    expectOutcome(body.checks.find((c) => c.name === 'public_url'), 'fail', 'https', 'BRIDGE_PUBLIC_URL');
    // No secret in the answer: the bridge's API token and any signing secret never appear.
    const text = JSON.stringify(body);
    for (const secret of [...loadBridgeConfig({}).bridge.webhookSecrets, ...loadBridgeConfig({}).bridge.apiTokens]) expect(text).not.toContain(secret);
  });
});
