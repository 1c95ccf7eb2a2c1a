// What an operator sees: the Temporal Web UI, pointed at the codec server (`--ui-codec-endpoint`, as `npm start`
// does), shows an onboarding's input decrypted, while the server itself holds only ciphertext. A real dev server
// with its UI, the real codec server, and Debian's chromium (installed by `npm run setup`).
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataConverter } from '../../src/codec/data-converter.js';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';
import { startCodecServer, type CodecServer } from '../../src/codec/server.js';
import { temporalCliPath } from '../../dev/temporal-binaries.js';
import { createLogger } from '../../src/logging.js';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes.js';
import { onboardingRequest } from '../support/lifecycle.js';

const CHROMIUM = '/usr/bin/chromium';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('Temporal Web UI with the codec server', () => {
  let env: TestWorkflowEnvironment;
  let codecServer: CodecServer;
  let browser: Browser;
  let uiPort: number;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`npm run setup\` (installs Debian's chromium)`);
    uiPort = await freePort();
    codecServer = await startCodecServer({
      host: '127.0.0.1',
      port: 0,
      keys: [DEVELOPMENT_KEY],
      corsOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
      logger: createLogger({ level: 'silent' }),
    });
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        ip: '127.0.0.1',
        ui: true,
        uiPort,
        searchAttributes: [...SEARCH_ATTRIBUTES],
        extraArgs: ['--ui-codec-endpoint', codecServer.url],
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await env?.teardown();
    await codecServer?.close();
  });

  it('shows the input decoded in the UI, and only ciphertext without the codec', async () => {
    const request = onboardingRequest();
    const client = new Client({ connection: env.connection, dataConverter: createDataConverter({ keys: [DEVELOPMENT_KEY] }) });
    // No worker: the started event alone carries the input the operator wants to read.
    const handle = await client.workflow.start('customerLifecycle', {
      taskQueue: 'web-ui-codec-no-worker',
      workflowId: `customer-${request.customerRef}`,
      args: [request],
    });

    const plain = new Client({ connection: await Connection.connect({ address: env.connection.options.address }) });
    const raw = JSON.stringify(await plain.workflow.getHandle(handle.workflowId).fetchHistory());
    expect(raw).not.toContain(request.customer.email);

    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${handle.workflowId}/${handle.firstExecutionRunId}/history`);
    await page.getByText(request.customer.email, { exact: false }).first().waitFor({ timeout: 30_000 });
    expect(await page.content()).toContain(request.customer.email);
    await handle.terminate('test done');
  });
});
