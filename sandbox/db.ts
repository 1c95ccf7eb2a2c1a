/**
 * The sandbox's one SQLite file (node-sqlite3-wasm: SQLite compiled to WebAssembly, writing a real file).
 *
 * Everything the sandbox knows lives here, so stopping and starting on the same file keeps accounts, balances,
 * sessions, queued webhooks, the clock offset and injected faults. Calls are synchronous: Node runs one handler at a
 * time, so a handler's reads and writes cannot interleave with another's; `tx()` still wraps multi-row changes so a
 * thrown error rolls every row back (the "both legs or neither" rule of a transfer).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite from 'node-sqlite3-wasm';

type BindValue = number | string | null | boolean | bigint;
type Params = BindValue[] | Record<string, BindValue>;
export type Row = Record<string, unknown>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  auth_id TEXT PRIMARY KEY, kind TEXT NOT NULL, email TEXT NOT NULL UNIQUE COLLATE NOCASE, auth_token TEXT NOT NULL,
  balance_units INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, account_auth_id TEXT NOT NULL, type TEXT NOT NULL,
  amount_units INTEGER NOT NULL, currency TEXT NOT NULL, description TEXT, reference TEXT, reference_type TEXT NOT NULL,
  category TEXT NOT NULL, status TEXT NOT NULL, transfer_id TEXT, created_ms INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kyc_sessions (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL, account_auth_id TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL, doc TEXT NOT NULL, due_ms INTEGER);
CREATE TABLE IF NOT EXISTS numbers (e164 TEXT PRIMARY KEY, owner TEXT, status TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trunks (trunk_id TEXT PRIMARY KEY, owner TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cdrs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, account_auth_id TEXT NOT NULL, status TEXT NOT NULL,
  start_ms INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, kind TEXT NOT NULL, to_addr TEXT NOT NULL, subject TEXT NOT NULL,
  body TEXT NOT NULL, link TEXT, session_id TEXT, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, event TEXT NOT NULL, session_id TEXT, url TEXT NOT NULL,
  body TEXT NOT NULL, signature TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL, last_status_code INTEGER, last_error TEXT, attempt_log TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL, delivered_at TEXT);
CREATE TABLE IF NOT EXISTS faults (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL, method TEXT NOT NULL, pattern TEXT NOT NULL, mode TEXT NOT NULL,
  status INTEGER, retry_after_seconds INTEGER, rate REAL NOT NULL, remaining INTEGER, latency_ms INTEGER,
  hits INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS password_hashes (auth_id TEXT PRIMARY KEY, salt TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS traffic_rates (
  account_auth_id TEXT PRIMARY KEY, calls_per_minute REAL NOT NULL, carry REAL NOT NULL, last_ms INTEGER NOT NULL, mix TEXT);
-- Substring search over customers' name and email (GET /partner/accounts?search=): a trigram index answers
-- "contains" for terms of 3+ characters without reading every account. rowid = the customer's accounts.seq.
CREATE VIRTUAL TABLE IF NOT EXISTS account_search USING fts5(name, email, tokenize = 'trigram');
`;

/** Columns added after the first release: an older file gets them (and their backfill) when it is opened. */
const ADDED_COLUMNS: Array<{ table: string; column: string; type: string }> = [
  // The sandbox-clock time a session next needs attention (a reminder or its expiry); null once terminal.
  { table: 'kyc_sessions', column: 'due_ms', type: 'INTEGER' },
];

/**
 * Every request and every tick reads by one of these, so that its cost follows the rows it answers with, not the
 * size of the sandbox (a 10,000-customer benchmark must not find the sandbox its bottleneck).
 */
const INDEXES = `
CREATE INDEX IF NOT EXISTS ledger_account ON ledger (account_auth_id, seq);
CREATE INDEX IF NOT EXISTS cdrs_account ON cdrs (account_auth_id, id);
CREATE INDEX IF NOT EXISTS cdrs_account_start ON cdrs (account_auth_id, start_ms, id);
CREATE INDEX IF NOT EXISTS cdrs_start ON cdrs (start_ms, id);
CREATE INDEX IF NOT EXISTS accounts_kind_seq ON accounts (kind, seq);
CREATE INDEX IF NOT EXISTS kyc_status_seq ON kyc_sessions (status, seq);
CREATE INDEX IF NOT EXISTS kyc_account_seq ON kyc_sessions (account_auth_id, seq);
CREATE INDEX IF NOT EXISTS kyc_due ON kyc_sessions (due_ms) WHERE due_ms IS NOT NULL;
CREATE INDEX IF NOT EXISTS numbers_owner_seq ON numbers (owner, seq);
CREATE INDEX IF NOT EXISTS numbers_status ON numbers (status);
CREATE INDEX IF NOT EXISTS trunks_owner_seq ON trunks (owner, seq);
CREATE INDEX IF NOT EXISTS outbox_session ON outbox (session_id, seq);
CREATE INDEX IF NOT EXISTS outbox_to ON outbox (to_addr COLLATE NOCASE, seq);
CREATE INDEX IF NOT EXISTS webhook_pending ON webhook_deliveries (status, next_attempt_ms);
`;

export class SandboxDb {
  private readonly db: sqlite.Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 }); // under DATA_DIR: this user's only
    this.db = new sqlite.Database(path);
    const searchIndexExisted = this.tableExists('account_search');
    this.db.exec(SCHEMA);
    for (const { table, column, type } of ADDED_COLUMNS) {
      const columns = this.all<{ name: string }>(`PRAGMA table_info(${table})`).map((c) => c.name);
      if (!columns.includes(column)) this.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
    this.db.exec(INDEXES);
    if (!searchIndexExisted) {
      // A file from before the search index: index the customers it already holds.
      this.run(`INSERT INTO account_search (rowid, name, email)
        SELECT seq, json_extract(doc, '$.name'), email FROM accounts WHERE kind = 'customer'`);
    }
  }

  private tableExists(name: string): boolean {
    return this.get("SELECT 1 AS x FROM sqlite_master WHERE name = ?", [name]) !== undefined;
  }

  all<T = Row>(sql: string, params: Params = []): T[] {
    return this.db.all(sql, params) as T[];
  }

  get<T = Row>(sql: string, params: Params = []): T | undefined {
    return (this.db.get(sql, params) as T | null) ?? undefined;
  }

  run(sql: string, params: Params = []): { changes: number; lastInsertRowid: number } {
    const r = this.db.run(sql, params);
    return { changes: r.changes, lastInsertRowid: Number(r.lastInsertRowid) };
  }

  /** Runs `fn` in one transaction: all of its writes commit together, or a throw rolls all of them back. */
  tx<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  getMeta(key: string): string | undefined {
    return this.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key])?.value;
  }

  setMeta(key: string, value: string): void {
    this.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  /** The next value of a named counter (numeric account ids, row ordering), persisted with everything else. */
  nextSeq(name: string): number {
    const next = Number(this.getMeta(`seq:${name}`) ?? '0') + 1;
    this.setMeta(`seq:${name}`, String(next));
    return next;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

/** Parses a JSON `doc` column. */
export function parseDoc<T>(row: { doc: unknown }): T {
  return JSON.parse(String(row.doc)) as T;
}
