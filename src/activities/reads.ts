/**
 * Vobiz reads for the bridge: one page each, straight from Vobiz (src/reads/vobiz-reads.ts), run as standalone
 * activities on the Vobiz task queue so they count against the partner's rate budget like every other call. They
 * change nothing, so a retry is always safe.
 */
import { NoCustomerAccountError, directReads } from '../reads/vobiz-reads.js';
import { callOptions, type ActivityDeps } from './deps.js';
import { failure, vobizCall } from './failures.js';
import type { VobizReadActivities } from './types.js';

export function readActivities({ vobiz }: Pick<ActivityDeps, 'vobiz'>): VobizReadActivities {
  const reads = () => directReads(vobiz, callOptions());
  const read = <T>(fn: () => Promise<T>): Promise<T> =>
    vobizCall(fn).catch((err: unknown) => {
      throw err instanceof NoCustomerAccountError ? failure('NoCustomerAccount', err.message) : err;
    });
  return {
    readTransactionPage: ({ authId, params }) => read(() => reads().transactions(authId, params)),
    readCdrPage: ({ authId, params }) => read(() => reads().cdrs(authId, params)),
    readNumberPage: ({ authId, params }) => read(() => reads().numbers(authId, params)),
    readInventoryPage: ({ params }) => read(() => reads().inventory(params)),
    readAccountBalance: ({ authId }) => read(() => reads().balance(authId)),
    readPartnerProfile: () => read(() => reads().partner()),
    readPartnerDashboard: () => read(() => reads().dashboard()),
  };
}
