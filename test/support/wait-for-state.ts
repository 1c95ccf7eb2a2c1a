/**
 * Waiting on a real lifecycle workflow through its status query. No vitest import, so scripts (record-histories)
 * use it too.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery, type LifecycleState, type Stage } from '../../src/workflows/messages.js';

/** Polls the status query until `predicate` holds (the workflow is real; its progress takes real seconds). */
export async function waitForState(
  handle: WorkflowHandle,
  predicate: (state: LifecycleState) => boolean,
  { timeoutMs = 60_000, what = 'state' }: { timeoutMs?: number; what?: string } = {},
): Promise<LifecycleState> {
  const deadline = Date.now() + timeoutMs;
  let last: LifecycleState | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
      if (predicate(last)) return last;
    } catch {
      // not started yet, or no worker to answer right now
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last)}`);
}

export const atStage = (stage: Stage) => (s: LifecycleState) => s.stage === stage;
