/**
 * Customer workflow IDs: `customer-<customerRef>`, derived from the partner's own reference only, never from
 * personal data. Pure: used by the workflow, the edges and the activities.
 */
const CUSTOMER_WORKFLOW_PREFIX = 'customer-';

export function workflowIdFor(customerRef: string): string {
  return `${CUSTOMER_WORKFLOW_PREFIX}${customerRef}`;
}

/** The customerRef a customer workflow ID was made from (the ID itself if it is not one). */
export function customerRefOf(workflowId: string): string {
  return workflowId.startsWith(CUSTOMER_WORKFLOW_PREFIX) ? workflowId.slice(CUSTOMER_WORKFLOW_PREFIX.length) : workflowId;
}
