/**
 * Asking a worker for its checks now (the doctor, `npm start`'s banner): a short `workerChecks` workflow on the
 * customers' task queue, whose one activity runs the worker's start-up checks (src/checks/worker.ts) and answers.
 * Its input carries a value sealed with the asker's SECRETS_PUBLIC_KEY, so the answer also says whether the
 * worker's private keys open what this edge seals. No answer in time is a finding too: the workflow's history
 * tells a worker that cannot decode the request (other CODEC_KEYS) from one that does not run the workflow.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { UnknownEncryptionKeyError } from '../codec/encryption-codec.js';
import { sealSecret } from '../secrets/index.js';
import type { SealingKey } from '../secrets/keys.js';
import { CHECK_SEAL_PURPOSE, CHECK_SEALED_TEXT } from './keys.js';
import { WORKER_CHECKS_WORKFLOW_TYPE, type WorkerCheckReport, type WorkerCheckRequest } from './results.js';
import { errorText } from './run.js';

type WorkerProbe = { kind: 'answered'; report: WorkerCheckReport } | { kind: 'no_answer'; detail: string; fix: string };

interface WorkerProbeOptions {
  /** The public key this edge seals with (SECRETS_PUBLIC_KEY): the worker says whether its private keys open it. */
  sealingKey?: SealingKey;
  /** How long to wait for a worker's answer (default 20 s: a busy worker takes a few seconds). */
  timeoutMs?: number;
}

const START_A_WORKER = 'start a worker of this build on that task queue (npm run worker; npm start runs one)';
const SAME_KEYS = 'give the worker and this process the same CODEC_KEYS (docs/codec.md)';

export async function askWorkerForChecks(client: Client, taskQueue: string, { sealingKey, timeoutMs = 20_000 }: WorkerProbeOptions = {}): Promise<WorkerProbe> {
  const request: WorkerCheckRequest = sealingKey ? { sealedProbe: sealSecret(CHECK_SEALED_TEXT, sealingKey, CHECK_SEAL_PURPOSE) } : {};
  const handle = await client.workflow.start(WORKER_CHECKS_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: `worker-checks-${randomUUID()}`,
    args: [request],
    // Gone by itself if nobody answers: it holds nothing.
    workflowExecutionTimeout: Math.max(60_000, timeoutMs * 2),
    staticSummary: 'Start-up checks asked for by the doctor',
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const answer = await Promise.race([handle.result() as Promise<WorkerCheckReport>, timedOut]);
    if (answer !== 'timeout') return { kind: 'answered', report: answer };
  } catch (err) {
    return { kind: 'no_answer', detail: `the worker's check run failed: ${errorText(err)}`, fix: START_A_WORKER };
  } finally {
    clearTimeout(timer);
  }
  const why = await whyNoAnswer(client, handle.workflowId);
  await handle.terminate('no worker answered the start-up checks in time').catch(() => undefined);
  return { kind: 'no_answer', ...why };
}

/** What the unanswered workflow's history says: a workflow task that failed, and whether this process can read why. */
async function whyNoAnswer(client: Client, workflowId: string): Promise<{ detail: string; fix: string }> {
  const seconds = 'no worker answered on the task queue in time';
  let events;
  try {
    ({ events } = await client.workflow.getHandle(workflowId).fetchHistory());
  } catch {
    return { detail: seconds, fix: START_A_WORKER };
  }
  const failed = [...(events ?? [])].reverse().find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure;
  if (!failed) return { detail: `${seconds} (none took its task)`, fix: START_A_WORKER };
  const encoded = failed.encodedAttributes;
  if (!encoded) return { detail: `a worker failed the task: ${failed.message ?? 'no message'}`, fix: START_A_WORKER };
  try {
    let payloads: Payload[] = [encoded];
    for (const codec of [...client.options.loadedDataConverter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    const { message } = JSON.parse(Buffer.from(payloads[0]?.data ?? []).toString('utf8')) as { message?: string };
    return { detail: `a worker failed the task: ${errorText(message ?? 'no message')}`, fix: /key/i.test(message ?? '') ? SAME_KEYS : START_A_WORKER };
  } catch (err) {
    if (err instanceof UnknownEncryptionKeyError) {
      return { detail: `a worker failed the task and encrypted why under key ${err.keyId}, which this process does not hold: the worker's CODEC_KEYS differ from these`, fix: SAME_KEYS };
    }
    return { detail: `a worker failed the task (its reason unreadable here: ${errorText(err)})`, fix: SAME_KEYS };
  }
}
