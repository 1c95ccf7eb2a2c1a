// `npm run build` (after tsc): copies the failure converter into dist/ and bundles the workflow code once, so production workers start without webpack and every
// replica runs byte-identical workflow code. Output: dist/workflow-bundle.js (WORKER_WORKFLOW_BUNDLE).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'dist', 'workflow-bundle.js');
// The failure converter is loaded by path at run time: it must sit beside the compiled data converter.
const failureConverterPath = resolve(root, 'src', 'codec', 'failure-converter.cjs');
copyFileSync(failureConverterPath, resolve(root, 'dist', 'codec', 'failure-converter.cjs'));
const { code } = await bundleWorkflowCode({ workflowsPath: resolve(root, 'src', 'workflows', 'index.ts'), failureConverterPath });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
console.log(`Wrote ${out} (${Math.round(code.length / 1024)} KiB)`);
