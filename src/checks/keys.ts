/**
 * The keys: the codec keys encrypt and decrypt, and open what the workers wrote (the KYC sweep schedule's input,
 * encrypted by the worker that created or last updated it), so a process given other CODEC_KEYS than the workers
 * is found at start; and the worker's secrets private keys open what an edge sealed with its SECRETS_PUBLIC_KEY.
 */
import type { Payload } from '@temporalio/common';
import { METADATA_KEY_ID, PayloadDecryptionError, UnknownEncryptionKeyError } from '../codec/encryption-codec.js';
import { SealedSecretError, unsealSecret, type SealPurpose } from '../secrets/index.js';
import type { UnsealingKey } from '../secrets/keys.js';
import { kycSweepScheduleId } from '../temporal/kyc-sweep-schedule.js';
import { fail, ok, type Check } from './run.js';
import type { TemporalWhere } from './temporal.js';

const SAME_KEYS = 'give every process the same CODEC_KEYS, newest first (keep old keys until no history needs them: docs/codec.md, "Rotation")';

const keyIdOf = (payload: Payload | undefined): string | undefined => {
  const raw = payload?.metadata?.[METADATA_KEY_ID];
  return raw ? Buffer.from(raw).toString('utf8') : undefined;
};

export function codecKeys({ client, namespace, taskQueue }: TemporalWhere): Check {
  const codecs = client.options.loadedDataConverter.payloadCodecs;
  const encode = async (payloads: Payload[]) => {
    for (const codec of codecs) payloads = await codec.encode(payloads);
    return payloads;
  };
  const decode = async (payloads: Payload[]) => {
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    return payloads;
  };
  return {
    name: 'codec_keys',
    fixOnError: SAME_KEYS,
    async run(time) {
      const probe: Payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"codec check"') };
      const [encoded] = await encode([probe]);
      const [decoded] = await decode([encoded!]);
      if (!decoded?.data || Buffer.compare(Buffer.from(decoded.data), Buffer.from(probe.data!)) !== 0) {
        return fail('a payload encrypted here does not decrypt here', SAME_KEYS);
      }
      const ours = keyIdOf(encoded) ?? 'none (no codec)';
      const scheduleId = kycSweepScheduleId(taskQueue);
      let written: Payload | undefined;
      try {
        const described = await client.connection.withDeadline(time.deadline, () => client.workflowService.describeSchedule({ namespace, scheduleId }));
        written = described.schedule?.action?.startWorkflow?.input?.payloads?.[0] ?? undefined;
      } catch {
        // No schedule yet, or Temporal unreachable (its own check says so): the round trip is all there is to tell.
      }
      if (!written) return ok(`encrypts with key ${ours}`);
      const theirs = keyIdOf(written) ?? 'none';
      try {
        await decode([written]);
      } catch (err) {
        if (err instanceof UnknownEncryptionKeyError) {
          return fail(`the workers encrypt with key ${err.keyId} (${scheduleId}), which this process does not hold; it encrypts with ${ours}`, SAME_KEYS);
        }
        if (err instanceof PayloadDecryptionError) {
          return fail(`key ${err.keyId} here is not the workers' key ${err.keyId} (${scheduleId} does not decrypt)`, SAME_KEYS);
        }
        throw err;
      }
      return ok(`encrypts with key ${ours}; opens what the workers wrote (key ${theirs})`);
    },
  };
}

/** The purpose a check's sealed value is bound to: a sealed password cannot pass for one, nor one for a password. */
export const CHECK_SEAL_PURPOSE: SealPurpose = 'startup.check';
export const CHECK_SEALED_TEXT = 'vobiz-lifecycle start-up check';

export function secretsKeys({ keys, usingDevelopmentKey, sealedProbe }: { keys: readonly UnsealingKey[]; usingDevelopmentKey: boolean; sealedProbe?: string }): Check {
  const fix =
    'give the edges (SECRETS_PUBLIC_KEY, the typed client\'s secretsPublicKey) the public line printed with the worker\'s newest SECRETS_KEYS key (`npm run secrets:new-key`); passwords sealed with another key block the customer at account creation';
  const ids = keys.map((k) => k.id).join(', ');
  return {
    name: 'secrets_keys',
    async run() {
      if (keys.length === 0) return fail('no secrets private key: sealed passwords cannot be opened', 'set SECRETS_KEYS or SECRETS_KEYS_FILE (`npm run secrets:new-key`)');
      const held = `${keys.length} private key(s): ${ids}${usingDevelopmentKey ? ' (the insecure development pair)' : ''}`;
      if (sealedProbe === undefined) return ok(held);
      try {
        if (unsealSecret(sealedProbe, keys, CHECK_SEAL_PURPOSE) !== CHECK_SEALED_TEXT) return fail(`${held}; the sealed value opened to something else`, fix);
      } catch (err) {
        if (err instanceof SealedSecretError && err.reason === 'unknown_key') return fail(`SECRETS_PUBLIC_KEY seals with key ${err.keyId}, which is not among the worker's ${held}`, fix);
        if (err instanceof SealedSecretError) return fail(`SECRETS_PUBLIC_KEY (key ${err.keyId ?? '?'}) is not the public half of the worker's key of that id (${held})`, fix);
        throw err;
      }
      return ok(`${held}; opens what SECRETS_PUBLIC_KEY seals`);
    },
  };
}
