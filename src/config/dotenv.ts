/**
 * `.env`: settings kept in a file in the working directory instead of exported in every terminal (`.env.example`
 * is its template). Every entry point applies it before it loads its settings, with Node's own parser
 * (`util.parseEnv`, the one behind `--env-file`) and four rules of ours:
 *  - a variable already in the environment wins (empty counts as unset, as everywhere in src/config);
 *  - an empty value in the file is not given, so a copy of `.env.example` leaves the defaults in force;
 *  - only the variables of the process's role are taken: a secret the process does not use never enters it, and
 *    other tools' variables (docker compose reads this file too) are left alone;
 *  - a line that is neither `NAME=value` nor a comment is a configuration error naming the line (Node would skip
 *    it without a word, and the setting on it would silently not apply). Values are never quoted back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, exitWithConfigError, loadOrExit } from './problems.js';

const DOTENV_FILE = '.env';

/** The variables of a role: its schema, e.g. WORKER_PROCESS. */
type RoleVariables = Readonly<Record<string, unknown>>;

const ASSIGNMENT = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;
const QUOTES = new Set(['"', "'", '`']);
/** What may follow a closing quote: blanks and a comment. */
const AFTER_QUOTE = /^\s*(?:#.*)?$/;

/** Problems of a .env file's text, one per bad line, by line number (and name, never value). */
export function dotEnvProblems(text: string, file = DOTENV_FILE): string[] {
  const problems: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      problems.push(`${file} line ${i + 1}: expected NAME=value (a name of letters, digits and _) or a # comment`);
      continue;
    }
    const [, name, value = ''] = match;
    const quote = value[0];
    if (quote === undefined || !QUOTES.has(quote)) continue; // unquoted: the value runs to the end or to a # comment
    // A quoted value may span lines: it ends at the next same quote, here or on a later line.
    let rest = value.slice(1);
    let at = i;
    while (!rest.includes(quote) && at + 1 < lines.length) rest = lines[++at]!;
    if (!rest.includes(quote)) {
      problems.push(`${file} line ${i + 1}: the value of ${name} opens a quote (${quote}) that is never closed`);
      break;
    }
    if (!AFTER_QUOTE.test(rest.slice(rest.indexOf(quote) + 1))) {
      problems.push(`${file} line ${at + 1}: text after the closing quote of ${name}'s value (only a # comment may follow)`);
    }
    i = at;
  }
  return problems;
}

/**
 * Sets in `env` each variable of `role` that `path` (default ./.env) gives a value and `env` lacks. No file: nothing
 * happens. A malformed file throws a ConfigError naming its lines, and then nothing is set.
 */
export function applyDotEnv(role: RoleVariables, env: NodeJS.ProcessEnv = process.env, path = resolve(DOTENV_FILE)): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const problems = dotEnvProblems(text, path);
  if (problems.length > 0) throw new ConfigError(problems);
  const values = parseEnv(text.replace(/^\uFEFF/, ''));
  for (const name of Object.keys(role)) {
    const value = values[name];
    if (value !== undefined && value !== '' && (env[name] === undefined || env[name] === '')) env[name] = value;
  }
}

/** applyDotEnv for an entry point: a malformed file is reported like any bad setting, exit 78. */
export function applyDotEnvOrExit(role: RoleVariables): void {
  try {
    applyDotEnv(role);
  } catch (err) {
    if (err instanceof ConfigError) exitWithConfigError(err);
    throw err;
  }
}

/** An entry point's settings: ./.env applied for its role, then its role's loader; any problem exits 78. */
export function loadSettingsOrExit<T>(role: RoleVariables, load: (env: NodeJS.ProcessEnv) => T): T {
  applyDotEnvOrExit(role);
  return loadOrExit(load);
}
