/**
 * Re-records the replay histories in test/histories/ from real runs: each main path of the customer lifecycle
 * runs on a Temporal dev server this script starts (the CLI from .tools, never a download), with the real
 * activities against a fresh sandbox, through the encrypting data converter (development key). Each closed run's
 * history is written as Temporal's JSON history format, and test/histories/manifest.json lists the file, the
 * workflow ID the replayer must be given and what the path covers.
 *
 *   npx tsx scripts/record-histories.ts            # all paths
 *   npx tsx scripts/record-histories.ts expired    # only the named path(s)
 *
 * When to re-record: see docs/testing.md. Never re-record to make a failing replay test pass: a replay failure
 * means the workflow change needs `patched()`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Client, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { createDataConverter } from '../src/codec/data-converter.js';
import { DEVELOPMENT_KEY } from '../src/codec/keys.js';
import { DEVELOPMENT_SEALING_KEY, DEVELOPMENT_SECRETS_KEY } from '../src/secrets/keys.js';
import { DEVELOPMENT_ACCOUNT_CLAIM_KEY } from '../src/temporal/account-claims.js';
import { sealSecret } from '../src/secrets/seal.js';
import { PROJECT_ROOT, temporalCliPath } from '../dev/temporal-binaries.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/testing.js';
import { VobizClient } from '../src/vobiz/index.js';
import { startTracing, type Tracing } from '../src/tracing/provider.js';
import { TRACING_WORKFLOW_MODULE, tracingClientInterceptors } from '../src/tracing/temporal.js';
import { createLifecycleWorkers, type LifecycleWorkers } from '../src/worker/lifecycle-workers.js';
import { waitForState } from '../test/support/wait-for-state.js';
import { customerRefOf, workflowIdFor, type OnboardingRequest } from '../src/workflows/input.js';
import type { customerLifecycle } from '../src/workflows/lifecycle.js';
import {
  handOverAccountUpdate,
  kycEventSignal,
  kycEventUpdate,
  kycEventUpdateId,
  offboardUpdate,
  purchaseNumberUpdate,
  releaseNumberUpdate,
  retryUpdate,
  revokeKycUpdate,
  type KycEventType,
} from '../src/workflows/messages.js';
import { SEARCH_ATTRIBUTES } from '../src/workflows/search-attributes.js';

const HISTORIES = join(PROJECT_ROOT, 'test', 'histories');
const PARTNER_TOKEN = 'test-partner-token';
const WORKFLOWS_PATH = join(PROJECT_ROOT, 'src', 'workflows', 'index.ts');

/**
 * Temporal's JSON history format (what `temporal workflow show --output json` prints). Not the SDK's
 * `historyToJSON`: in this install @temporalio/common and @temporalio/proto each carry their own copy of
 * protobufjs, and its protojson rejects the other copy's types ("type must be a Type"). So the protojson used here
 * is resolved from @temporalio/proto itself, the copy that built the History type.
 */
function historyToJson(history: History): string {
  const fromCommon = createRequire(createRequire(import.meta.url).resolve('@temporalio/common'));
  const proto = fromCommon('@temporalio/proto') as { temporal: { api: { history: { v1: { History: { fromObject(o: unknown): unknown } } } } } };
  const { patchProtobufRoot } = fromCommon('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot: (root: unknown) => { lookupType(name: string): unknown } };
  const protojson = createRequire(fromCommon.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as { toJson(type: unknown, message: unknown): unknown };
  const historyType = patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History');
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

export interface ManifestEntry {
  /** File name under test/histories/. */
  file: string;
  workflowId: string;
  /** What the history covers, for people and for the replay test's coverage checks. */
  path: string;
  recordedAt: string;
}

type Lifecycle = WorkflowHandleWithFirstExecutionRunId<typeof customerLifecycle>;

interface Ctx {
  client: Client;
  sandbox: TestSandbox;
  vobiz: VobizClient;
  taskQueue: string;
  start: (name: string, overrides?: Partial<OnboardingRequest> & { customerEmail?: string; customerCountry?: string }) => Promise<Lifecycle>;
}

/** Each path drives one customer to a closed run; returns the runs to record (most paths have one). */
/** A path marked `traced` runs on workers and a client with the tracing interceptors (as with OTEL_* set). */
const PATHS: Record<string, { path: string; traced?: true; run: (ctx: Ctx) => Promise<{ handle: Lifecycle; runIds: string[] }> }> = {
  'kyc-completed': {
    path: 'account, funding, KYC completed (webhook hint), trunk and number, a usage poll, offboarded (number released, trunk disabled)',
    async run({ start, sandbox }) {
      const handle = await start('completed', { telephony: { trunk: { name: 'Primary trunk' }, number: { country: 'IN' } } });
      const session = await openSession(handle, 1);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(handle, session, 'kyc.completed');
      await waitForState(handle, (s) => s.stage === 'active' && s.usage?.last !== undefined, { what: 'active with a usage poll' });
      return offboard(handle, 'Contract ended');
    },
  },
  'kyc-completed-sealed': {
    path: 'the customer password sealed (sealed:v1, development secrets key) in the input: account, funding, KYC completed, trunk, active, offboarded',
    async run({ start, sandbox }) {
      const handle = await start('sealed');
      const session = await openSession(handle, 1);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(handle, session, 'kyc.completed');
      await waitForState(handle, (s) => s.stage === 'active', { what: 'active' });
      return offboard(handle, 'Contract ended');
    },
  },
  'kyc-failed-retried': {
    path: 'KYC attempt 1 failed, attempt 2 completed, active, offboarded',
    async run({ start, sandbox }) {
      const handle = await start('failed-retried');
      const first = await openSession(handle, 1);
      await sandbox.admin.failKyc(first, 'PAN verification failed');
      await hint(handle, first, 'kyc.failed');
      const second = await openSession(handle, 2);
      await sandbox.admin.completeKyc(second, { pan: 'ABCPE1234K' });
      await hint(handle, second, 'kyc.completed');
      await waitForState(handle, (s) => s.stage === 'active', { what: 'active' });
      return offboard(handle, 'Contract ended');
    },
  },
  'kyc-expired': {
    path: 'KYC session expired at Vobiz (sandbox clock advanced past expires_at), maxAttempts 1, kyc_expired, offboarded by an operator',
    async run({ start, sandbox }) {
      const handle = await start('expired', { kyc: { expiresInDays: 14, maxAttempts: 1, pollInterval: '2 seconds' } });
      const session = await openSession(handle, 1);
      await sandbox.admin.advanceClock(14 * 86_400 + 60);
      await hint(handle, session, 'kyc.session_expired');
      await waitForState(handle, (s) => s.stage === 'kyc_expired', { what: 'kyc_expired' });
      return offboard(handle, 'KYC never completed');
    },
  },
  'kyc-revoked': {
    path: 'operator revokeKyc update while the session is open, kyc_revoked, offboarded',
    async run({ start }) {
      const handle = await start('revoked');
      await openSession(handle, 1);
      await handle.executeUpdate(revokeKycUpdate, { args: [{ reason: 'Documents look forged' }] });
      await waitForState(handle, (s) => s.stage === 'kyc_revoked', { what: 'kyc_revoked' });
      return offboard(handle, 'Fraud suspected');
    },
  },
  'offboarded-during-kyc': {
    path: 'offboard update while waiting for KYC: the open session revoked, offboarded',
    async run({ start }) {
      const handle = await start('offboarded');
      await openSession(handle, 1);
      return offboard(handle, 'Customer withdrew');
    },
  },
  'monitoring-continued-as-new': {
    path: 'active with pollsPerRun 2: the first run ends in continue-as-new, the second run is offboarded',
    async run({ start, sandbox }) {
      const handle = await start('continued', { monitoring: { cdrPollInterval: '1 second', pollsPerRun: 2, lowBalanceThreshold: '100' } });
      const session = await openSession(handle, 1);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(handle, session, 'kyc.completed');
      const active = await waitForState(handle, (s) => s.stage === 'active', { what: 'active' });
      await sandbox.admin.traffic({ account_auth_id: active.authId!, calls: 4, mix: { answered: 3, failed: 1 } });
      await waitForState(handle, (s) => (s.usage?.runs ?? 0) >= 2, { what: 'second run' });
      const { handle: closed, runIds } = await offboard(handle, 'Contract ended');
      return { handle: closed, runIds: [handle.firstExecutionRunId, ...runIds.filter((id) => id !== handle.firstExecutionRunId)] };
    },
  },
};

/**
 * Paths of the failure policy and the bounded KYC wait (recorded with the patches they introduced, so the new
 * branches are covered next to the histories recorded before them).
 */
Object.assign(PATHS, {
  'blocked-retried': {
    path: 'account creation blocked (the e-mail belongs to another Vobiz account), operator retry with a corrected e-mail, KYC completed, active, offboarded (balance read)',
    async run({ start, sandbox, vobiz }: Ctx) {
      const email = `taken-${Date.now().toString(36)}@example.com`;
      await vobiz.createAccount({ name: 'Someone Else', email, phone: '+919811111111', password: 'Other-Pass1!', country: 'IN' });
      const handle = await start('blocked', { customerEmail: email });
      await waitForState(handle, (s) => s.stage === 'blocked', { what: 'blocked' });
      await handle.executeUpdate(retryUpdate, { args: [{ customer: { email: `fixed-${email}` } }] });
      const session = await openSession(handle, 1);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(handle, session, 'kyc.completed');
      await waitForState(handle, (s) => s.stage === 'active', { what: 'active' });
      return offboard(handle, 'Contract ended');
    },
  },
  'credentials-restored': {
    path: 'partner token rotated while parked in KYC: the poll stalls on credentials (VobizStalled), the token comes back, KYC completed, active, offboarded',
    async run({ start, sandbox }: Ctx) {
      const handle = await start('credentials');
      const session = await openSession(handle, 1);
      await sandbox.admin.rotatePartnerToken('rotated-token-the-worker-does-not-have');
      await waitForState(handle, (s) => s.stall?.kind === 'credentials', { what: 'stalled on credentials' });
      await sandbox.admin.rotatePartnerToken(PARTNER_TOKEN);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(handle, session, 'kyc.completed');
      await waitForState(handle, (s) => s.stage === 'active', { what: 'active', timeoutMs: 120_000 });
      return offboard(handle, 'Contract ended');
    },
  },
  'kyc-continued-as-new': {
    path: 'parked in KYC with pollsPerRun 2: runs continue-as-new with the session open (no second session), KYC completed in a later run, active, offboarded',
    async run({ start, sandbox, client }: Ctx) {
      const handle = await start('kyc-can', { kyc: { expiresInDays: 14, pollInterval: '1 second', pollsPerRun: 2 } });
      const session = await openSession(handle, 1);
      const latest = client.workflow.getHandle<typeof customerLifecycle>(handle.workflowId);
      for (let i = 0; i < 120 && (await latest.describe()).runId === handle.firstExecutionRunId; i++) await new Promise((r) => setTimeout(r, 250));
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(latest as Lifecycle, session, 'kyc.completed');
      await waitForState(latest, (s) => s.stage === 'active', { what: 'active' });
      const { handle: closed, runIds } = await offboard(latest as Lifecycle, 'Contract ended');
      return { handle: closed, runIds: [handle.firstExecutionRunId, ...runIds] };
    },
  },
});

/** Paths of issue 11's lean hot path: the workflow's own account check and the poll jitter (both patched). */
Object.assign(PATHS, {
  'kyc-foreign-event': {
    path: 'a kycEvent naming another Vobiz account ignored (patch kyc-event-account-check), KYC completed by its own account\'s event, jittered KYC and usage polls (patch poll-jitter), active with a usage poll, offboarded',
    async run({ start, sandbox }: Ctx) {
      const handle = await start('foreign-event');
      const session = await openSession(handle, 1);
      await hint(handle, session, 'kyc.completed', 'MA_FOREIGN1');
      const { authId } = await waitForState(handle, (s) => s.authId !== undefined, { what: 'an account' });
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(handle, session, 'kyc.completed', authId);
      await waitForState(handle, (s) => s.stage === 'active' && s.usage?.last !== undefined, { what: 'active with a usage poll' });
      return offboard(handle, 'Contract ended');
    },
  },
});

/**
 * Issue 19's paths (patch bounded-waits): a KYC event delivered as the kycEvent Update (refused ones leave no
 * event), and a continue-as-new from an operator wait (blocked) under a flood of signals, the next run resuming the
 * same wait. The recording server suggests continue-as-new at SUGGEST_CONTINUE_AS_NEW_AT events, so the flooded run
 * stays small; the workflow's bounded waits wake on the suggestion as they do on their own bound.
 */
Object.assign(PATHS, {
  'kyc-update-event': {
    path: 'KYC events as the kycEvent Update (patch bounded-waits): one naming another account and one for another session refused (no history event), the completion accepted, active, offboarded',
    async run({ start, sandbox }: Ctx) {
      const handle = await start('update-event');
      const session = await openSession(handle, 1);
      const { authId } = await waitForState(handle, (s) => s.authId !== undefined, { what: 'an account' });
      await deliver(handle, session, 'kyc.completed', 'MA_FOREIGN1').catch(() => undefined);
      await deliver(handle, 'another-session', 'kyc.completed', authId!).catch(() => undefined);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await deliver(handle, session, 'kyc.completed', authId!);
      await waitForState(handle, (s) => s.stage === 'active', { what: 'active' });
      return offboard(handle, 'Contract ended');
    },
  },
  'blocked-continued-as-new': {
    path: 'account creation blocked (e-mail in use), kycEvent signals flood the operator wait until it continues as new (patch bounded-waits); the next run resumes the wait with the same deadline, an operator retry carries on, KYC completed by the kycEvent Update, active, offboarded',
    async run({ start, sandbox, vobiz, client }: Ctx) {
      const email = `taken-${Date.now().toString(36)}@example.com`;
      await vobiz.createAccount({ name: 'Someone Else', email, phone: '+919811111111', password: 'Other-Pass1!', country: 'IN' });
      const handle = await start('blocked-can', { customerEmail: email });
      await waitForState(handle, (s) => s.stage === 'blocked', { what: 'blocked' });
      const latest = client.workflow.getHandle<typeof customerLifecycle>(handle.workflowId);
      for (let i = 0; i < 100 && (await latest.describe()).runId === handle.firstExecutionRunId; i++) {
        await Promise.all(Array.from({ length: 10 }, () => hint(handle, 'no-such-session', 'kyc.completed')));
        for (let j = 0; j < 200 && (await latest.describe()).raw.pendingWorkflowTask; j++) await new Promise((r) => setTimeout(r, 10));
      }
      await waitForState(latest, (s) => s.stage === 'blocked', { what: 'blocked in the next run' });
      await latest.executeUpdate(retryUpdate, { args: [{ customer: { email: `fixed-${email}` } }] });
      const session = await openSession(latest as Lifecycle, 1);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      const { authId } = await waitForState(latest, (s) => s.authId !== undefined, { what: 'an account' });
      await deliver(latest as Lifecycle, session, 'kyc.completed', authId!);
      await waitForState(latest, (s) => s.stage === 'active', { what: 'active' });
      const { handle: closed, runIds } = await offboard(latest as Lifecycle, 'Contract ended');
      return { handle: closed, runIds: [handle.firstExecutionRunId, ...runIds] };
    },
  },
});

/** Paths of issue 19's trust boundaries (each with the patch it introduced). */
Object.assign(PATHS, {
  'account-handed-over': {
    path: 'a second customerRef for one person (patch account-ownership-claim): blocked on EmailInUse naming the owner, the owner offboarded, the account handed over by an operator (handOverAccount update), adopted, KYC completed, active, offboarded',
    async run({ start, sandbox }: Ctx) {
      const email = `returning-${Date.now().toString(36)}@example.com`;
      const owner = await start('claim-owner', { customerEmail: email });
      await openSession(owner, 1);
      await offboard(owner, 'Customer left');
      const returning = await start('handed-over', { customerEmail: email });
      await waitForState(returning, (s) => s.stage === 'blocked', { what: 'blocked on EmailInUse' });
      await returning.executeUpdate(handOverAccountUpdate, { args: [{ from: customerRefOf(owner.workflowId), reason: 'Returning customer' }] });
      const session = await openSession(returning, 1);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(returning, session, 'kyc.completed');
      await waitForState(returning, (s) => s.stage === 'active', { what: 'active' });
      return offboard(returning, 'Contract ended');
    },
  },
});

/** Issue 21's paths: offboarding always ends (patch offboarding-always-ends, and offboard's `force`). */
Object.assign(PATHS, {
  'offboarding-account-gone': {
    path: 'offboard while waiting for KYC after Vobiz support closed the account (patch offboarding-always-ends): the session revoked, the balance read answers 404 (VobizAccountGone) and ends as done, offboarded with accountGone',
    async run({ start, sandbox }: Ctx) {
      const handle = await start('account-gone');
      await openSession(handle, 1);
      const { authId } = await waitForState(handle, (s) => s.authId !== undefined, { what: 'an account' });
      await sandbox.admin.closeAccount(authId!);
      return offboard(handle, 'Account closed at Vobiz');
    },
  },
  'blocked-validation-alerted': {
    path: "account creation blocked by Vobiz's 422 on the country (started past the edges), one blocked alert naming the field (patch blocked-alert), an operator retry with a corrected country, KYC completed, active, offboarded",
    async run({ start, sandbox }: Ctx) {
      const handle = await start('blocked-country', { customerCountry: 'ZZ' });
      await waitForState(handle, (s) => s.stage === 'blocked', { what: 'blocked on the country' });
      await handle.executeUpdate(retryUpdate, { args: [{ customer: { country: 'IN' } }] });
      const session = await openSession(handle, 1);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(handle, session, 'kyc.completed');
      await waitForState(handle, (s) => s.stage === 'active', { what: 'active' });
      return offboard(handle, 'Contract ended');
    },
  },
  'offboarding-forced': {
    path: "active with a number whose release Vobiz keeps refusing (503): offboarding stalls, an operator's offboard with force ends it, the release tried once more and left (offboarding.left), the trunk disabled, the balance read, offboarded",
    async run({ start, sandbox }: Ctx) {
      const handle = await start('forced', { telephony: { trunk: { name: 'Primary trunk' }, number: { country: 'IN' } } });
      const session = await openSession(handle, 1);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(handle, session, 'kyc.completed');
      await waitForState(handle, (s) => s.stage === 'active' && s.telephony.numbers.length === 1, { what: 'active with a number' });
      await sandbox.admin.addFault({ route: 'DELETE /api/v1/Account/:id/numbers/*', mode: 'error', status: 503 });
      await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'Contract ended' }] });
      await waitForState(handle, (s) => s.stage === 'offboarding' && s.stall !== undefined, { what: 'offboarding stalled', timeoutMs: 120_000 });
      await handle.executeUpdate(offboardUpdate, { args: [{ reason: 'Vobiz support releases the number', force: true }] });
      await handle.result();
      await sandbox.admin.clearFaults();
      return { handle, runIds: [(await handle.describe()).runId] };
    },
  },
});

/**
 * Issue 23: a customer traced end to end (the traced bundle, activity interceptors, a traced client): every start,
 * update and activity in its history carries the `_tracer-data` header. It must replay with and without tracing.
 */
Object.assign(PATHS, {
  'kyc-update-event-traced': {
    path: 'traced (tracing interceptors on the workers and the client: _tracer-data headers on the start, the updates and every activity): KYC completed by the kycEvent Update, active, offboarded',
    traced: true,
    async run({ start, sandbox }: Ctx) {
      const handle = await start('traced');
      const session = await openSession(handle, 1);
      const { authId } = await waitForState(handle, (s) => s.authId !== undefined, { what: 'an account' });
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await deliver(handle, session, 'kyc.completed', authId!);
      await waitForState(handle, (s) => s.stage === 'active', { what: 'active' });
      return offboard(handle, 'Contract ended');
    },
  },
});

/** Issue 22: an operator releases one number (the releaseNumber update, a new handler: no patch). */
Object.assign(PATHS, {
  'number-released': {
    path: 'active with two numbers (one at telephony, one bought by an operator), one released by the releaseNumber update (refused first for a number not the customer\'s: no history event), offboarded (only the other number released there)',
    async run({ start, sandbox }: Ctx) {
      const handle = await start('number-released', { funding: { amount: 2000, currency: 'INR' }, telephony: { trunk: { name: 'Primary trunk' }, number: { country: 'IN' } } });
      const session = await openSession(handle, 1);
      await sandbox.admin.completeKyc(session, { pan: 'ABCPE1234K' });
      await hint(handle, session, 'kyc.completed');
      await waitForState(handle, (s) => s.stage === 'active', { what: 'active' });
      const { e164 } = await handle.executeUpdate(purchaseNumberUpdate, { args: [{ country: 'IN' }] });
      await handle.executeUpdate(releaseNumberUpdate, { args: [{ e164: '+918000000001' }] }).catch(() => undefined);
      await handle.executeUpdate(releaseNumberUpdate, { args: [{ e164 }] });
      return offboard(handle, 'Contract ended');
    },
  },
});

/** The server suggests continue-as-new this early while recording (every path but the flooded one stays far below). */
const SUGGEST_CONTINUE_AS_NEW_AT = 300;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in PATHS));
  if (unknown.length) throw new Error(`unknown path(s): ${unknown.join(', ')}; known: ${Object.keys(PATHS).join(', ')}`);
  const names = wanted.length ? wanted : Object.keys(PATHS);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: [...SEARCH_ATTRIBUTES],
      ip: '127.0.0.1',
      log: { format: 'json', level: 'error' },
      extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AT}`],
    },
  });
  const sandbox = await startTestSandbox();
  const vobiz = new VobizClient({ baseUrl: sandbox.url, partnerAuthId: 'PA_SANDBOX1', partnerAuthToken: PARTNER_TOKEN, connectTimeoutMs: 2000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000 });
  const dataConverter = createDataConverter({ keys: [DEVELOPMENT_KEY] });
  const namespace = env.namespace ?? 'default';
  const stamp = Date.now().toString(36);
  // Plain workers and client for most paths; traced ones, on their own task queue, for the paths marked traced.
  const setUp = async (tracing: Tracing | undefined): Promise<{ ctx: Ctx; workers: LifecycleWorkers }> => {
    const taskQueue = tracing ? 'record-histories-traced' : 'record-histories';
    const client = new Client({ connection: env.connection, namespace, dataConverter, ...(tracing ? { interceptors: tracingClientInterceptors(tracing) } : {}) });
    const workers = await createLifecycleWorkers({
      connection: env.nativeConnection,
      namespace,
      taskQueue,
      workflows: {
        workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: tracing ? [TRACING_WORKFLOW_MODULE] : [], logger: new DefaultLogger('WARN') }),
      },
      client,
      vobiz,
      activitySettings: { alertTimeoutMs: 2000 },
      unsealingKeys: [DEVELOPMENT_SECRETS_KEY],
      accountClaimKey: DEVELOPMENT_ACCOUNT_CLAIM_KEY,
      codec: { keys: [DEVELOPMENT_KEY] },
      shutdownGraceTimeMs: 0,
      ...(tracing ? { tracing } : {}),
    });
    const ctx: Ctx = {
      client,
      sandbox,
      vobiz,
      taskQueue,
      start: (name, { customerEmail, customerCountry, ...overrides } = {}) => {
        const input = onboardingRequest(`rec-${name}-${stamp}`, overrides);
        if (customerEmail) input.customer.email = customerEmail;
        if (customerCountry) input.customer.country = customerCountry;
        return client.workflow.start<typeof customerLifecycle>('customerLifecycle', { taskQueue, workflowId: workflowIdFor(input.customerRef), args: [input] });
      },
    };
    return { ctx, workers };
  };
  const plain = await setUp(undefined);
  const traced = names.some((name) => PATHS[name]!.traced) ? await setUp(startTracing({ serviceName: 'record-histories' }, { exporter: new InMemorySpanExporter() })) : undefined;
  const client = plain.ctx.client;

  mkdirSync(HISTORIES, { recursive: true });
  const manifestPath = join(HISTORIES, 'manifest.json');
  const manifest = new Map<string, ManifestEntry>(
    (JSON.parse(safeRead(manifestPath) ?? '[]') as ManifestEntry[]).map((entry) => [entry.file, entry]),
  );
  const running = [plain, ...(traced ? [traced] : [])].map(({ workers }) => ({ workers, done: workers.run() }));
  try {
    for (const name of names) {
      const { handle, runIds } = await PATHS[name]!.run(PATHS[name]!.traced ? traced!.ctx : plain.ctx);
      for (const [i, runId] of runIds.entries()) {
        const file = runIds.length > 1 ? `${name}.run${i + 1}.json` : `${name}.json`;
        const history = await client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
        writeFileSync(join(HISTORIES, file), `${historyToJson(history)}\n`);
        manifest.set(file, { file, workflowId: handle.workflowId, path: `${PATHS[name]!.path}${runIds.length > 1 ? ` (run ${i + 1})` : ''}`, recordedAt: new Date().toISOString() });
        console.log(`recorded ${file}: ${history.events?.length ?? 0} events`);
      }
    }
  } finally {
    for (const { workers } of running) workers.shutdown();
    await Promise.all(running.map(({ done }) => done));
    writeFileSync(manifestPath, `${JSON.stringify([...manifest.values()].sort((a, b) => a.file.localeCompare(b.file)), null, 2)}\n`);
    await vobiz.close();
    await sandbox.close();
    await env.teardown();
  }
}

function onboardingRequest(customerRef: string, overrides: Partial<OnboardingRequest>): OnboardingRequest {
  return {
    customerRef,
    // Sealed, as every edge sends it since issue 15 (histories recorded before then carry a plain password).
    customer: { name: 'Asha Replay', email: `${customerRef}@example.com`, phone: '+919876543210', password: sealSecret('SecurePass123!', DEVELOPMENT_SEALING_KEY, 'customer.password'), company: 'Acme Replay Pvt Ltd', country: 'IN' },
    funding: { amount: 2000, currency: 'INR', description: 'Opening balance' },
    kyc: { expiresInDays: 14, pollInterval: '2 seconds' },
    telephony: { trunk: { name: 'Primary trunk' } },
    monitoring: { cdrPollInterval: '2 seconds', lowBalanceThreshold: '100' },
    advanced: { effectSettleDelay: '1 second' },
    ...overrides,
  };
}

async function openSession(handle: Lifecycle, attempt: number): Promise<string> {
  const state = await waitForState(handle, (s) => s.stage === 'kyc' && s.kyc.attempts.length === attempt, { what: `KYC attempt ${attempt}` });
  return state.kyc.attempts[attempt - 1]!.sessionId;
}

/**
 * What the bridge sends when the sandbox's webhook arrives (the rig has no bridge; the content is the same). The
 * webhook's account, when given, as the bridge has sent it since issue 11 (older histories were recorded without).
 */
function hint(handle: Lifecycle, sessionId: string, event: KycEventType, accountAuthId?: string): Promise<void> {
  const key = `${sessionId}:${event}${accountAuthId ? `:${accountAuthId}` : ''}`;
  return handle.signal(kycEventSignal, { eventKey: key, event, sessionId, ...(accountAuthId ? { accountAuthId } : {}), receivedAt: new Date().toISOString() });
}

/** What a bridge sends since issue 19: the kycEvent Update, its ID from the event key. A refusal rejects. */
async function deliver(handle: Lifecycle, sessionId: string, event: KycEventType, accountAuthId: string): Promise<void> {
  const eventKey = `${sessionId}:${event}:${accountAuthId}`;
  await handle.executeUpdate(kycEventUpdate, { args: [{ eventKey, event, sessionId, accountAuthId, receivedAt: new Date().toISOString() }], updateId: kycEventUpdateId(eventKey) });
}

async function offboard(handle: Lifecycle, reason: string): Promise<{ handle: Lifecycle; runIds: string[] }> {
  await handle.executeUpdate(offboardUpdate, { args: [{ reason }] });
  await handle.result();
  return { handle, runIds: [(await handle.describe()).runId] };
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

await main();
