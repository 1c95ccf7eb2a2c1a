// The workflow bundle stays lean: every cached workflow and every worker start pays for what it carries. zod inside
// workflow code raised one cached customer from 276 KB to 1.7 MB (issue 11); the rules live at the edges and the
// workflow checks structure only (src/workflows/input-structure.ts). The bundle is built as `npm run build` builds
// it (scripts/bundle-workflows.ts), by the worker's own bundler (src/worker/workflow-bundle.ts), whose log lines are
// checked here too: one line at start-up, webpack's report only at debug level.
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { bundleLifecycleWorkflows } from '../../src/worker/workflow-bundle.js';
/** The packages workflow code may pull in: the SDK and its own dependencies, and async-mutex (a few KB). */
const ALLOWED_PACKAGES = ['@temporalio/common', '@temporalio/workflow', 'async-mutex', 'long', 'ms', 'nexus-rpc'];
/** 1.95 MB when written (mostly the SDK: 1.45 MiB of it is @temporalio/*, long and nexus-rpc); zod alone adds ~1.3 MB. */
const MAX_BUNDLE_BYTES = 2_300_000;

let code: string;
const logged: { level: string; msg: string; bytes?: number; ms?: number }[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as (typeof logged)[number]);
      done();
    },
  });
  code = await bundleLifecycleWorkflows(createLogger({ level: 'debug', destination }));
}, 120_000);

describe('workflow bundle', () => {
  it('carries no validation library or other package beyond the SDK and async-mutex', () => {
    const packages = new Set([...code.matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\//g)].map((m) => m[1]));
    expect(packages.has('zod')).toBe(false);
    expect([...packages]).toContain('@temporalio/workflow'); // the scan does see the bundle's packages
    expect([...packages].filter((p) => !ALLOWED_PACKAGES.includes(p!))).toEqual([]);
  });

  it('logs one line at info, its size and time; webpack\'s report only at debug', () => {
    const info = logged.filter((l) => l.level === 'info');
    expect(info).toEqual([expect.objectContaining({ msg: expect.stringMatching(/^Workflow code bundled \(\d+\.\d\d MB in \d+\.\d s\)$/) as string, bytes: Buffer.byteLength(code) })]);
    expect(info[0]!.ms).toBeGreaterThan(0);
    expect(logged.find((l) => l.msg.includes('modules by path'))?.level).toBe('debug');
  });

  it(`stays under ${MAX_BUNDLE_BYTES / 1e6} MB`, () => {
    expect(Buffer.byteLength(code)).toBeLessThan(MAX_BUNDLE_BYTES);
  });
});
