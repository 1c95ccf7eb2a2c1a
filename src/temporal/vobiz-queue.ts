/** The rate budget to Vobiz, as worker options of the Vobiz task queue (src/workflows/task-queues.ts). */
import type { WorkerOptions } from '@temporalio/worker';

/**
 * The Vobiz queue's limits from the rate budget: activity starts per second across the fleet, and this worker's
 * concurrency capped at twice the budget. An activity can make several requests, so without the cap started
 * activities would queue inside this process for the client's budget while their startToCloseTimeout runs; with it
 * the backlog waits in Temporal's queue, which has no timeout.
 */
export function vobizQueueLimits(
  maxRequestsPerSecond: number | undefined,
  maxConcurrentActivities: number,
): Pick<WorkerOptions, 'maxTaskQueueActivitiesPerSecond' | 'maxConcurrentActivityTaskExecutions'> {
  if (!maxRequestsPerSecond) return { maxConcurrentActivityTaskExecutions: maxConcurrentActivities };
  return {
    maxTaskQueueActivitiesPerSecond: maxRequestsPerSecond,
    maxConcurrentActivityTaskExecutions: Math.max(1, Math.min(maxConcurrentActivities, Math.ceil(2 * maxRequestsPerSecond))),
  };
}
