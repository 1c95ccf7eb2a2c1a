/**
 * The operator CLI (`npm run cli -- <command>`; `--help` on any command). It talks to Temporal directly with the
 * payload codec (the same server `npm start` runs unless TEMPORAL_ADDRESS says otherwise) and to Vobiz through
 * the project's client. Tables for people by default, `--json` for scripts; exit codes in errors.ts.
 *
 *   onboard <file.json> | --file customers.csv|.jsonl [--concurrency 8]
 *   seal-password                           read a password from stdin, print it sealed for customer.password
 *   customers [--stage kyc] [--kyc-status kyc_pending] [--page-size 50] [--page-token …] [--all]
 *   status <customerRef>
 *   resend-kyc | restart-kyc <customerRef>;  revoke-kyc | offboard <customerRef> --reason <text> [--force]
 *   buy-number <customerRef> --country IN [--search 9180];  release-number <customerRef> <e164>
 *   transactions <customerRef> [--type --from --to] [--limit N | --all] [--csv]
 *   cdrs <customerRef> | --partner [--direction --status --from --to …] [--limit N | --all] [--csv]
 *   numbers <customerRef>;  balance <customerRef>;  inventory [--country --search --exclude] [--all];  partner;  dashboard
 *   doctor [--json] [--wait 20]             the start-up checks, from here and from the worker and the bridge
 */
import { Command } from 'commander';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerOnboardingCommands } from './commands/onboarding.js';
import { registerVobizCommands } from './commands/vobiz.js';
import { EXIT } from './errors.js';
import { printable } from './output.js';

const program = new Command()
  .name('vobiz-lifecycle')
  .description('Operate Vobiz customer lifecycle workflows')
  .showHelpAfterError()
  // A missing argument or unknown option is invalid input, like a bad field.
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.invalidInput);
  });

registerOnboardingCommands(program);
registerVobizCommands(program);
registerDoctorCommand(program);

await program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${printable((err as Error).message)}\n`);
  process.exitCode = EXIT.failed;
});
