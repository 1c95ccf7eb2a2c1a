/**
 * The data converter every Temporal client and worker in this service uses, so no payload (workflow input, result,
 * signal, activity argument, memo) reaches the Temporal server unencrypted.
 *
 * Client: `connectClient(config.temporal, config.codec)` applies it. Worker:
 * `Worker.create({ ..., dataConverter: createDataConverter(config.codec) })`.
 */
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec.js';
import type { CodecKey } from './keys.js';

export function createDataConverter(codec: { keys: readonly CodecKey[] }): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(codec.keys)] };
}
