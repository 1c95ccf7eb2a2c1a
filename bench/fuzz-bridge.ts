/**
 * `npm run fuzz:bridge [-- --deliveries 100000 --concurrency 8 --seed N]`: the bridge's property test at scale.
 * A Temporal dev server (temp SQLite file, free ports), the bridge as its own process (`src/bridge/main.ts`, as
 * `npm run bridge` runs it), and a worker running the bridge's fixture workflows, which record every event taken in.
 * Then the fuzzer's generators (test/support/bridge-fuzz.ts) send batches of deliveries (duplicated, reordered,
 * two to `--concurrency` at once) and the run reports crashes (5xx other than 503, or a dropped connection),
 * wrong answers, wrong deliveries (an event no delivery justifies or taken in twice, or a justified one missing), and the bridge
 * process's RSS at start, after warm-up and at the end. Exit 0 only with no crash, wrong answer or wrong signal.
 * Not part of `npm test`: it takes minutes.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Command, InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { request } from 'undici';
import { FAILURE_CONVERTER_PATH, createDataConverter } from '../src/codec/data-converter.js';
import { DEVELOPMENT_KEY } from '../src/codec/keys.js';
import { freePort, httpOk, killAllPiecesNow, Piece } from '../dev/pieces.js';
import { startDevServer } from '../dev/dev-server.js';
import { connectClient } from '../src/temporal/connection.js';
import { statusQuery, type KycEventSignal } from '../src/workflows/messages.js';
import { fixtureAuthId, receivedSignalsQuery } from '../test/fixtures/bridge-workflows.js';
import { KYC_WEBHOOK_PATH, answerProblems, deliveryBatchArbitrary, signalProblems, wasDelivered, type Answer, type Delivery, type FuzzTarget } from '../test/support/bridge-fuzz.js';

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};
const opts = new Command('fuzz:bridge')
  .description('Sends fuzzed KYC webhook deliveries to a real bridge process and checks every answer and signal.')
  .option('--deliveries <n>', 'deliveries to send', positive, 100_000)
  .option('--concurrency <n>', 'requests in flight at once', positive, 8)
  .option('--targets <n>', 'running fixture workflows the deliveries aim at', positive, 24)
  .option('--seed <n>', 'fast-check seed (default: random, printed)', (v) => Number.parseInt(v, 10))
  .parse()
  .opts<{ deliveries: number; concurrency: number; targets: number; seed?: number }>();

const SECRETS = ['fuzz-partner-token', 'fuzz-previous-token'];
const MAX_BODY_BYTES = 8 * 1024;
const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
const dataDir = mkdtempSync(join(tmpdir(), 'fuzz-bridge-'));
const log = (line: string) => process.stdout.write(`${line}\n`);
process.once('exit', killAllPiecesNow);

const [grpcPort, uiPort, bridgePort] = [await freePort(), await freePort(), await freePort()];
log(`fuzz:bridge: ${opts.deliveries} deliveries, concurrency ${opts.concurrency}, seed ${seed}, state in ${dataDir}`);
const devServer = await startDevServer({ dataDir, port: grpcPort, uiPort, namespace: 'default', logLevel: 'error', output: createWriteStream(join(dataDir, 'temporal.log')) });

const taskQueue = 'fuzz-bridge';
const codec = { keys: [DEVELOPMENT_KEY] };
Runtime.install({ logger: new DefaultLogger('ERROR') });
const connection = await NativeConnection.connect({ address: devServer.address });
const worker = await Worker.create({
  connection,
  namespace: 'default',
  taskQueue,
  workflowBundle: await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../test/fixtures/bridge-workflows.ts', import.meta.url)),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
  }),
  dataConverter: createDataConverter(codec),
});
const workerRun = worker.run();
const client = await connectClient({ address: devServer.address, namespace: 'default', taskQueue }, codec);

const run = seed.toString(36);
const target = (customerRef: string): FuzzTarget => ({ customerRef, workflowId: `customer-${customerRef}`, authId: fixtureAuthId(customerRef) });
const targets = Array.from({ length: opts.targets }, (_, i) => target(`fuzz-${run}-${i}`));
const ghost = target(`fuzz-${run}-ghost`);
for (const t of targets) {
  await client.workflow.start('customerLifecycle', { workflowId: t.workflowId, taskQueue, args: [{ customerRef: t.customerRef }] });
  await client.workflow.getHandle(t.workflowId).query(statusQuery);
}

const { CODEC_KEYS: _k, CODEC_KEYS_FILE: _f, ...baseEnv } = process.env;
const bridgeUrl = `http://127.0.0.1:${bridgePort}`;
const bridge = new Piece({
  name: 'bridge',
  entry: 'src/bridge/main.ts',
  output: join(dataDir, 'bridge.log'),
  env: {
    ...baseEnv,
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    BRIDGE_HOST: '127.0.0.1',
    BRIDGE_PORT: String(bridgePort),
    BRIDGE_METRICS: 'false', // its own listener on a fixed port otherwise
    BRIDGE_API_TOKENS: 'fuzz-api-token',
    BRIDGE_WEBHOOK_SECRETS: SECRETS.join(','),
    BRIDGE_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    // The fuzzer aims thousands of deliveries at a few customers: the per-customer rate limit is not under test here.
    BRIDGE_WEBHOOK_CUSTOMER_BURST: '1000000',
  },
  ready: () => httpOk(`${bridgeUrl}/healthz`),
});
await bridge.start();
const rssAtStart = bridge.rssKb();

async function deliver(d: Delivery): Promise<Answer | Error> {
  try {
    const res = await request(`${bridgeUrl}${KYC_WEBHOOK_PATH}`, { method: 'POST', body: d.body, headers: d.headers });
    const text = await res.body.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: reported as text
    }
    return { status: res.statusCode, body };
  } catch (err) {
    return err as Error;
  }
}

const arbitrary = deliveryBatchArbitrary(targets, ghost, { accepted: SECRETS, maxBodyBytes: MAX_BODY_BYTES }, 30);
const counts = { sent: 0, crashes: 0, wrongAnswers: 0, delivered: 0, unavailable: 0, byLabel: new Map<string, number>() };
const examples: string[] = [];
/** Only what the delivery check needs: deliveries carrying an event, and any answered as delivered (no bodies). */
const eventExchanges: { d: Delivery; a: Answer }[] = [];
const warmUpAt = Math.min(5_000, Math.floor(opts.deliveries / 10));
let rssAfterWarmUp: number | undefined;
const started = Date.now();
let lastReport = started;
let batchSeed = seed;

while (counts.sent < opts.deliveries) {
  const batches = fc.sample(arbitrary, { numRuns: 20, seed: batchSeed++ });
  const queue = batches.flat().slice(0, opts.deliveries - counts.sent);
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const a = await deliver(d);
        counts.sent++;
        counts.byLabel.set(d.label.split(':')[0]!, (counts.byLabel.get(d.label.split(':')[0]!) ?? 0) + 1);
        if (a instanceof Error) {
          counts.crashes++;
          if (examples.length < 10) examples.push(`${d.label}: request failed (${a.message})`);
          continue;
        }
        const problems = answerProblems(d, a);
        if (a.status >= 500 && a.status !== 503) counts.crashes++;
        else if (problems.length > 0) counts.wrongAnswers++;
        if (problems.length > 0 && examples.length < 10) examples.push(...problems);
        if (a.status === 503) counts.unavailable++;
        if (wasDelivered(a)) counts.delivered++;
        if (wasDelivered(a) || ['signal', 'refused', 'either'].includes(d.expect.kind)) {
          eventExchanges.push({ d: { ...d, body: Buffer.alloc(0), headers: {} }, a: { status: a.status, body: a.body } });
        }
        if (rssAfterWarmUp === undefined && counts.sent >= warmUpAt) rssAfterWarmUp = bridge.rssKb();
      }
    }),
  );
  if (Date.now() - lastReport > 10_000) {
    lastReport = Date.now();
    log(`  ${counts.sent} sent, ${counts.delivered} delivered, ${counts.crashes} crashes, ${counts.wrongAnswers} wrong answers, bridge RSS ${Math.round((bridge.rssKb() ?? 0) / 1024)} MiB (${Math.round(counts.sent / ((Date.now() - started) / 1000))}/s)`);
  }
}
const rssAtEnd = bridge.rssKb();
const elapsedS = (Date.now() - started) / 1000;

const received = new Map<string, KycEventSignal[]>();
for (const t of targets) received.set(t.workflowId, await client.workflow.getHandle(t.workflowId).query(receivedSignalsQuery));
const wrongSignals = signalProblems(eventExchanges, received);

const mib = (kb: number | undefined) => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(1)} MiB`);
log('');
log(`deliveries      ${counts.sent} in ${elapsedS.toFixed(0)} s (${Math.round(counts.sent / elapsedS)}/s), seed ${seed}`);
log(`  by kind       ${[...counts.byLabel].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
log(`delivered       ${counts.delivered} (events taken in by the workflows: ${[...received.values()].reduce((n, xs) => n + xs.length, 0)})`);
log(`503 (Temporal slow: the documented answer; Vobiz retries) ${counts.unavailable}`);
log(`crashes         ${counts.crashes}`);
log(`wrong answers   ${counts.wrongAnswers}`);
log(`wrong deliveries ${wrongSignals.length}`);
log(`bridge RSS      start ${mib(rssAtStart)}, after ${warmUpAt} deliveries ${mib(rssAfterWarmUp)}, end ${mib(rssAtEnd)}`);
for (const line of [...examples, ...wrongSignals.slice(0, 10)]) log(`  ${line}`);

for (const t of targets) await client.workflow.getHandle(t.workflowId).terminate('fuzz run done').catch(() => undefined);
await bridge.stop();
bridge.close();
await client.connection.close();
worker.shutdown();
await workerRun;
await connection.close();
await devServer.stop();
const ok = counts.crashes === 0 && counts.wrongAnswers === 0 && wrongSignals.length === 0;
if (ok) rmSync(dataDir, { recursive: true, force: true });
else log(`logs kept in ${dataDir}`);
process.exit(ok ? 0 : 1);
