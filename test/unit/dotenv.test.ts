/**
 * ./.env (src/config/dotenv.ts): read by every entry point for its role's variables, the environment winning, a
 * malformed line a configuration error naming the line, never quoting a value back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_PROCESS, loadCliConfig } from '../../src/config/cli.js';
import { CODEC_SERVER_PROCESS } from '../../src/config/codec-server.js';
import { applyDotEnv, dotEnvProblems } from '../../src/config/dotenv.js';
import { ConfigError } from '../../src/config/problems.js';
import { loadLocalConfig, LOCAL_PROCESS } from '../../dev/config.js';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';

const dir = mkdtempSync(join(tmpdir(), 'dotenv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function dotEnv(text: string): string {
  const path = join(dir, `${++files}.env`);
  writeFileSync(path, text);
  return path;
}

describe('.env', () => {
  it('gives a role its variables, the environment winning, and only the variables of that role', () => {
    const path = dotEnv(
      [
        '# ports of my stack',
        'TEMPORAL_DEV_PORT=17233',
        'export TEMPORAL_NAMESPACE=staging   # a comment',
        'VOBIZ_PARTNER_AUTH_TOKEN="partner secret"',
        'LOG_LEVEL=debug',
        'POSTGRES_PASSWORD=compose-reads-this-too',
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn' };
    applyDotEnv(CLI_PROCESS, env, path);
    expect(env).toEqual({ LOG_LEVEL: 'warn', TEMPORAL_DEV_PORT: '17233', TEMPORAL_NAMESPACE: 'staging', VOBIZ_PARTNER_AUTH_TOKEN: 'partner secret' });
    // The CLI then talks to the dev server on the port the file names.
    expect(loadCliConfig(env).temporal.address).toBe('127.0.0.1:17233');

    // The codec server does not use the partner token: it never enters its environment.
    const codecEnv: NodeJS.ProcessEnv = {};
    applyDotEnv(CODEC_SERVER_PROCESS, codecEnv, path);
    expect(codecEnv).toEqual({ LOG_LEVEL: 'debug' });
  });

  it('leaves empty values unset, so a copy of .env.example keeps every default, and fills variables exported empty', () => {
    const path = dotEnv('TEMPORAL_ADDRESS=\nTEMPORAL_DEV_PORT=17233\n');
    const env: NodeJS.ProcessEnv = { TEMPORAL_DEV_PORT: '' };
    applyDotEnv(CLI_PROCESS, env, path);
    expect(env).toEqual({ TEMPORAL_DEV_PORT: '17233' });
    expect(loadCliConfig(env).dev.externalTemporal).toBe(false);
  });

  it('takes quoted values over several lines', () => {
    const path = dotEnv('SECRETS_PUBLIC_KEY="line one\nline two"\nTEMPORAL_NAMESPACE=\'after\'\n');
    const env: NodeJS.ProcessEnv = {};
    applyDotEnv(CLI_PROCESS, env, path);
    expect(env).toEqual({ SECRETS_PUBLIC_KEY: 'line one\nline two', TEMPORAL_NAMESPACE: 'after' });
  });

  it('is a configuration error naming each malformed line, without its value, and then sets nothing', () => {
    const path = dotEnv(['TEMPORAL_DEV_PORT=17233', 'VOBIZ_PARTNER_AUTH_TOKEN hunter2-secret', 'BRIDGE_PORT="8787" 9000', '9LIVES=1', 'CODEC_KEYS="unclosed', 'LOG_LEVEL=debug'].join('\n'));
    const env: NodeJS.ProcessEnv = {};
    const error = (() => {
      try {
        applyDotEnv(CLI_PROCESS, env, path);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      `${path} line 2: expected NAME=value (a name of letters, digits and _) or a # comment`,
      `${path} line 3: text after the closing quote of BRIDGE_PORT's value (only a # comment may follow)`,
      `${path} line 4: expected NAME=value (a name of letters, digits and _) or a # comment`,
      `${path} line 5: the value of CODEC_KEYS opens a quote (") that is never closed`,
    ]);
    expect((error as ConfigError).message).not.toContain('hunter2');
    expect(env).toEqual({});
  });

  it('takes comments, blank lines, Windows line ends and a byte-order mark', () => {
    expect(dotEnvProblems('\uFEFF# settings\r\n\r\n  TEMPORAL_DEV_PORT = 17233\r\nA=b # c\r\n')).toEqual([]);
  });

  it('is optional: no file, nothing happens', () => {
    const env: NodeJS.ProcessEnv = {};
    applyDotEnv(CLI_PROCESS, env, join(dir, 'missing.env'));
    expect(env).toEqual({});
  });
});

describe('.env.example, the template', () => {
  it('copied as .env, keeps every default of every process', () => {
    const env: NodeJS.ProcessEnv = {};
    applyDotEnv(LOCAL_PROCESS, env, join(PROJECT_ROOT, '.env.example'));
    expect(Object.keys(env).length).toBeGreaterThan(30);
    expect(loadLocalConfig(env)).toEqual(loadLocalConfig({}));
  });
});
