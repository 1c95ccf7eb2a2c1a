/**
 * Starting customer workflows: the rules behind both the start API (src/bridge) and the operator CLI (src/cli), so
 * both apply the same ones (one workflow per customerRef, conflicting inputs refused, no personal data in Temporal's
 * unencrypted metadata). Imports no HTTP code: the CLI talks to Temporal directly.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { workflowIdFor, type OnboardingInput } from '../workflows/input.js';
import { WORKFLOW_TYPE, statusQuery, type LifecycleState } from '../workflows/messages.js';
import { STAGE } from '../workflows/search-attributes.js';

/** Memo keys written at start. The memo holds a hash and a random nonce only, never the input itself. */
export const MEMO_FINGERPRINT = 'inputFingerprint';
export const MEMO_START_REQUEST = 'startRequestId';

interface StartSettings {
  taskQueue: string;
  webUiUrl: string;
}

export interface StartOutcome {
  workflowId: string;
  runId: string;
  customerRef: string;
  /** `started`: this request created the workflow; `existing`: it joined the one already running. */
  status: 'started' | 'existing';
  webUiUrl: string;
}

/** The customerRef already has a workflow that this request must not join. */
export class OnboardingConflictError extends Error {
  constructor(
    readonly workflowId: string,
    readonly reason: 'different_input' | 'already_closed',
  ) {
    super(
      reason === 'different_input'
        ? `${workflowId} is already running with a different onboarding input`
        : `${workflowId} has already completed; a finished customer is not onboarded again under the same customerRef`,
    );
    this.name = 'OnboardingConflictError';
  }
}

/** JSON with object keys sorted at every depth: the same input always serialises to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 of the validated input (defaults applied, amounts canonical — the schema normalises defaults too), so
 * `500` and `"500.00"` agree. The sealed password is left out: every seal of the same password differs (a fresh
 * ephemeral key), so a retried start would look like a conflict, and nothing here can open it to compare. A repeat
 * that differs only in its password therefore joins the running workflow, whose password stands.
 */
export function inputFingerprint(input: OnboardingInput): string {
  const { password: _sealed, ...customer } = input.customer;
  const canonical = canonicalJson({ ...input, customer });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** The Web UI page of one run (the UI needs the run ID: a workflow-ID-only path answers 400). */
export function webUiLink(webUiUrl: string, namespace: string, workflowId: string, runId: string): string {
  const base = `${webUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  return `${base}/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/**
 * Starts the customer's workflow, or joins the one already running for the same customerRef (USE_EXISTING).
 * Whether this call started it is told by the random start-request nonce in the memo; whether the caller sent the
 * same input is told by the fingerprint. A completed customer is not restarted (ALLOW_DUPLICATE_FAILED_ONLY):
 * only a failed, cancelled, terminated or timed-out run may be started again under its customerRef.
 */
export async function startOnboarding(client: Client, settings: StartSettings, input: OnboardingInput): Promise<StartOutcome> {
  const workflowId = workflowIdFor(input.customerRef);
  const fingerprint = inputFingerprint(input);
  const startRequestId = randomUUID();
  let handle;
  try {
    handle = await client.workflow.start(WORKFLOW_TYPE, {
      workflowId,
      taskQueue: settings.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      typedSearchAttributes: [{ key: STAGE, value: 'account' }],
      memo: { [MEMO_FINGERPRINT]: fingerprint, [MEMO_START_REQUEST]: startRequestId },
      staticSummary: `Vobiz onboarding ${input.customerRef}`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new OnboardingConflictError(workflowId, 'already_closed');
    throw err;
  }
  const description = await handle.describe();
  const memo = description.memo ?? {};
  const outcome = {
    workflowId,
    runId: description.runId,
    customerRef: input.customerRef,
    webUiUrl: webUiLink(settings.webUiUrl, client.options.namespace, workflowId, description.runId),
  };
  if (memo[MEMO_START_REQUEST] === startRequestId) return { ...outcome, status: 'started' };
  // A run that continued-as-new may carry no memo: nothing to compare, so the caller joins it.
  const existing = memo[MEMO_FINGERPRINT];
  if (typeof existing === 'string' && existing !== fingerprint) throw new OnboardingConflictError(workflowId, 'different_input');
  return { ...outcome, status: 'existing' };
}

export function getLifecycleState(client: Client, customerRef: string): Promise<LifecycleState> {
  return client.workflow.getHandle(workflowIdFor(customerRef)).query(statusQuery);
}
