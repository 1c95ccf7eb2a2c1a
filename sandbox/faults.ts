/**
 * Fault injection for resilience tests: per route pattern, answer with an error status, add latency, or let the
 * handler commit and then drop the connection without answering (`commit_then_drop`: the client sees a reset
 * although the change happened — exactly the case that makes a non-idempotent call dangerous to retry blindly).
 * Rules live in the database, so a restart keeps them (and their remaining counts).
 */
import type { SandboxContext } from './context.js';
import { uuid } from './ids.js';

export type FaultMode = 'error' | 'latency' | 'commit_then_drop';

export interface FaultRule {
  id: string; method: string; pattern: string; mode: FaultMode; status: number | null; retry_after_seconds: number | null;
  rate: number; remaining: number | null; latency_ms: number | null; hits: number; created_at: string;
}

interface NewFault { route: string; mode: FaultMode; status?: number; retryAfterSeconds?: number; rate?: number; count?: number; latencyMs?: number }

/** "POST /api/v1/partner/accounts/:id/transfer-balance" → method + a case-insensitive regex (`:x` and `*` match one segment). */
function compile(pattern: string): RegExp {
  const escaped = pattern.split('/').map((seg) => (seg.startsWith(':') || seg === '*' ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return new RegExp(`^${escaped}/?$`, 'i');
}

export function addFault(ctx: SandboxContext, f: NewFault): FaultRule {
  const [method = '', pattern = ''] = f.route.trim().split(/\s+/, 2);
  const rule: FaultRule = {
    id: uuid(), method: method.toUpperCase(), pattern, mode: f.mode, status: f.status ?? (f.mode === 'error' ? 500 : null),
    retry_after_seconds: f.retryAfterSeconds ?? null, rate: f.rate ?? 1, remaining: f.count ?? null, latency_ms: f.latencyMs ?? null,
    hits: 0, created_at: ctx.clock.iso(),
  };
  ctx.db.run(
    `INSERT INTO faults (id, seq, method, pattern, mode, status, retry_after_seconds, rate, remaining, latency_ms, hits, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
    [rule.id, ctx.db.nextSeq('fault'), rule.method, rule.pattern, rule.mode, rule.status, rule.retry_after_seconds, rule.rate, rule.remaining, rule.latency_ms, rule.created_at],
  );
  return rule;
}

export function listFaults(ctx: SandboxContext): FaultRule[] {
  return ctx.db.all<FaultRule>('SELECT id, method, pattern, mode, status, retry_after_seconds, rate, remaining, latency_ms, hits, created_at FROM faults ORDER BY seq');
}

export function clearFaults(ctx: SandboxContext): number {
  return ctx.db.run('DELETE FROM faults').changes;
}

/** The first rule that matches this request and fires (rate, remaining count); its count is consumed. */
export function matchFault(ctx: SandboxContext, method: string, path: string): FaultRule | undefined {
  for (const rule of listFaults(ctx)) {
    if (rule.method !== method.toUpperCase() && rule.method !== '*') continue;
    if (!compile(rule.pattern).test(path)) continue;
    if (rule.remaining !== null && rule.remaining <= 0) continue;
    if (Math.random() >= rule.rate) continue;
    ctx.db.run('UPDATE faults SET hits = hits + 1, remaining = CASE WHEN remaining IS NULL THEN NULL ELSE remaining - 1 END WHERE id = ?', [rule.id]);
    return rule;
  }
  return undefined;
}
