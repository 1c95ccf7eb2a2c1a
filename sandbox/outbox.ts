/**
 * Emails the sandbox "sends" (KYC links, re-sends, reminders) land here instead of a mail server, so a test, the
 * demo or a person can read the link and open the widget.
 */
import type { SandboxContext } from './context.js';
import { uuid } from './ids.js';

interface OutboxRow {
  seq: number; id: string; kind: string; to_addr: string; subject: string; body: string; link: string | null;
  session_id: string | null; created_at: string;
}

export function sendEmail(ctx: SandboxContext, mail: { kind: string; to: string; subject: string; body: string; link?: string; sessionId?: string }): void {
  ctx.db.run('INSERT INTO outbox (id, kind, to_addr, subject, body, link, session_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
    uuid(), mail.kind, mail.to, mail.subject, mail.body, mail.link ?? null, mail.sessionId ?? null, ctx.clock.iso(),
  ]);
}

/** One e-mail as the admin API shows it. */
export interface OutboxEmail {
  id: string;
  kind: string;
  to: string;
  subject: string;
  body: string;
  link: string | null;
  session_id: string | null;
  created_at: string;
}

export interface OutboxFilter {
  to?: string;
  sessionId?: string;
}

export function listOutbox(ctx: SandboxContext, filter: OutboxFilter): OutboxEmail[] {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.to) {
    where.push('to_addr = ? COLLATE NOCASE');
    params.push(filter.to);
  }
  if (filter.sessionId) {
    where.push('session_id = ?');
    params.push(filter.sessionId);
  }
  const rows = ctx.db.all<OutboxRow>(`SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`, params);
  return rows.map((r) => ({ id: r.id, kind: r.kind, to: r.to_addr, subject: r.subject, body: r.body, link: r.link, session_id: r.session_id, created_at: r.created_at }));
}
