/**
 * Replays the committed histories of the lifecycle's main paths (test/histories/, recorded from real runs by
 * scripts/record-histories.ts) against the current workflow code. A failure here means a change to
 * src/workflows/ would break customers whose workflows are running now: guard it with `patched()`, do not
 * re-record. The histories' payloads are encrypted with the development key, so the replayer gets the same
 * data converter as the workers that recorded them. Each replays twice: on the plain bundle and on the traced one (a
 * worker with OTEL_* set), so tracing can be switched either way under running customers; one history was recorded
 * with tracing on.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../scripts/record-histories.js';
import { createDataConverter } from '../../src/codec/data-converter.js';
import { EncryptionCodec } from '../../src/codec/encryption-codec.js';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { isSealedSecret } from '../../src/secrets/sealed-format.js';
import { startTracing } from '../../src/tracing/provider.js';
import { tracingSinks } from '../../src/tracing/temporal.js';
import { workflowBundle } from '../support/temporal.js';

const HISTORIES = new URL('../histories/', import.meta.url);
const WORKFLOWS_PATH = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('manifest.json', HISTORIES), 'utf8')) as ManifestEntry[];

/**
 * Temporal's JSON history format → History. Not the SDK's `historyFromJSON` (which `Worker.runReplayHistory` also
 * uses for JSON input): in this install @temporalio/common and @temporalio/proto carry separate protobufjs copies
 * and common's protojson rejects proto's types ("type must be a Type"). The protojson used here is the copy
 * @temporalio/proto itself resolves; the result has Long event IDs, so the worker takes it as it is.
 */
function historyFromJson(json: unknown): History {
  const fromCommon = createRequire(createRequire(import.meta.url).resolve('@temporalio/common'));
  const proto = fromCommon('@temporalio/proto') as unknown;
  const { patchProtobufRoot } = fromCommon('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot: (root: unknown) => { lookupType(name: string): unknown } };
  const protojson = createRequire(fromCommon.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as { fromJson(type: unknown, json: unknown, options: object): History };
  return protojson.fromJson(patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History'), json, { ignoreUnknownFields: true });
}

function load(file: string): History {
  return historyFromJson(JSON.parse(readFileSync(new URL(file, HISTORIES), 'utf8')));
}

const activities = (history: History) =>
  (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));

/** The patch IDs a history recorded (core's patch markers; their details are plain JSON, not codec payloads). */
const patchesOf = (history: History) =>
  (history.events ?? []).flatMap((e) =>
    (e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).map((p) => (JSON.parse(Buffer.from(p.data!).toString('utf8')) as { id: string }).id),
  );

let bundle: { code: string };
let tracedBundle: { code: string };
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  [bundle, tracedBundle] = await Promise.all([workflowBundle(WORKFLOWS_PATH), workflowBundle(WORKFLOWS_PATH, { traced: true })]);
});

describe('replay of committed histories', () => {
  it('has a history for each main path, covering what its name says', () => {
    const files = manifest.map((entry) => entry.file);
    expect(files).toEqual(
      expect.arrayContaining(['kyc-completed.json', 'kyc-failed-retried.json', 'kyc-expired.json', 'kyc-revoked.json', 'offboarded-during-kyc.json', 'monitoring-continued-as-new.run1.json']),
    );
    const completed = activities(load('kyc-completed.json'));
    expect(completed).toEqual(expect.arrayContaining(['createSipTrunk', 'purchaseNumber', 'summarizeUsage', 'releaseNumber', 'disableSipTrunk']));
    expect(completed.indexOf('releaseNumber')).toBeLessThan(completed.indexOf('disableSipTrunk'));
    expect(activities(load('kyc-failed-retried.json')).filter((name) => name === 'openKycSession')).toHaveLength(2);
    expect(load('offboarded-during-kyc.json').events?.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'revokeKycSession')).toBe(true);
    const continued = load('monitoring-continued-as-new.run1.json').events?.at(-1);
    expect(continued?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

    // The failure policy's paths, recorded with the patches that introduced them.
    expect(files).toEqual(expect.arrayContaining(['blocked-retried.json', 'credentials-restored.json', 'kyc-continued-as-new.run1.json', 'kyc-continued-as-new.run2.json']));
    const upserts = (file: string) =>
      (load(file).events ?? []).flatMap((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}));
    expect(upserts('credentials-restored.json')).toContain('VobizStalled');
    expect(activities(load('blocked-retried.json')).filter((name) => name === 'createCustomerAccount')).toHaveLength(2);
    expect(activities(load('blocked-retried.json'))).toContain('readBalance');
    const kycContinued = load('kyc-continued-as-new.run1.json');
    expect(kycContinued.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect(activities(kycContinued)).toContain('openKycSession');
    expect(activities(load('kyc-continued-as-new.run2.json'))).not.toContain('openKycSession'); // the open session resumed

    // Issue 11's patched paths: the workflow's own account check on kycEvent, and the poll jitter.
    expect(files).toContain('kyc-foreign-event.json');
    expect(patchesOf(load('kyc-foreign-event.json'))).toEqual(expect.arrayContaining(['kyc-event-account-check', 'poll-jitter']));
    expect(activities(load('kyc-foreign-event.json'))).toEqual(expect.arrayContaining(['getKycSession', 'summarizeUsage']));

    // Issue 19's paths (patch bounded-waits): the kycEvent Update, and a continue-as-new from an operator wait.
    expect(files).toEqual(expect.arrayContaining(['kyc-update-event.json', 'blocked-continued-as-new.run1.json', 'blocked-continued-as-new.run2.json']));
    const updates = load('kyc-update-event.json');
    expect(patchesOf(updates)).toContain('bounded-waits');
    // Only the accepted event is in history: the refused ones (another account, another session) left nothing.
    const kycEventUpdates = updates.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'kycEvent');
    expect(kycEventUpdates).toHaveLength(1);
    expect(updates.events?.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
    const flooded = load('blocked-continued-as-new.run1.json');
    expect(patchesOf(flooded)).toContain('bounded-waits');
    expect(flooded.events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBeGreaterThan(100);
    expect(flooded.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    expect(activities(flooded)).toEqual(['createCustomerAccount']); // blocked at its first step, continued from the wait
    const resumed = activities(load('blocked-continued-as-new.run2.json'));
    expect(resumed[0]).toBe('createCustomerAccount'); // the retry, after the resumed wait
    expect(resumed).toEqual(expect.arrayContaining(['transferOpeningBalance', 'openKycSession', 'createSipTrunk', 'readBalance']));

    // Issue 19: account creation claims the e-mail; a second customer for one person is blocked until an operator hands
    // the account over, then adopts it.
    expect(patchesOf(load('account-handed-over.json'))).toContain('account-ownership-claim');
    const handedOver = activities(load('account-handed-over.json'));
    expect(handedOver.filter((name) => name === 'createCustomerAccount')).toHaveLength(2);
    expect(handedOver).toEqual(expect.arrayContaining(['handOverAccount', 'transferOpeningBalance', 'openKycSession']));

    // Issue 22: an operator's releaseNumber update (a new handler, no patch): the refused request left no event; the
    // released number is not released again by offboarding.
    const released = load('number-released.json');
    const accepted = released.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'releaseNumber');
    expect(accepted).toHaveLength(1);
    expect(activities(released).filter((name) => name === 'purchaseNumber')).toHaveLength(2);
    expect(activities(released).filter((name) => name === 'releaseNumber')).toHaveLength(2); // one by the update, one by offboarding
    // Issue 21: offboarding always ends. An account gone at Vobiz ends the balance read as done (the patch's branch);
    // an operator's force ends a stalled release, tried once more after the force, and the steps after it still run.
    expect(patchesOf(load('offboarding-account-gone.json'))).toContain('offboarding-always-ends');
    expect(activities(load('offboarding-account-gone.json')).slice(-2)).toEqual(['revokeKycSession', 'readBalance']);
    const forced = load('offboarding-forced.json');
    const offboardUpdates = forced.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'offboard');
    expect(offboardUpdates).toHaveLength(2);
    expect(activities(forced).slice(-5)).toEqual(['releaseNumber', 'sendAlert', 'releaseNumber', 'disableSipTrunk', 'readBalance']);
    // A block sends one alert with its reason (patch blocked-alert); blocks recorded before it send none.
    const alerted = load('blocked-validation-alerted.json');
    expect(patchesOf(alerted)).toContain('blocked-alert');
    expect(activities(alerted).slice(0, 3)).toEqual(['createCustomerAccount', 'sendAlert', 'createCustomerAccount']);
    expect(activities(load('blocked-retried.json')).slice(0, 2)).toEqual(['createCustomerAccount', 'createCustomerAccount']);
  });

  it('has a history recorded with tracing on (trace headers on its start, Update and activities) and the others without', () => {
    const traceHeaders = (file: string) =>
      (load(file).events ?? []).flatMap((e) =>
        Object.keys(
          e.workflowExecutionStartedEventAttributes?.header?.fields ??
            e.activityTaskScheduledEventAttributes?.header?.fields ??
            e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.header?.fields ??
            {},
        ).map((key) => `${Object.keys(e).find((k) => k.endsWith('EventAttributes'))}:${key}`),
      );
    const traced = traceHeaders('kyc-update-event-traced.json');
    for (const where of ['workflowExecutionStartedEventAttributes', 'activityTaskScheduledEventAttributes', 'workflowExecutionUpdateAcceptedEventAttributes']) {
      expect(traced).toContain(`${where}:_tracer-data`);
    }
    for (const entry of manifest.filter((e) => e.file !== 'kyc-update-event-traced.json')) expect(traceHeaders(entry.file), entry.file).toEqual([]);
  });

  it('has a history whose input carries the password sealed, and older ones with it plain (both must replay)', async () => {
    const password = async (file: string) => {
      const [payload] = load(file).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
      const [decoded] = await new EncryptionCodec([DEVELOPMENT_KEY]).decode([payload!]);
      return (JSON.parse(Buffer.from(decoded!.data!).toString('utf8')) as { customer: { password: string } }).customer.password;
    };
    expect(isSealedSecret(await password('kyc-completed-sealed.json'))).toBe(true);
    expect(activities(load('kyc-completed-sealed.json'))).toEqual(expect.arrayContaining(['createCustomerAccount', 'createSipTrunk', 'disableSipTrunk']));
    expect(isSealedSecret(await password('kyc-completed.json'))).toBe(false);
  });

  it.each(manifest.map((entry) => [entry.file, entry] as const))('replays %s without a determinism error', async (_file, entry) => {
    await Worker.runReplayHistory(
      { workflowBundle: bundle, dataConverter: createDataConverter({ keys: [DEVELOPMENT_KEY] }), replayName: entry.file },
      load(entry.file),
      entry.workflowId,
    );
  });

  // A worker with tracing on (OTEL_*) runs the traced bundle: every history, traced or not, must replay on it too.
  it.each(manifest.map((entry) => [entry.file, entry] as const))('replays %s with the tracing interceptors installed', async (_file, entry) => {
    await Worker.runReplayHistory(
      {
        workflowBundle: tracedBundle,
        dataConverter: createDataConverter({ keys: [DEVELOPMENT_KEY] }),
        sinks: tracingSinks(startTracing({ serviceName: 'replay' }, { exporter: new InMemorySpanExporter() })),
        replayName: `${entry.file} (traced)`,
      },
      load(entry.file),
      entry.workflowId,
    );
  });
});
