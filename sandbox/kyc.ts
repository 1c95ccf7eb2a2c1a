/**
 * KYC sessions (doc §5.10–§5.12): the state machine, the emails it sends and the webhooks it fires.
 *
 * Statuses: email_sent | link_ready → opened (widget loaded) → in_progress (PAN accepted, kyc_type known) → kyc_completed.
 * The documented enum has no status for a failed or an expired session although `kyc.failed` and
 * `kyc.session_expired` exist; the sandbox adds the terminal statuses `failed` and `expired` so that a client can
 * confirm either event with GET (docs/sandbox.md). Terminal: kyc_completed, revoked, failed, expired. A terminal
 * session never changes again; a retry is a new session.
 */
import type { SandboxContext } from './context.js';
import { DAY_MS } from './clock.js';
import { parseDoc } from './db.js';
import { uuid, widgetToken } from './ids.js';
import { sendEmail } from './outbox.js';
import { findCustomer, saveCustomerDoc } from './accounts.js';

const TERMINAL_STATUSES = ['kyc_completed', 'revoked', 'failed', 'expired'] as const;
export const ALL_STATUSES = ['email_sent', 'link_ready', 'opened', 'in_progress', ...TERMINAL_STATUSES] as const;
export type KycStatus = (typeof ALL_STATUSES)[number];
const RESEND_COOLDOWN_MS = 30 * 60 * 1000;

export interface ReminderPoint { trigger: 'days_before_expiry'; value: number }

export interface SessionDoc {
  id: string; account_auth_id: string; flow_type: 'email' | 'redirect'; customer_email: string | null;
  kyc_type: 'individual' | 'company' | null; status: KycStatus; expires_at: string; first_opened_at: string | null;
  completed_at: string | null; webhook_url: string | null; redirect_url: string | null; reminder_schedule: ReminderPoint[];
  metadata: Record<string, unknown> | null; verified_data: Record<string, unknown> | null; created_at: string; updated_at: string;
  /** Sandbox-only bookkeeping, shown on GET for test visibility except the token. */
  last_sent_at: string | null; reminders_sent: number[]; failure_reason: string | null; revoke_reason: string | null;
  /** Widget progress: which form comes next. */
  widget_step: 'pan' | 'aadhaar' | 'gstin' | 'done'; pan: string | null; dob: string | null; entity_name: string | null;
}

interface SessionRow { id: string; token: string; status: string; doc: string }

export function isTerminal(status: KycStatus): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export function widgetUrl(ctx: SandboxContext, token: string): string {
  return `${ctx.publicUrl}/kyc/verify?token=${token}`;
}

/** "john@example.com" → "j***@example.com". */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

/** "ABCPE1234K" → "ABCPEXXXXX" (the doc's mid-flow mask: the first five letters stay). */
export function maskPan(pan: string): string {
  return `${pan.slice(0, 5)}XXXXX`;
}

export function findSession(ctx: SandboxContext, id: string): { doc: SessionDoc; token: string } | undefined {
  const row = ctx.db.get<SessionRow>('SELECT * FROM kyc_sessions WHERE id = ?', [id]);
  return row ? { doc: parseDoc<SessionDoc>(row), token: row.token } : undefined;
}

export function findSessionByToken(ctx: SandboxContext, token: string): SessionDoc | undefined {
  const row = ctx.db.get<SessionRow>('SELECT * FROM kyc_sessions WHERE token = ?', [token]);
  return row ? parseDoc<SessionDoc>(row) : undefined;
}

/** Every session, newest first: only for the admin state dump. */
export function listSessions(ctx: SandboxContext): SessionDoc[] {
  return ctx.db.all<SessionRow>('SELECT * FROM kyc_sessions ORDER BY seq DESC').map((r) => parseDoc<SessionDoc>(r));
}

/**
 * One page of sessions, newest first, filtered by status and/or account, and how many match in all: read through
 * the (status, seq) or (account_auth_id, seq) index, so a partner-wide sweep of 10,000 sessions costs a page per page.
 */
export function pageSessions(ctx: SandboxContext, q: { status?: string | undefined; account?: string | undefined; offset: number; limit: number }): { sessions: SessionDoc[]; total: number } {
  const where: string[] = [];
  const params: string[] = [];
  if (q.status) {
    where.push('status = ?');
    params.push(q.status);
  }
  if (q.account) {
    where.push('account_auth_id = ?');
    params.push(q.account);
  }
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = Number(ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM kyc_sessions ${filter}`, params)?.n ?? 0);
  const rows = ctx.db.all<SessionRow>(`SELECT * FROM kyc_sessions ${filter} ORDER BY seq DESC LIMIT ? OFFSET ?`, [...params, q.limit, q.offset]);
  return { sessions: rows.map((r) => parseDoc<SessionDoc>(r)), total };
}

/** Reminder points (days before expiry) still to send: one already past when the session was created never is. */
function pendingReminders(doc: SessionDoc): Array<{ days: number; atMs: number }> {
  const expiresMs = Date.parse(doc.expires_at);
  return doc.reminder_schedule
    .map((p) => ({ days: p.value, atMs: expiresMs - p.value * DAY_MS }))
    .filter((r) => !doc.reminders_sent.includes(r.days) && r.atMs > Date.parse(doc.created_at));
}

/**
 * When the session next needs the timer (its next reminder or its expiry, sandbox clock), or null once terminal.
 * Stored and indexed, so a tick reads only the sessions that are due.
 */
function nextDueMs(doc: SessionDoc): number | null {
  if (isTerminal(doc.status)) return null;
  return Math.min(Date.parse(doc.expires_at), ...pendingReminders(doc).map((r) => r.atMs));
}

function save(ctx: SandboxContext, doc: SessionDoc): void {
  ctx.db.run('UPDATE kyc_sessions SET status = ?, doc = ?, due_ms = ? WHERE id = ?', [doc.status, JSON.stringify(doc), nextDueMs(doc), doc.id]);
}

/** Open sessions stored before `due_ms` existed get theirs (once, at start). */
export function backfillDueTimes(ctx: SandboxContext): void {
  const rows = ctx.db.all<SessionRow>(
    `SELECT * FROM kyc_sessions WHERE due_ms IS NULL AND status NOT IN (${TERMINAL_STATUSES.map(() => '?').join(',')})`,
    [...TERMINAL_STATUSES],
  );
  if (rows.length === 0) return;
  ctx.db.tx(() => {
    for (const row of rows) ctx.db.run('UPDATE kyc_sessions SET due_ms = ? WHERE id = ?', [nextDueMs(parseDoc<SessionDoc>(row)), row.id]);
  });
}

/** The GET object: key `id` and exactly the fields of the docs' session object (= the SDK's model). */
export function renderSession(doc: SessionDoc): Record<string, unknown> {
  return {
    id: doc.id, account_auth_id: doc.account_auth_id, customer_email: doc.customer_email,
    kyc_type: doc.kyc_type, status: doc.status, expires_at: doc.expires_at, first_opened_at: doc.first_opened_at,
    completed_at: doc.completed_at, webhook_url: doc.webhook_url, redirect_url: doc.redirect_url,
    reminder_schedule: doc.reminder_schedule, metadata: doc.metadata, verified_data: doc.verified_data,
    created_at: doc.created_at, updated_at: doc.updated_at,
  };
}

/** The admin view (/_sandbox/kyc/{id}): the public object plus the sandbox's bookkeeping, which Vobiz does not show. */
export function renderSessionForAdmin(doc: SessionDoc): Record<string, unknown> {
  return {
    ...renderSession(doc), flow_type: doc.flow_type, last_sent_at: doc.last_sent_at, failure_reason: doc.failure_reason,
    revoke_reason: doc.revoke_reason, reminders_sent: doc.reminders_sent, widget_step: doc.widget_step,
  };
}

/** The union payload of doc §5.11: both `status` and `session_status`, plus `reason` on revoke and fail. */
function fire(ctx: SandboxContext, event: string, doc: SessionDoc, reason?: string | null): void {
  if (!doc.webhook_url) return; // no webhook_url → no callbacks (doc §5.10)
  const payload = {
    event, timestamp: ctx.clock.iso(), session_id: doc.id, account_auth_id: doc.account_auth_id, customer_email: doc.customer_email,
    kyc_type: doc.kyc_type, status: doc.status, session_status: doc.status, metadata: doc.metadata, verified_data: doc.verified_data,
    ...(reason !== undefined ? { reason } : {}), created_at: doc.created_at, updated_at: doc.updated_at,
  };
  ctx.webhooks.enqueue(event, doc.id, doc.webhook_url, payload);
}

function sendKycEmail(ctx: SandboxContext, doc: SessionDoc, token: string, kind: 'kyc_link' | 'kyc_resend' | 'kyc_reminder', note = ''): void {
  if (!doc.customer_email) return;
  const link = widgetUrl(ctx, token);
  const subject = kind === 'kyc_reminder' ? 'Reminder: complete your KYC verification' : 'Complete your KYC verification';
  sendEmail(ctx, {
    kind, to: doc.customer_email, subject, link, sessionId: doc.id,
    body: `Hello,\n\nPlease verify your identity to activate your Vobiz account.${note}\n\nOpen: ${link}\n\nThis link expires at ${doc.expires_at}.\n`,
  });
}

interface NewSessionInput {
  account_auth_id: string; flow_type: 'email' | 'redirect'; customer_email?: string | undefined; redirect_url?: string | undefined;
  webhook_url?: string | undefined; expires_in_days: number; reminder_schedule: ReminderPoint[]; metadata?: Record<string, unknown> | undefined;
}

/** Creates a session; an open session of the same account is revoked first (one active session per account). */
export function createSession(ctx: SandboxContext, input: NewSessionInput): { doc: SessionDoc; token: string } {
  return ctx.db.tx(() => {
    const open = ctx.db.all<SessionRow>(
      `SELECT * FROM kyc_sessions WHERE account_auth_id = ? AND status NOT IN (${TERMINAL_STATUSES.map(() => '?').join(',')})`,
      [input.account_auth_id, ...TERMINAL_STATUSES],
    );
    for (const row of open) revoke(ctx, parseDoc<SessionDoc>(row), 'Superseded by a new KYC session');
    const nowMs = ctx.clock.nowMs();
    const now = ctx.clock.iso(nowMs);
    const email = input.flow_type === 'email';
    const doc: SessionDoc = {
      id: uuid(), account_auth_id: input.account_auth_id, flow_type: input.flow_type,
      customer_email: email ? (input.customer_email ?? null) : null, kyc_type: null, status: email ? 'email_sent' : 'link_ready',
      expires_at: ctx.clock.iso(nowMs + input.expires_in_days * DAY_MS), first_opened_at: null, completed_at: null,
      webhook_url: input.webhook_url ?? null, redirect_url: email ? null : (input.redirect_url ?? null),
      reminder_schedule: email ? input.reminder_schedule : [], metadata: input.metadata ?? null, verified_data: null,
      created_at: now, updated_at: now, last_sent_at: email ? now : null, reminders_sent: [], failure_reason: null,
      revoke_reason: null, widget_step: 'pan', pan: null, dob: null, entity_name: null,
    };
    const token = widgetToken();
    ctx.db.run('INSERT INTO kyc_sessions (id, seq, account_auth_id, token, status, doc, due_ms) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      doc.id, ctx.db.nextSeq('kyc'), doc.account_auth_id, token, doc.status, JSON.stringify(doc), nextDueMs(doc),
    ]);
    if (email) sendKycEmail(ctx, doc, token, 'kyc_link');
    return { doc, token };
  });
}

export function revoke(ctx: SandboxContext, doc: SessionDoc, reason: string | null): SessionDoc {
  const next: SessionDoc = { ...doc, status: 'revoked', revoke_reason: reason, updated_at: ctx.clock.iso() };
  save(ctx, next);
  fire(ctx, 'kyc.session_revoked', next, reason);
  return next;
}

export function resend(ctx: SandboxContext, doc: SessionDoc, token: string): SessionDoc {
  const next: SessionDoc = { ...doc, last_sent_at: ctx.clock.iso(), updated_at: ctx.clock.iso() };
  save(ctx, next);
  sendKycEmail(ctx, next, token, 'kyc_resend');
  return next;
}

/** Seconds left in the 30-minute resend cooldown (0 when a resend is allowed). */
export function resendCooldownSeconds(ctx: SandboxContext, doc: SessionDoc): number {
  if (!doc.last_sent_at) return 0;
  const left = Date.parse(doc.last_sent_at) + RESEND_COOLDOWN_MS - ctx.clock.nowMs();
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

export function markOpened(ctx: SandboxContext, doc: SessionDoc): SessionDoc {
  if (doc.status !== 'email_sent' && doc.status !== 'link_ready') return doc;
  const now = ctx.clock.iso();
  const next: SessionDoc = { ...doc, status: 'opened', first_opened_at: doc.first_opened_at ?? now, updated_at: now };
  save(ctx, next);
  return next;
}

/** PAN accepted: the 4th character fixed the path; the session is now in progress. */
export function recordPan(ctx: SandboxContext, doc: SessionDoc, pan: string, extra: { dob?: string; entityName?: string }, registeredName: string): SessionDoc {
  const kycType = pan[3] === 'C' ? 'company' : 'individual';
  const next: SessionDoc = {
    ...doc, status: 'in_progress', kyc_type: kycType, pan, dob: extra.dob ?? null, entity_name: extra.entityName ?? null,
    first_opened_at: doc.first_opened_at ?? ctx.clock.iso(), widget_step: kycType === 'company' ? 'gstin' : 'aadhaar', updated_at: ctx.clock.iso(),
    verified_data: { pan_type: kycType, pan_number: maskPan(pan), pan_name_match: true, pan_registered_name: registeredName, completed_steps: ['pan'] },
  };
  save(ctx, next);
  return next;
}

/** The final step passed: completed, the account's kyc_status follows, and `kyc.completed` fires. */
export function complete(ctx: SandboxContext, doc: SessionDoc, verified: Record<string, unknown>, kycType: 'individual' | 'company'): SessionDoc {
  return ctx.db.tx(() => {
    const now = ctx.clock.iso();
    const next: SessionDoc = { ...doc, status: 'kyc_completed', kyc_type: kycType, completed_at: now, updated_at: now, widget_step: 'done', verified_data: verified };
    save(ctx, next);
    const customer = findCustomer(ctx, doc.account_auth_id);
    if (customer) saveCustomerDoc(ctx, { ...customer.doc, kyc_status: 'completed', is_verified: true, updated_at: now });
    fire(ctx, 'kyc.completed', next);
    return next;
  });
}

export function fail(ctx: SandboxContext, doc: SessionDoc, reason: string): SessionDoc {
  return ctx.db.tx(() => {
    const next: SessionDoc = { ...doc, status: 'failed', failure_reason: reason, widget_step: 'done', updated_at: ctx.clock.iso() };
    save(ctx, next);
    fire(ctx, 'kyc.failed', next, reason);
    return next;
  });
}

/** Sessions handled per transaction when many fall due at once (a clock jump over 10,000 open sessions). */
const TIMER_BATCH = 500;

/**
 * Due reminders go out, then sessions past `expires_at` expire (`kyc.session_expired`). Runs on every tick and after
 * every clock change, and reads only sessions whose `due_ms` has come (an index range), so an idle tick over
 * thousands of open sessions is one empty index lookup. Handling a session moves its `due_ms` past now (or clears it).
 */
export function runKycTimers(ctx: SandboxContext): void {
  const nowMs = ctx.clock.nowMs();
  for (;;) {
    const rows = ctx.db.all<SessionRow>('SELECT * FROM kyc_sessions WHERE due_ms <= ? ORDER BY due_ms LIMIT ?', [nowMs, TIMER_BATCH]);
    if (rows.length === 0) return;
    ctx.db.tx(() => {
      for (const row of rows) fireDue(ctx, parseDoc<SessionDoc>(row), row.token, nowMs);
    });
    if (rows.length < TIMER_BATCH) return;
  }
}

function fireDue(ctx: SandboxContext, session: SessionDoc, token: string, nowMs: number): void {
  let doc = session;
  const due = pendingReminders(doc).filter((r) => r.atMs <= nowMs);
  for (const { days } of due.sort((a, b) => b.days - a.days)) {
    sendKycEmail(ctx, doc, token, 'kyc_reminder', ` Your verification link expires in ${days} day${days === 1 ? '' : 's'}.`);
    doc = { ...doc, reminders_sent: [...doc.reminders_sent, days] };
  }
  if (nowMs >= Date.parse(doc.expires_at)) {
    doc = { ...doc, status: 'expired', updated_at: ctx.clock.iso(nowMs) };
    save(ctx, doc);
    fire(ctx, 'kyc.session_expired', doc);
  } else {
    save(ctx, doc);
  }
}
