// The sandbox at fleet scale: with thousands of accounts and open KYC sessions, the lookups a fleet makes (profile,
// account search and list pages, session pages by status, the timer tick) read through an index and parse only the
// rows they answer with. Asserted on SQLite's query plans and on the rows each statement returned, never on time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { countCustomers, createCustomer, ensurePartner, pageCustomers } from '../../sandbox/accounts.js';
import { Clock, DAY_MS } from '../../sandbox/clock.js';
import type { SandboxContext } from '../../sandbox/context.js';
import { SandboxDb, type Row } from '../../sandbox/db.js';
import { backfillDueTimes, createSession, findSession, pageSessions, runKycTimers } from '../../sandbox/kyc.js';
import { RequestMeter } from '../../sandbox/request-meter.js';
import { WebhookDispatcher } from '../../sandbox/webhooks.js';

const N = 3000;

/** A SandboxDb that remembers every read statement and how many rows it returned. */
class RecordingDb extends SandboxDb {
  // Undefined while the base constructor creates the schema (fields are set after it returns).
  reads: Array<{ sql: string; params: unknown[]; rows: number }> | undefined = [];

  override all<T = Row>(sql: string, params: Parameters<SandboxDb['all']>[1] = []): T[] {
    const rows = super.all<T>(sql, params);
    this.reads?.push({ sql, params: params as unknown[], rows: rows.length });
    return rows;
  }

  override get<T = Row>(sql: string, params: Parameters<SandboxDb['get']>[1] = []): T | undefined {
    const row = super.get<T>(sql, params);
    this.reads?.push({ sql, params: params as unknown[], rows: row === undefined ? 0 : 1 });
    return row;
  }

  /** Runs `fn` and returns what it read, with each statement's query plan. */
  record(fn: () => void): Array<{ sql: string; rows: number; plan: string[] }> {
    this.reads = [];
    fn();
    const reads = this.reads ?? [];
    this.reads = [];
    return reads.map((r) => ({ sql: r.sql, rows: r.rows, plan: super.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${r.sql}`, r.params as never).map((p) => p.detail) }));
  }
}

/** No statement walks a whole table: every table access is an index search (or the FTS index). */
function expectIndexed(reads: Array<{ sql: string; plan: string[] }>): void {
  for (const read of reads) {
    for (const step of read.plan) {
      if (!/^SCAN /.test(step)) continue;
      expect(step, `${read.sql} → ${read.plan.join(' | ')}`).toMatch(/VIRTUAL TABLE INDEX \d+:M/);
    }
  }
}

function contextOn(db: SandboxDb): SandboxContext {
  const logger = createLogger({ name: 'test', level: 'silent' });
  return {
    db, clock: new Clock(db), logger, partnerAuthId: 'PA_SANDBOX1', partnerAuthToken: 'token', publicUrl: 'http://sandbox.test',
    webhooks: new WebhookDispatcher(db, logger, () => 'token', { maxAttempts: 1, initialBackoffMs: 10, concurrency: 1 }),
    settings: { responseShape: 'sdk', strictPathCasing: false }, requests: new RequestMeter(), runDueWork: () => undefined,
  };
}

function fixture() {
  const db = new RecordingDb(':memory:');
  const ctx = contextOn(db);
  ensurePartner(ctx, 100_000, N);
  // Customers as createCustomer stores them (account row + search row), minus the deliberately slow password hash.
  db.tx(() => {
    for (let i = 1; i <= N; i++) {
      const authId = `MA_${String(i).padStart(8, '0')}`;
      const doc = { auth_id: authId, name: `Customer ${i}`, email: `cust-${i}@example.com`, partner_id: 'p' };
      db.run("INSERT INTO accounts (auth_id, kind, email, auth_token, balance_units, seq, doc) VALUES (?, 'customer', ?, 't', 0, ?, ?)", [authId, doc.email, i, JSON.stringify(doc)]);
      db.run('INSERT INTO account_search (rowid, name, email) VALUES (?, ?, ?)', [i, doc.name, doc.email]);
    }
  });
  return { db, ctx };
}

describe('sandbox lookups with thousands of accounts', () => {
  const { db, ctx } = fixture();

  it('counts accounts for /me on the index, reading no account', () => {
    let count = 0;
    const reads = db.record(() => (count = countCustomers(ctx)));
    expect(count).toBe(N);
    expectIndexed(reads);
    expect(reads.map((r) => r.plan.join())).toEqual([expect.stringMatching(/COVERING INDEX accounts_kind_seq/)]);
  });

  it('answers an email search from the trigram index with only the matching account', () => {
    let result: ReturnType<typeof pageCustomers> | undefined;
    const reads = db.record(() => (result = pageCustomers(ctx, { search: 'CUST-1234@example', offset: 0, limit: 20 })));
    expect(result?.total).toBe(1);
    expect(result?.customers.map((c) => c.doc.auth_id)).toEqual(['MA_00001234']);
    expectIndexed(reads);
    expect(reads.reduce((sum, r) => sum + r.rows, 0)).toBe(2); // the count and the one account
  });

  it('keeps substring semantics: a name fragment matches every name containing it, newest first', () => {
    const { customers, total } = pageCustomers(ctx, { search: 'customer 29', offset: 0, limit: 5 });
    expect(total).toBe(111); // 29, 290–299, 2900–2999
    expect(customers.map((c) => c.doc.name)).toEqual(['Customer 2999', 'Customer 2998', 'Customer 2997', 'Customer 2996', 'Customer 2995']);
    // A term too short for trigrams still answers (from the small search table, not the account documents).
    expect(pageCustomers(ctx, { search: '7@', offset: 0, limit: 1 }).total).toBe(300);
  });

  it('reads one page of the account list, not every account', () => {
    let result: ReturnType<typeof pageCustomers> | undefined;
    const reads = db.record(() => (result = pageCustomers(ctx, { offset: 2900, limit: 100 })));
    expect(result?.total).toBe(N);
    expect(result?.customers).toHaveLength(100);
    expect(result?.customers[0]?.doc.auth_id).toBe('MA_00000100');
    expectIndexed(reads);
    expect(Math.max(...reads.map((r) => r.rows))).toBe(100);
  });
});

describe('sandbox KYC sessions with thousands open', () => {
  const { db, ctx } = fixture();
  const ids: string[] = [];
  db.tx(() => {
    for (let i = 1; i <= N; i++) {
      const account = `MA_${String(i).padStart(8, '0')}`;
      const { doc } = createSession(ctx, {
        account_auth_id: account, flow_type: i % 2 === 0 ? 'email' : 'redirect', customer_email: `cust-${i}@example.com`,
        redirect_url: 'https://partner.test/back', expires_in_days: 7, reminder_schedule: [{ trigger: 'days_before_expiry', value: 2 }],
      });
      ids.push(doc.id);
    }
  });

  it('pages sessions by status (the sweep) and by account through their indexes', () => {
    let page: ReturnType<typeof pageSessions> | undefined;
    const reads = db.record(() => (page = pageSessions(ctx, { status: 'email_sent', offset: 1400, limit: 100 })));
    expect(page?.total).toBe(N / 2);
    expect(page?.sessions).toHaveLength(100);
    expect(page?.sessions.every((s) => s.status === 'email_sent')).toBe(true);
    expectIndexed(reads);
    expect(Math.max(...reads.map((r) => r.rows))).toBe(100);

    const one = db.record(() => (page = pageSessions(ctx, { account: 'MA_00000007', offset: 0, limit: 20 })));
    expect(page?.sessions.map((s) => s.id)).toEqual([ids[6]]);
    expectIndexed(one);
  });

  it('ticks over thousands of open sessions reading nothing until something is due, and fires what a clock jump made due', () => {
    const idle = db.record(() => runKycTimers(ctx));
    expect(idle).toHaveLength(1);
    expect(idle[0]?.rows).toBe(0);
    expectIndexed(idle);

    const mailsBefore = Number(db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'kyc_reminder'")?.n);
    ctx.clock.advance((5 * DAY_MS) / 1000 + 60); // past the reminder point (2 days before a 7-day expiry)
    runKycTimers(ctx);
    const reminders = Number(db.get<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'kyc_reminder'")?.n) - mailsBefore;
    expect(reminders).toBe(N / 2); // the email-flow sessions; redirect sessions have no reminders
    expect(findSession(ctx, ids[1] ?? '')?.doc.reminders_sent).toEqual([2]);

    const afterReminders = db.record(() => runKycTimers(ctx));
    expect(afterReminders[0]?.rows).toBe(0); // each handled session moved its due time on

    ctx.clock.advance(2 * DAY_MS / 1000);
    runKycTimers(ctx);
    expect(pageSessions(ctx, { status: 'expired', offset: 0, limit: 1 }).total).toBe(N);
    expect(db.get<{ n: number }>('SELECT COUNT(*) AS n FROM kyc_sessions WHERE due_ms IS NOT NULL')?.n).toBe(0);
  });
});

describe('a sandbox file from before the indexes', () => {
  it('gets the account search rows and the sessions\' due times when opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-migrate-'));
    try {
      const path = join(dir, 'sandbox.sqlite');
      // Written by today's code, then stripped of what an older file lacks.
      const before = contextOn(new SandboxDb(path));
      ensurePartner(before, 1000);
      const { doc } = createCustomer(before, { name: 'Legacy Customer', email: 'legacy@example.com', phone: '+919876543210', password: 'SecurePass123!', country: 'IN', currency: 'INR' });
      const session = createSession(before, { account_auth_id: doc.auth_id, flow_type: 'email', customer_email: doc.email, expires_in_days: 7, reminder_schedule: [] });
      before.db.run('DROP INDEX kyc_due');
      before.db.run('ALTER TABLE kyc_sessions DROP COLUMN due_ms');
      before.db.run('DROP TABLE account_search');
      before.db.close();

      const ctx = contextOn(new SandboxDb(path));
      backfillDueTimes(ctx); // what startSandbox does
      expect(pageCustomers(ctx, { search: 'legacy@', offset: 0, limit: 20 }).customers.map((c) => c.doc.auth_id)).toEqual([doc.auth_id]);
      ctx.clock.advance((8 * DAY_MS) / 1000);
      runKycTimers(ctx);
      expect(findSession(ctx, session.doc.id)?.doc.status).toBe('expired');
      ctx.db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
