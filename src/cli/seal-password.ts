/**
 * `npm run cli -- seal-password`: reads a customer's password from stdin (hidden when typed at a terminal; never an
 * argument, which would land in shell history and `ps`) and prints it sealed with SECRETS_PUBLIC_KEY, ready for
 * `customer.password` in an onboarding file. The plain password never reaches a file, Temporal or a log.
 */
import { sealPassword } from '../secrets/seal-password.js';
import type { SealingKey } from '../secrets/keys.js';
import { CliInputError } from './errors.js';

async function readPipedSecret(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** One line from the terminal with echo off (raw mode), so the password is not shown on screen. */
function readHiddenLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(), resolve(value);
        if (ch === '\u0003') return finish(), reject(new CliInputError('cancelled'));
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}

export async function sealPasswordFromStdin(key: SealingKey | undefined): Promise<string> {
  const plain = process.stdin.isTTY ? await readHiddenLine('Customer password (not shown): ') : await readPipedSecret();
  const result = sealPassword(plain, key);
  if (!result.ok) throw new CliInputError('cannot seal the password', result.problems);
  return result.sealed;
}
