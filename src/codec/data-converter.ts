/**
 * The data converter every Temporal client and worker in this service uses, so no payload (workflow input, result,
 * signal, activity argument, memo) and no failure message reaches the Temporal server unencrypted.
 *
 * Client: `connectClient(config.temporal, config.codec)` applies it. Worker:
 * `Worker.create({ ..., dataConverter: createDataConverter(config.codec) })`; a prebuilt workflow bundle is built
 * with the same `FAILURE_CONVERTER_PATH` (scripts/bundle-workflows.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec.js';
import type { CodecKey } from './keys.js';

/** Beside this module in src/; `npm run build` copies it beside the compiled one in dist/. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

export function createDataConverter(codec: { keys: readonly CodecKey[] }): DataConverter {
  if (!existsSync(FAILURE_CONVERTER_PATH)) {
    throw new Error(`${FAILURE_CONVERTER_PATH} is missing: run \`npm run build\`, which copies it into dist/`);
  }
  return { payloadCodecs: [new EncryptionCodec(codec.keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
