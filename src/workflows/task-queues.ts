/**
 * Task queue names, shared by the workflow (where it sends activities) and the worker (what it polls). Pure.
 *
 * Every Vobiz call runs on its own queue, `<customers' queue>-vobiz`, whose workers set
 * `maxTaskQueueActivitiesPerSecond` from VOBIZ_MAX_REQUESTS_PER_SECOND: Temporal then starts no more Vobiz
 * activities per second than the partner's budget, however many customers or workers there are and whatever burst
 * an outage leaves behind. Which queue an activity runs on is an activity option only, so moving activities here
 * needs no patch: running customers replay unchanged.
 */
export function vobizTaskQueue(workflowTaskQueue: string): string {
  return `${workflowTaskQueue}-vobiz`;
}
