/**
 * "Version 2" of the workflow code for the deploy tests: a copy of src/ with one change at the start of
 * customerLifecycle — a 1 ms timer before anything else — either guarded by `patched()` (the right way) or not
 * (the change the replay gate must stop). The copy lives in the project's git-ignored .data/ folder, so the
 * bundler resolves @temporalio/workflow from the project and still transpiles it (it skips node_modules/); it is
 * bundled like the production bundle (with the failure converter). The caller removes `dir`.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../../src/codec/data-converter.js';
import { PROJECT_ROOT } from '../../../dev/temporal-binaries.js';
import { dataConverter } from '../../support/lifecycle.js';

const PATCH_ID = 'deploy-test-v2-timer';

const SIGNATURE = /(export async function customerLifecycle\([^)]*\)[^{]*\{\n)/;

export async function writeVariantBundle(kind: 'patched' | 'unpatched'): Promise<{ bundlePath: string; dir: string }> {
  const parent = join(PROJECT_ROOT, '.data');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `workflow-variant-${kind}-`));
  // The whole src/ tree: workflow code imports pure modules next to it (e.g. src/secrets/sealed-format.ts).
  cpSync(join(PROJECT_ROOT, 'src'), join(dir, 'src'), { recursive: true });
  const workflows = join(dir, 'src', 'workflows');
  const file = join(workflows, 'lifecycle.ts');
  const source = readFileSync(file, 'utf8');
  if (!SIGNATURE.test(source)) throw new Error(`cannot find the customerLifecycle signature in ${file}: update ${import.meta.url}`);
  const change = kind === 'patched' ? `  if (deployTestPatched('${PATCH_ID}')) await deployTestSleep(1);\n` : '  await deployTestSleep(1);\n';
  writeFileSync(file, `import { patched as deployTestPatched, sleep as deployTestSleep } from '@temporalio/workflow';\n${source.replace(SIGNATURE, `$1${change}`)}`);
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(workflows, 'index.ts'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
  });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);
  return { bundlePath, dir };
}

/** Whether a workflow took the variant's patched branch: its history has a patch marker naming PATCH_ID (the
 * marker's payloads decoded as the workers encoded them, so other patches in the real code do not count). */
export async function tookPatchedPath(handle: WorkflowHandle): Promise<boolean> {
  const history = await handle.fetchHistory();
  const codecs = dataConverter.payloadCodecs ?? [];
  for (const e of history.events ?? []) {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') continue;
    for (const payloads of Object.values(marker.details ?? {})) {
      for (const payload of payloads.payloads ?? []) {
        let decoded = [payload];
        for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
        if (JSON.stringify(defaultPayloadConverter.fromPayload(decoded[0]!)).includes(PATCH_ID)) return true;
      }
    }
  }
  return false;
}
