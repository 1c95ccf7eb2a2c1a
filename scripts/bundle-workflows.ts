// `npm run build`: bundles the workflow code once, so production workers start without webpack and every
// replica runs byte-identical workflow code. Output: dist/workflow-bundle.js (WORKER_WORKFLOW_BUNDLE).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'dist', 'workflow-bundle.js');
const { code } = await bundleWorkflowCode({ workflowsPath: resolve(root, 'src', 'workflows', 'index.ts') });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
console.log(`Wrote ${out} (${Math.round(code.length / 1024)} KiB)`);
