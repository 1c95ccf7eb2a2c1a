// `npm run build` (after tsc): copies the failure converter into dist/ and bundles the workflow code once, so production workers start without webpack and every
// replica runs byte-identical workflow code. Output: dist/workflow-bundle.js (WORKER_WORKFLOW_BUNDLE) and its traced twin dist/workflow-bundle.traced.js,
// the same code with the tracing interceptor module (a worker with OTEL_* set runs it: a bundle's interceptors are fixed when it is built).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TRACING_WORKFLOW_MODULE, tracedBundlePath } from '../src/tracing/temporal.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'dist', 'workflow-bundle.js');
// The failure converter is loaded by path at run time: it must sit beside the compiled data converter.
const failureConverterPath = resolve(root, 'src', 'codec', 'failure-converter.cjs');
copyFileSync(failureConverterPath, resolve(root, 'dist', 'codec', 'failure-converter.cjs'));
mkdirSync(dirname(out), { recursive: true });
const workflowsPath = resolve(root, 'src', 'workflows', 'index.ts');
for (const [path, workflowInterceptorModules] of [
  [out, []],
  [tracedBundlePath(out), [TRACING_WORKFLOW_MODULE]],
] as const) {
  const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath, workflowInterceptorModules: [...workflowInterceptorModules] });
  writeFileSync(path, code);
  console.log(`Wrote ${path} (${Math.round(code.length / 1024)} KiB)`);
}
