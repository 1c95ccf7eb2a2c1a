// The real `temporal` CLI with `--codec-endpoint` pointed at our codec server and `--codec-auth` carrying its token:
// `workflow query` (whose empty argument list the CLI posts as `{}` to /encode) and `workflow show` print decrypted
// payloads, while the same commands without the codec see only ciphertext, and without the token get nothing
// decoded. A real Temporal, a worker (fixture workflow) to answer the query.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { startCodecServer, type CodecServer } from '../../src/codec/server.js';
import { temporalCliPath } from '../../dev/temporal-binaries.js';
import { createLogger } from '../../src/logging.js';
import { WORKFLOW_TYPE } from '../../src/workflows/messages.js';
import { startBridgeHarness, type BridgeHarness } from '../fixtures/bridge-harness.js';

const example = JSON.parse(readFileSync(new URL('../../examples/onboarding.json', import.meta.url), 'utf8')) as { customer: { email: string } };

let h: BridgeHarness;
let codec: CodecServer;
const customerRef = `tcli-${randomBytes(4).toString('hex')}`;
const email = `temporal.cli.${randomBytes(3).toString('hex')}@example.com`;
const CODEC_TOKEN = randomBytes(32).toString('hex');
const codecArgs = () => ['--codec-endpoint', codec.url, '--codec-auth', `Bearer ${CODEC_TOKEN}`];

function temporal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const connection = ['--address', inject('temporalAddress'), '--namespace', h.server.namespace];
  return new Promise((resolve) => {
    execFile(temporalCliPath(), [...args, ...connection], { timeout: 60_000, env: { ...process.env, TEMPORAL_CLI_SHOW_STACKS: '' } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  [h, codec] = await Promise.all([
    startBridgeHarness(),
    startCodecServer({ host: '127.0.0.1', port: 0, keys: [DEVELOPMENT_KEY], token: CODEC_TOKEN, corsOrigins: [], logger: createLogger({ level: 'silent' }) }),
  ]);
  const handle = await h.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: h.taskQueue,
    workflowId: `customer-${customerRef}`,
    args: [{ ...example, customerRef, customer: { ...example.customer, email } }],
  });
  // The first workflow task has run once the query answers through the SDK (encrypted both ways).
  await handle.query('status');
});
afterAll(async () => {
  await h?.close();
  await codec?.close();
});

describe('temporal CLI with --codec-endpoint', () => {
  it('workflow query --name status prints the decoded state', async () => {
    const run = await temporal(['workflow', 'query', '--workflow-id', `customer-${customerRef}`, '--name', 'status', ...codecArgs(), '-o', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as { queryResult: Array<{ customerRef: string; stage: string }> };
    expect(answer.queryResult[0]).toMatchObject({ customerRef, stage: 'kyc' });

    const without = await temporal(['workflow', 'query', '--workflow-id', `customer-${customerRef}`, '--name', 'status', '-o', 'json']);
    expect(without.stdout).not.toContain(customerRef);
  });

  it('workflow show prints the decoded input; without the codec the e-mail is nowhere', async () => {
    const startedInput = (stdout: string) => {
      const history = JSON.parse(stdout) as { events: Array<{ workflowExecutionStartedEventAttributes?: { input: { payloads: Array<{ metadata: Record<string, string>; data: string }> } } }> };
      const [payload] = history.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads;
      return { encoding: Buffer.from(payload!.metadata.encoding!, 'base64').toString(), data: Buffer.from(payload!.data, 'base64').toString() };
    };
    const run = await temporal(['workflow', 'show', '--workflow-id', `customer-${customerRef}`, ...codecArgs(), '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const decoded = startedInput(run.stdout);
    expect(decoded.encoding).toBe('json/plain');
    expect(JSON.parse(decoded.data)).toMatchObject({ customerRef, customer: { email } });

    const without = await temporal(['workflow', 'show', '--workflow-id', `customer-${customerRef}`, '-o', 'json']);
    expect(without.code, without.stderr).toBe(0);
    const raw = startedInput(without.stdout);
    expect(raw.encoding).toBe('binary/encrypted');
    expect(raw.data).not.toContain(email);

    // The codec endpoint without its token decodes nothing: the CLI sends no Origin, so it must authenticate.
    const noToken = await temporal(['workflow', 'show', '--workflow-id', `customer-${customerRef}`, '--codec-endpoint', codec.url, '-o', 'json']);
    expect(noToken.stdout + noToken.stderr).not.toContain(email);
  });
});
