/**
 * What a start-up check reports: its name (a closed list, so it can label a metric), a result, what it found and,
 * when it is not ok, the fix. Plain data and no imports: the worker-checks workflow carries these as its result.
 * Details and fixes never hold a secret: they name variables, key ids, hosts and HTTP statuses, never values.
 */

export type CheckName =
  /** Temporal answers this process's connection. */
  | 'temporal'
  /** The namespace exists and has the Vobiz* search attributes the workflows write. */
  | 'namespace'
  /** The KYC sweep's schedule exists and is not paused. */
  | 'kyc_sweep_schedule'
  /** Workers poll both task queues (the doctor's view). */
  | 'workers'
  /** The partner credentials authenticate at Vobiz (a cheap read through the project's client). */
  | 'vobiz_credentials'
  /** The codec keys encrypt and decrypt, and open what the workers wrote. */
  | 'codec_keys'
  /** The worker's secrets private keys open what the edges seal. */
  | 'secrets_keys'
  /** The bridge's public URL has a shape Vobiz can post KYC webhooks to. */
  | 'public_url'
  /** The bridge has a webhook signing secret (or takes unsigned deliveries on purpose). */
  | 'webhook_secret'
  /** The worker's V8 heap limit is the one its memory budget derives (its Node options at launch). */
  | 'heap_limit';

/** `warn`: works, but someone should know (a paused sweep, unsigned deliveries taken); `skipped`: what it needs failed. */
export const CHECK_STATUSES = ['ok', 'warn', 'fail', 'skipped'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface CheckResult {
  name: CheckName;
  status: CheckStatus;
  /** What was found, in a few words. */
  detail: string;
  /** What to do about a `fail` or `warn`. */
  fix?: string;
}

/** The checks a worker ran for the doctor (the worker-checks workflow's result), and which worker ran them. */
export interface WorkerCheckReport {
  /** `<pid>@<host>`, as the SDK names its pollers. */
  worker: string;
  results: CheckResult[];
}

/** What the doctor sends the worker: a value sealed with the doctor's SECRETS_PUBLIC_KEY, for the worker to open. */
export interface WorkerCheckRequest {
  sealedProbe?: string;
}

export const WORKER_CHECKS_WORKFLOW_TYPE = 'workerChecks';
