// What an operator sees: the Temporal Web UI, pointed at the codec server (`--ui-codec-endpoint`, as `npm start`
// does), shows an onboarding's input decrypted, while the server itself holds only ciphertext; a blocked customer's
// wait says why in the event list, and its failure's message (encrypted in history) reads through the codec server.
// A real dev server with its UI, the real codec server, the production workers on a sandbox, and Debian's chromium
// (installed by `npm run setup`). `WEB_UI_SCREENSHOT=<file.png>` also saves what the blocked customer's page shows
// (docs/codec.md's picture).
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
import { DEVELOPMENT_SECRETS_KEY } from '../../src/secrets/keys.js';
import { DEVELOPMENT_ACCOUNT_CLAIM_KEY } from '../../src/temporal/account-claims.js';
import { VobizClient } from '../../src/vobiz/index.js';
import { createLifecycleWorkers } from '../../src/worker/lifecycle-workers.js';
import { statusQuery } from '../../src/workflows/messages.js';
import { startTestSandbox, TEST_PARTNER } from '../../sandbox/testing.js';
import { WORKFLOWS_PATH, onboardingRequest, waitForState } from '../support/lifecycle.js';
import { workflowBundle } from '../support/temporal.js';

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

  it("reads a blocked customer's failure through the codec server: why it waits in the event list, the message in the event", async () => {
    const sandbox = await startTestSandbox();
    const vobiz = new VobizClient({ baseUrl: sandbox.url, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: TEST_PARTNER.authToken });
    const dataConverter = createDataConverter({ keys: [DEVELOPMENT_KEY] });
    const client = new Client({ connection: env.connection, dataConverter });
    const taskQueue = 'web-ui-codec-lifecycle';
    const workers = await createLifecycleWorkers({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflows: { workflowBundle: await workflowBundle(WORKFLOWS_PATH) },
      client,
      vobiz,
      activitySettings: { alertTimeoutMs: 2000 },
      unsealingKeys: [DEVELOPMENT_SECRETS_KEY],
      accountClaimKey: DEVELOPMENT_ACCOUNT_CLAIM_KEY,
      codec: { keys: [DEVELOPMENT_KEY] },
      shutdownGraceTimeMs: 0,
    });
    const running = workers.run();
    try {
      // Past every edge (they refuse it now): Vobiz answers 422 naming body.country, and the account step blocks.
      const request = onboardingRequest();
      request.customer.country = 'ZZ';
      const handle = await client.workflow.start('customerLifecycle', { taskQueue, workflowId: `customer-${request.customerRef}`, args: [request] });
      await waitForState(handle, (s) => s.stage === 'blocked');
      const { blocked } = await handle.query(statusQuery);
      expect(blocked).toMatchObject({ step: 'account', type: 'VobizValidationError' });
      expect(blocked?.reason).toContain('(country: Value error, country must be an ISO-3166 alpha-2 code');

      // Temporal holds the message encrypted: without the codec, neither the field nor Vobiz's rule is there.
      const plain = new Client({ connection: await Connection.connect({ address: env.connection.options.address }) });
      const raw = JSON.stringify(await plain.workflow.getHandle(handle.workflowId).fetchHistory());
      expect(raw).not.toContain('ISO-3166');
      expect(raw).not.toContain('Encoded failure');

      const page = await browser.newPage({ viewport: { width: 1500, height: 2100 } });
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${handle.workflowId}/${handle.firstExecutionRunId}/history`);
      // The event list: the newest event is the wait, whose summary says the stage and why; the failed activity
      // says its failure's type where the SDK alone would say "Encoded failure".
      await page.getByText('stage blocked · blocked at account (VobizValidationError)', { exact: false }).first().waitFor({ timeout: 30_000 });
      await page.getByText('VobizValidationError (message encrypted', { exact: false }).first().waitFor({ timeout: 30_000 });
      // Opening the failed event shows the message the codec server decoded: Vobiz's field and rule.
      const failed = page.getByText('Activity Task Failed').first();
      await failed.scrollIntoViewIfNeeded();
      await failed.click();
      await page.getByText('(country: Value error, country must be an ISO-3166 alpha-2 code', { exact: false }).first().waitFor({ timeout: 30_000 });
      if (process.env.WEB_UI_SCREENSHOT) await page.screenshot({ path: process.env.WEB_UI_SCREENSHOT });
      await handle.terminate('test done');
    } finally {
      workers.shutdown();
      await running;
      await vobiz.close();
      await sandbox.close();
    }
  });
});
