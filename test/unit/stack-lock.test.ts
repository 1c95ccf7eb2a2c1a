/**
 * One stack per data folder (dev/stack-lock.ts): a live owner's lock refuses, naming it; a dead owner's, or one
 * whose pid now belongs to another program, is taken over. Owners here are real processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataFolder, processStartTime, StackInUseError, type LockOwner } from '../../dev/stack-lock.js';

const root = mkdtempSync(join(tmpdir(), 'stack-lock-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

let folders = 0;
const folder = () => {
  const dir = join(root, String(++folders));
  mkdirSync(dir);
  return dir;
};

function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

function writeLock(dir: string, owner: Partial<LockOwner>): string {
  const raw = JSON.stringify({ command: 'npm start', startedAt: '2026-01-01T00:00:00.000Z', ports: ['BRIDGE_PORT 8787'], ...owner });
  writeFileSync(join(dir, LOCK_FILE), raw);
  return raw;
}

describe('the data folder lock', () => {
  it('refuses while its owner runs, naming the owner, and leaves its lock alone', () => {
    const dir = folder();
    const owner = sleeper();
    const raw = writeLock(dir, { pid: owner.pid!, processStart: processStartTime(owner.pid!)! });
    const refusal = (() => {
      try {
        lockDataFolder(dir, { command: 'npm start', ports: [] });
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(StackInUseError);
    expect((refusal as Error).message).toContain(`a stack already runs on this data folder (${dir}): npm start, pid ${owner.pid}, since 2026-01-01T00:00:00.000Z, listening on BRIDGE_PORT 8787`);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(raw);
  });

  it('refuses a second stack of the same process too', () => {
    const dir = folder();
    const first = lockDataFolder(dir, { command: 'npm start', ports: [] });
    expect(() => lockDataFolder(dir, { command: 'npm run demo', ports: [] })).toThrow(StackInUseError);
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('takes over the lock of an owner that is gone, and says so', async () => {
    const dir = folder();
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const start = processStartTime(gone.pid!);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeLock(dir, { pid: gone.pid!, processStart: start ?? '1' });
    const notices: string[] = [];
    const lock = lockDataFolder(dir, { command: 'npm start', ports: ['SANDBOX_PORT 4010'] }, (line) => notices.push(line));
    expect(notices).toEqual([`Taking over ${join(dir, LOCK_FILE)}: its stack (pid ${gone.pid}, npm start) is gone`]);
    const mine = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockOwner;
    expect(mine).toMatchObject({ pid: process.pid, processStart: processStartTime(process.pid), command: 'npm start', ports: ['SANDBOX_PORT 4010'] });
    lock.release();
  });

  it('takes over a lock whose pid now belongs to another program (another start time)', () => {
    const dir = folder();
    const other = sleeper();
    writeLock(dir, { pid: other.pid!, processStart: `${processStartTime(other.pid!)}0` });
    const lock = lockDataFolder(dir, { command: 'npm start', ports: [] });
    expect((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockOwner).pid).toBe(process.pid);
    expect(other.exitCode).toBeNull(); // the other program is left alone
    lock.release();
  });

  it('takes over a file that is not a lock it wrote', () => {
    const dir = folder();
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    const lock = lockDataFolder(dir, { command: 'npm start', ports: [] });
    expect((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockOwner).pid).toBe(process.pid);
    lock.release();
  });

  it('gives back only a lock that is still its own', () => {
    const dir = folder();
    const lock = lockDataFolder(dir, { command: 'npm start', ports: [] });
    const other = sleeper();
    const raw = writeLock(dir, { pid: other.pid!, processStart: processStartTime(other.pid!)! });
    lock.release();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(raw);
  });
});
