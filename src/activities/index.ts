/**
 * All activities of the customer lifecycle, built from their dependencies (one file per Vobiz capability).
 * The worker registers the result; workflows import only the types in ./types.ts.
 */
import { accountActivities } from './accounts.js';
import { alertActivities } from './alerts.js';
import type { ActivityDeps } from './deps.js';
import { fundingActivities } from './funding.js';
import { kycActivities } from './kyc.js';
import { telephonyActivities } from './telephony.js';
import type { LifecycleActivities } from './types.js';
import { usageActivities } from './usage.js';

export type { ActivitySettings } from './deps.js';

export function createActivities(deps: ActivityDeps): LifecycleActivities {
  return {
    ...accountActivities(deps),
    ...fundingActivities(deps),
    ...kycActivities(deps),
    ...telephonyActivities(deps),
    ...usageActivities(deps),
    ...alertActivities(deps),
  };
}
