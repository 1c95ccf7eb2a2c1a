/**
 * A small typed client for the sandbox's /_sandbox admin API (tests, the demo, people at a terminal).
 * It talks only to the sandbox; nothing here exists on real Vobiz.
 */
import { request } from 'undici';

interface OutboxEmail { id: string; /** kyc_link | kyc_resend | kyc_reminder */ kind: string; to: string; subject: string; body: string; link: string | null; session_id: string | null; created_at: string }
interface ClockState { now: string; now_ms: number; offset_ms: number }
export interface FaultSpec { route: string; mode: 'error' | 'latency' | 'commit_then_drop'; status?: 500 | 502 | 503 | 429; retryAfterSeconds?: number; rate?: number; count?: number; latencyMs?: number }
export interface FaultRule { id: string; method: string; pattern: string; mode: string; status: number | null; retry_after_seconds: number | null; rate: number; remaining: number | null; latency_ms: number | null; hits: number; created_at: string }
/** Where Vobiz's SDK models and prose docs conflict (docs/sandbox.md); see SandboxSettings in context.ts. */
interface SandboxSettings { responseShape: 'sdk' | 'prose'; strictPathCasing: boolean }
interface WebhookConfig { duplicate: boolean; delayMs: number; reorder: boolean; unsigned: boolean }
interface WebhookDelivery { id: string; event: string; session_id: string | null; url: string; status: 'pending' | 'delivered' | 'failed'; attempts: number; last_status_code: number | null; last_error: string | null; attempt_log: Array<{ at: string; status_code: number | null; error: string | null }>; signature: string; body: string; created_at: string; delivered_at: string | null }
export interface LedgerEntryView { id: string; account_auth_id: string; type: 'credit' | 'debit'; amount: number; category: string; reference_type: string; transfer_id: string | null; description: string; reference: string | null; created_at: string }
export interface LedgerReport { partner: { auth_id: string; balance: number; rows: LedgerEntryView[] }; customers: LedgerEntryView[]; balanced: boolean; partner_transfer_debits: number; customer_transfer_credits: number }
interface KycSessionView {
  id: string; account_auth_id: string; status: string; kyc_type: string | null; verified_data: Record<string, unknown> | null;
  flow_type: 'email' | 'redirect'; last_sent_at: string | null; failure_reason: string | null; revoke_reason: string | null; [key: string]: unknown;
}
interface TrafficMix { answered?: number; failed?: number; busy?: number; no_answer?: number }
interface TrafficResult { generated: number; cdrs: Array<Record<string, unknown> & { uuid: string; total_cost: number }>; balance_after: number }

/** GET /_sandbox/requests (sandbox/request-meter.ts). */
export interface RequestReport {
  total: number; rateLimited: number; byRoute: Record<string, number>; maxInAnySecond: number; maxInWindow?: { windowMs: number; count: number };
  perSecond: Array<{ second: number; count: number }>; limitPerSecond: number | null; since: string;
}

class SandboxAdminError extends Error {
  constructor(readonly statusCode: number, readonly body: unknown) {
    super(`sandbox admin call failed with HTTP ${statusCode}: ${JSON.stringify(body)}`);
    this.name = 'SandboxAdminError';
  }
}

export class SandboxAdminClient {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await request(`${this.baseUrl.replace(/\/+$/, '')}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (res.statusCode >= 400) throw new SandboxAdminError(res.statusCode, parsed);
    return parsed as T;
  }

  health() { return this.call<{ status: 'ok'; started_at: string; sandbox_time: string; clock_offset_ms: number }>('GET', '/health'); }

  async outbox(filter: { to?: string; sessionId?: string } = {}): Promise<OutboxEmail[]> {
    const q = new URLSearchParams({ ...(filter.to ? { to: filter.to } : {}), ...(filter.sessionId ? { session_id: filter.sessionId } : {}) }).toString();
    return (await this.call<{ emails: OutboxEmail[] }>('GET', `/outbox${q ? `?${q}` : ''}`)).emails;
  }

  /** The widget link of the newest email for a session (what the customer would click). */
  async widgetLink(sessionId: string): Promise<string> {
    const link = (await this.outbox({ sessionId })).reverse().find((e) => e.link)?.link;
    if (!link) throw new Error(`no KYC email with a link for session ${sessionId} in the sandbox outbox`);
    return link;
  }

  /** The session as the sandbox keeps it: the public fields plus flow_type, last_sent_at, failure_reason, revoke_reason. */
  kycSession(sessionId: string) { return this.call<KycSessionView>('GET', `/kyc/${encodeURIComponent(sessionId)}`); }
  openKyc(sessionId: string) { return this.call<KycSessionView>('POST', `/kyc/${encodeURIComponent(sessionId)}/open`, {}); }
  completeKyc(sessionId: string, body: { pan?: string; kyc_type?: 'individual' | 'company' } = {}) { return this.call<KycSessionView>('POST', `/kyc/${encodeURIComponent(sessionId)}/complete`, body); }
  failKyc(sessionId: string, reason = 'Document invalid') { return this.call<KycSessionView>('POST', `/kyc/${encodeURIComponent(sessionId)}/fail`, { reason }); }

  settings() { return this.call<SandboxSettings>('GET', '/settings'); }
  setSettings(settings: Partial<SandboxSettings>) { return this.call<SandboxSettings>('POST', '/settings', settings); }

  clock() { return this.call<ClockState>('GET', '/clock'); }
  advanceClock(seconds: number) { return this.call<ClockState>('POST', '/clock/advance', { seconds }); }

  traffic(body: { account_auth_id: string; calls: number; mix?: TrafficMix; direction?: 'inbound' | 'outbound' }) { return this.call<TrafficResult>('POST', '/traffic', body); }
  trafficRate(body: { account_auth_id: string; calls_per_minute: number; mix?: TrafficMix }) { return this.call<{ account_auth_id: string; calls_per_minute: number }>('POST', '/traffic/rate', body); }

  /** Test-only: true when the account was created with `password` (the sandbox keeps a salted hash, never the password). */
  async passwordMatches(authId: string, password: string): Promise<boolean> {
    return (await this.call<{ matches: boolean }>('POST', `/accounts/${encodeURIComponent(authId)}/password-check`, { password })).matches;
  }

  ledger() { return this.call<LedgerReport>('GET', '/ledger'); }
  /** Rotates the partner token (the old one gets 401 from now on), as a partner would in the Vobiz Console. */
  rotatePartnerToken(token: string) { return this.call<{ auth_id: string; rotated_at: string }>('POST', '/partner/token', { token }); }
  state() { return this.call<Record<string, unknown> & { counts: Record<string, number> }>('GET', '/state'); }

  /** API requests received since the last reset: totals by route, per second, the most in any one second. */
  requests(windowMs?: number) { return this.call<RequestReport>('GET', `/requests${windowMs ? `?window_ms=${windowMs}` : ''}`); }
  resetRequests() { return this.call<RequestReport>('POST', '/requests/reset', {}); }
  /** Refuse API requests over `perSecond` in any one second with 429 (null: no limit). */
  setRequestLimit(perSecond: number | null) { return this.call<{ limitPerSecond: number | null }>('POST', '/requests/limit', { perSecond }); }

  /** Closes a customer account as Vobiz support would: the partner's reads of it answer 404 from then on. */
  closeAccount(authId: string) { return this.call<{ auth_id: string; status: string }>('POST', `/accounts/${encodeURIComponent(authId)}/close`, {}); }

  addFault(spec: FaultSpec) { return this.call<FaultRule>('POST', '/faults', spec); }
  async faults(): Promise<FaultRule[]> { return (await this.call<{ faults: FaultRule[] }>('GET', '/faults')).faults; }
  clearFaults() { return this.call<{ deleted: number }>('DELETE', '/faults'); }

  webhookConfig() { return this.call<WebhookConfig>('GET', '/webhooks'); }
  setWebhookConfig(patch: Partial<WebhookConfig>) { return this.call<WebhookConfig>('POST', '/webhooks', patch); }
  async webhookDeliveries(): Promise<WebhookDelivery[]> { return (await this.call<{ deliveries: WebhookDelivery[] }>('GET', '/webhooks/deliveries')).deliveries; }
}
