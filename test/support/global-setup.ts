/**
 * One Temporal dev server for the whole integration run, started before any test file and shared by all of them
 * (each file uses its own task queue). The SDK is handed the binary's path, so it never tries its own download.
 * A missing or broken binary fails the run with a message naming `npm run setup`; nothing is skipped.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { temporalCliPath } from '../../dev/temporal-binaries.js';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}

let env: TestWorkflowEnvironment | undefined;

export async function setup(project: TestProject): Promise<void> {
  const executable = temporalCliPath(); // throws MissingTemporalBinaryError naming `npm run setup`
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: executable },
        searchAttributes: [...SEARCH_ATTRIBUTES],
        ip: '127.0.0.1',
        log: { format: 'json', level: 'error' },
      },
    });
  } catch (err) {
    throw new Error(
      `Could not start the Temporal dev server (${executable}): ${(err as Error).message}\n` +
        'Run `npm run setup` to (re)install it, or set TEMPORAL_CLI to a working binary.',
    );
  }
  project.provide('temporalAddress', env.connection.options.address);
  project.provide('temporalNamespace', env.namespace ?? 'default');
}

export async function teardown(): Promise<void> {
  await env?.teardown();
}
