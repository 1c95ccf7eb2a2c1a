// The workflow bundle stays lean: every cached workflow and every worker start pays for what it carries. zod inside
// workflow code raised one cached customer from 276 KB to 1.7 MB (issue 11); the rules live at the edges and the
// workflow checks structure only (src/workflows/input-structure.ts). The bundle is built as `npm run build` builds
// it (scripts/bundle-workflows.ts).
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter.js';

const WORKFLOWS_PATH = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
/** The packages workflow code may pull in: the SDK and its own dependencies, and async-mutex (a few KB). */
const ALLOWED_PACKAGES = ['@temporalio/common', '@temporalio/workflow', 'async-mutex', 'long', 'ms', 'nexus-rpc'];
/** 1.95 MB when written (mostly the SDK: 1.45 MiB of it is @temporalio/*, long and nexus-rpc); zod alone adds ~1.3 MB. */
const MAX_BUNDLE_BYTES = 2_300_000;

const noop = () => undefined;
let code: string;

beforeAll(async () => {
  ({ code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
  }));
}, 120_000);

describe('workflow bundle', () => {
  it('carries no validation library or other package beyond the SDK and async-mutex', () => {
    const packages = new Set([...code.matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//g)].map((m) => m[1]));
    expect(packages.has('zod')).toBe(false);
    expect([...packages]).toContain('@temporalio/workflow'); // the scan does see the bundle's packages
    expect([...packages].filter((p) => !ALLOWED_PACKAGES.includes(p!))).toEqual([]);
  });

  it(`stays under ${MAX_BUNDLE_BYTES / 1e6} MB`, () => {
    expect(Buffer.byteLength(code)).toBeLessThan(MAX_BUNDLE_BYTES);
  });
});
