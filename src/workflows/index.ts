// The workflows this worker runs. Workflow code only: the bundler starts here.
export { customerLifecycle } from './lifecycle.js';
export { kycSweep } from './kyc-sweep.js';
export { accountClaim } from './account-claim.js';
export { workerChecks } from './worker-checks.js';
