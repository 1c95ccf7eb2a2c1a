/**
 * AES-256-GCM payload encryption for every Temporal client and worker, and for the codec server.
 *
 * The whole original Payload (metadata and data) is serialized with the Payload protobuf and encrypted, so the
 * server only ever sees `encoding: binary/encrypted`, the key id and ciphertext; decoding restores the payload
 * byte for byte, including its original encoding. Wire format of `data`: 12-byte IV ‖ ciphertext ‖ 16-byte tag.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { CodecKey } from './keys.js';

const ProtoPayload = proto.temporal.api.common.v1.Payload;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const METADATA_ENCODING = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload names a key this process does not have (retired too early, or a different environment's key). */
export class UnknownEncryptionKeyError extends Error {
  constructor(readonly keyId: string) {
    super(`Payload was encrypted with key id "${keyId}", which is not configured (CODEC_KEYS / CODEC_KEYS_FILE)`);
    this.name = 'UnknownEncryptionKeyError';
  }
}

/** The ciphertext fails authentication: tampered, truncated, or the key under that id has changed. */
export class PayloadDecryptionError extends Error {
  constructor(readonly keyId: string) {
    super(`Encrypted payload failed authentication with key id "${keyId}" (corrupted, tampered or wrong key)`);
    this.name = 'PayloadDecryptionError';
  }
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export class EncryptionCodec implements PayloadCodec {
  private readonly encryptKey: CodecKey;
  private readonly keysById: ReadonlyMap<string, CodecKey>;

  /** `keys` newest first: the first encrypts, all decrypt. */
  constructor(keys: readonly CodecKey[]) {
    const [newest] = keys;
    if (!newest) throw new Error('EncryptionCodec needs at least one key');
    this.encryptKey = newest;
    this.keysById = new Map(keys.map((k) => [k.id, k]));
    if (this.keysById.size !== keys.length) throw new Error('EncryptionCodec key ids must be unique');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, keyMaterial } = this.encryptKey;
    const plaintext = ProtoPayload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, keyMaterial, iv);
    // The key id is authenticated too: moving ciphertext under another id's label fails instead of misdecoding.
    cipher.setAAD(utf8(id));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: { [METADATA_ENCODING]: utf8(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: utf8(id) },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    // History written before encryption was turned on (or by a tool without the codec) still reads.
    if (text(payload.metadata?.[METADATA_ENCODING]) !== ENCRYPTED_ENCODING) return payload;

    const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
    if (!keyId) throw new Error(`Encrypted payload has no "${METADATA_KEY_ID}" metadata`);
    const key = this.keysById.get(keyId);
    if (!key) throw new UnknownEncryptionKeyError(keyId);

    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(keyId);
    const decipher = createDecipheriv(ALGORITHM, key.keyMaterial, data.subarray(0, IV_BYTES));
    decipher.setAAD(utf8(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(keyId);
    }
    const decoded = ProtoPayload.decode(plaintext);
    return {
      metadata: decoded.metadata,
      data: decoded.data,
      ...(decoded.externalPayloads.length > 0 ? { externalPayloads: decoded.externalPayloads } : {}),
    };
  }
}
