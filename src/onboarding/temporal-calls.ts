/**
 * Calling Temporal from a request: every call gets a deadline (a webhook must be answered before Vobiz gives up,
 * and a caller deserves a 503 instead of a hang), and errors are sorted into "Temporal is unreachable" (retry later)
 * and everything else.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { STAGE } from '../workflows/search-attributes.js';

/** gRPC codes that mean "not now" rather than "no": CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const TRANSIENT_GRPC_CODES = new Set([1, 4, 8, 14]);

/** Runs `fn` with a gRPC deadline `ms` from now on every Temporal call it makes. */
export function withDeadline<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + ms, fn);
}

/**
 * True when `err` (or any cause) says Temporal could not be reached or did not answer in time. The client wraps
 * gRPC errors in ServiceError with the gRPC error as `cause`, so the whole cause chain is searched.
 */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)) return true;
    if (name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
    if (name === 'TransportError') return true;
  }
  return false;
}

/**
 * No worker answered a query or an update in time, though Temporal did: the worker is stopped (nothing polls the
 * customer's task queue) or stuck (it polls, and answered nothing). Temporal itself is fine: starting the worker, or
 * fixing it, is what helps.
 */
export class WorkerUnavailableError extends Error {
  constructor(
    readonly taskQueue: string,
    /** Seconds since a worker last polled the task queue, when one did lately (Temporal keeps a stopped one listed a while). */
    readonly lastPolledSecondsAgo?: number,
  ) {
    super(
      lastPolledSecondsAgo === undefined
        ? `no worker polls task queue ${taskQueue} (Temporal answered): start the worker (npm run worker; npm start runs one)`
        : `no worker answered in time (Temporal did): a worker last polled task queue ${taskQueue} ${lastPolledSecondsAgo} s ago; ` +
            'it has stopped since, or it is busy or stuck: start it, or see its logs',
    );
    this.name = 'WorkerUnavailableError';
  }
}

/** The customer's workflow has closed: nothing more can be done to it (offboarded, or failed before the failure policy). */
export class CustomerFinishedError extends Error {
  constructor(
    readonly customerRef: string,
    readonly stage: string | undefined,
    readonly closedAt: string | undefined,
  ) {
    super(`${customerRef} is finished: ${stage ?? 'its workflow closed'}${closedAt ? ` since ${closedAt}` : ''}; its workflow takes no more actions`);
    this.name = 'CustomerFinishedError';
  }
}

/** How long the checks below may take: each is one quick call that needs no worker. */
const CHECK_TIMEOUT_MS = 3_000;
/** A live worker polls at least this often (a long poll lasts about a minute); a poller older than this is gone. */
const LIVE_POLLER_MS = 90_000;
const WORKFLOW_TASK_QUEUE = proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;

/**
 * Why a query or update on `workflowId` failed, when the reason is not Temporal's: a closed workflow is
 * CustomerFinishedError (the update says only "not found"), and no answer in time while Temporal answers a describe
 * is WorkerUnavailableError. Anything else, or a check that fails too, is returned as it was: Temporal unreachable
 * stays that.
 */
export async function explainFailure(client: Client, customerRef: string, workflowId: string, err: unknown): Promise<unknown> {
  const notFound = err instanceof WorkflowNotFoundError;
  if (!notFound && !isTemporalUnavailable(err)) return err;
  try {
    return await withDeadline(client, CHECK_TIMEOUT_MS, async () => {
      const description = await client.workflow.getHandle(workflowId).describe();
      if (description.status.name !== 'RUNNING') {
        return new CustomerFinishedError(customerRef, description.typedSearchAttributes.get(STAGE), description.closeTime?.toISOString());
      }
      if (notFound) return err;
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: description.taskQueue },
        taskQueueType: WORKFLOW_TASK_QUEUE,
      });
      const lastPoll = Math.max(0, ...(pollers ?? []).map((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000));
      const ago = Date.now() - lastPoll;
      return new WorkerUnavailableError(description.taskQueue, ago < LIVE_POLLER_MS ? Math.max(0, Math.round(ago / 1000)) : undefined);
    });
  } catch {
    return err;
  }
}
