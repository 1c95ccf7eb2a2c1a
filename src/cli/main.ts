/**
 * The operator CLI (`npm run cli -- <command>`), talking to Temporal directly with the payload codec:
 *
 *   onboard <file.json>                     start (or join) a customer's workflow; prints its ID and Web UI link
 *   seal-password                           read a password from stdin, print it sealed for customer.password
 *   status <customerRef>                    the workflow's state (JSON)
 *   resend-kyc <customerRef>
 *   revoke-kyc <customerRef> --reason <text>
 *   restart-kyc <customerRef>
 *   offboard <customerRef> --reason <text>
 *   buy-number <customerRef> --country IN [--search 9180]
 *
 * Inputs are validated before Temporal is called, with the same rules as the start API; exit codes in errors.ts.
 */
import { readFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { Command } from 'commander';
import { getLifecycleState, startOnboarding } from '../onboarding/start.js';
import { parseOperatorAction, runOperatorAction, type OperatorActionName } from '../onboarding/operator-actions.js';
import { withDeadline } from '../onboarding/temporal-calls.js';
import { loadConfigOrExit } from '../config.js';
import { connectClient } from '../temporal/connection.js';
import { CustomerRefSchema, describeProblems, parseOnboardingInput } from '../workflows/input.js';
import { CliInputError, EXIT, describeFailure } from './errors.js';
import { sealPasswordFromStdin } from './seal-password.js';

const config = loadConfigOrExit();
/** A query needs a worker to answer; without one, say so instead of hanging. Updates wait for the workflow to act. */
const QUERY_TIMEOUT_MS = 15_000;
const UPDATE_TIMEOUT_MS = 60_000;

/**
 * Runs one command with a lazily connected client (inputs are checked before Temporal is called, so a typo is
 * reported as such even when Temporal is down), then closes; every failure becomes a message and an exit code.
 */
async function run(fn: (connect: () => Promise<Client>) => Promise<void>): Promise<void> {
  let client: Client | undefined;
  const connect = async () => (client ??= await connectClient(config.temporal, config.codec));
  try {
    await fn(connect);
  } catch (err) {
    const { code, lines } = describeFailure(err);
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exitCode = code;
  } finally {
    await client?.connection.close().catch(() => undefined);
  }
}

function customerRef(value: string): string {
  const parsed = CustomerRefSchema.safeParse(value);
  if (!parsed.success) throw new CliInputError('invalid customerRef', describeProblems(parsed.error).map((p) => ({ ...p, field: 'customerRef' })));
  return parsed.data;
}

async function readInput(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliInputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliInputError(`${file} is not valid JSON`);
  }
}

function action(name: OperatorActionName, ref: string, body: unknown) {
  return run(async (connect) => {
    const parsed = parseOperatorAction(name, body);
    if (!parsed.ok) throw new CliInputError(`invalid ${name} arguments`, parsed.problems);
    const validRef = customerRef(ref);
    const client = await connect();
    const result = await withDeadline(client, UPDATE_TIMEOUT_MS, () => runOperatorAction(client, validRef, parsed.action));
    process.stdout.write(`${name} done for ${ref}: ${JSON.stringify(result)}\n`);
  });
}

const program = new Command()
  .name('vobiz-lifecycle')
  .description('Operate Vobiz customer lifecycle workflows')
  .showHelpAfterError();

program
  .command('onboard')
  .argument('<file.json>', 'onboarding input (see examples/onboarding.json)')
  .description("start a customer's lifecycle workflow, or join it if the same input was started before")
  .action((file: string) =>
    run(async (connect) => {
      const parsed = parseOnboardingInput(await readInput(file));
      if (!parsed.ok) throw new CliInputError(`invalid onboarding input in ${file}`, parsed.problems);
      const settings = { taskQueue: config.temporal.taskQueue, webUiUrl: config.bridge.webUiUrl };
      const outcome = await startOnboarding(await connect(), settings, parsed.input);
      process.stdout.write(
        `${outcome.status === 'started' ? 'Started' : 'Already running'}: ${outcome.workflowId} (run ${outcome.runId})\n` +
          `Web UI: ${outcome.webUiUrl}\n`,
      );
    }),
  );

program
  .command('seal-password')
  .description('read a customer password from stdin (hidden at a terminal) and print it sealed, for customer.password')
  .action(() =>
    run(async () => {
      process.stdout.write(`${await sealPasswordFromStdin(config.secrets.sealingKey)}\n`);
    }),
  );

program
  .command('status')
  .argument('<customerRef>')
  .description("print the workflow's state as JSON")
  .action((ref: string) =>
    run(async (connect) => {
      const validRef = customerRef(ref);
      const client = await connect();
      const state = await withDeadline(client, QUERY_TIMEOUT_MS, () => getLifecycleState(client, validRef));
      process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
    }),
  );

program.command('resend-kyc').argument('<customerRef>').description('re-send the KYC e-mail now').action((ref: string) => action('resend-kyc', ref, {}));
program
  .command('revoke-kyc')
  .argument('<customerRef>')
  .requiredOption('--reason <text>', 'why (shown in the audit log)')
  .description('revoke the open KYC session')
  .action((ref: string, opts: { reason: string }) => action('revoke-kyc', ref, { reason: opts.reason }));
program.command('restart-kyc').argument('<customerRef>').description('open a new KYC session after a failed, expired or revoked one').action((ref: string) => action('restart-kyc', ref, {}));
program
  .command('offboard')
  .argument('<customerRef>')
  .requiredOption('--reason <text>', 'why the customer leaves')
  .description('release numbers, disable the trunk, revoke open sessions, and end')
  .action((ref: string, opts: { reason: string }) => action('offboard', ref, { reason: opts.reason }));
program
  .command('buy-number')
  .argument('<customerRef>')
  .requiredOption('--country <code>', 'ISO 3166-1 alpha-2, e.g. IN')
  .option('--search <digits>', 'digits the number should contain')
  .description('buy a number from inventory for the customer')
  .action((ref: string, opts: { country: string; search?: string }) =>
    action('purchase-number', ref, { country: opts.country, ...(opts.search ? { search: opts.search } : {}) }),
  );

await program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = EXIT.failed;
});
