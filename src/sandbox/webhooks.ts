/**
 * Durable webhook delivery (doc §5.11): every event is a row in `webhook_deliveries` before anything is sent, so a
 * restart resumes pending deliveries. Delivery retries with exponential backoff on a non-2xx answer or a connection
 * failure, up to `maxAttempts`. The body is signed once, at enqueue time, and the exact bytes are re-sent on retries:
 * `X-Vobiz-Signature: sha256=<hex HMAC-SHA256(raw body, partner auth_token)>`.
 *
 * Test switches (admin API): `duplicate` enqueues every event twice, `delayMs` holds new deliveries before their
 * first attempt, `reorder` holds fresh deliveries until no new event has arrived for `delayMs` (a sliding window) and
 * then sends the batch newest-first — the conditions a receiver must survive.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import type { Logger } from '../logging.js';
import type { SandboxDb } from './db.js';
import { isoSeconds } from './clock.js';
import { uuid } from './ids.js';

export interface WebhookTestConfig { duplicate: boolean; delayMs: number; reorder: boolean }

export interface DeliveryRow {
  seq: number; id: string; event: string; session_id: string | null; url: string; body: string; signature: string;
  status: 'pending' | 'delivered' | 'failed'; attempts: number; next_attempt_ms: number; last_status_code: number | null;
  last_error: string | null; attempt_log: string; created_at: string; delivered_at: string | null;
}

const CONFIG_KEY = 'webhook_test_config';
const SEND_TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;

export function signBody(body: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`;
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly inflight = new Set<AbortController>();

  constructor(
    private readonly db: SandboxDb,
    private readonly logger: Logger,
    private readonly signingKey: () => string,
    private readonly maxAttempts: number,
    private readonly initialBackoffMs: number,
  ) {}

  get config(): WebhookTestConfig {
    const raw = this.db.getMeta(CONFIG_KEY);
    return raw ? (JSON.parse(raw) as WebhookTestConfig) : { duplicate: false, delayMs: 0, reorder: false };
  }

  setConfig(patch: Partial<WebhookTestConfig>): WebhookTestConfig {
    const next = { ...this.config, ...patch };
    this.db.setMeta(CONFIG_KEY, JSON.stringify(next));
    return next;
  }

  /** Stores the event (signed) for delivery; call inside the transaction that changed the state it reports. */
  enqueue(event: string, sessionId: string | null, url: string, payload: unknown): void {
    const body = JSON.stringify(payload);
    const signature = signBody(body, this.signingKey());
    const cfg = this.config;
    const copies = cfg.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.db.run(
        `INSERT INTO webhook_deliveries (id, event, session_id, url, body, signature, status, next_attempt_ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        [uuid(), event, sessionId, url, body, signature, Date.now() + cfg.delayMs, isoSeconds(Date.now())],
      );
    }
    if (cfg.reorder) {
      // Slide the window: every never-attempted delivery falls due together, so the batch can go out reversed.
      this.db.run("UPDATE webhook_deliveries SET next_attempt_ms = ? WHERE status = 'pending' AND attempts = 0", [Date.now() + cfg.delayMs]);
    }
    // Sending happens after the caller's transaction commits: never announce a state that could still roll back.
    setImmediate(() => this.kick());
  }

  list(): DeliveryRow[] {
    return this.db.all<DeliveryRow>('SELECT * FROM webhook_deliveries ORDER BY seq');
  }

  /** Starts a delivery pass now (or right after the running one). */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.scheduleNext();
      }
    });
  }

  private scheduleNext(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const next = this.db.get<{ t: number | null }>("SELECT MIN(next_attempt_ms) AS t FROM webhook_deliveries WHERE status = 'pending'")?.t;
    if (next === null || next === undefined) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, Math.min(Number(next) - Date.now(), MAX_BACKOFF_MS)));
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    const order = this.config.reorder ? 'DESC' : 'ASC';
    const due = this.db.all<DeliveryRow>(
      `SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY seq ${order}`,
      [Date.now()],
    );
    // One at a time, in the chosen order, so `reorder` is observable by the receiver.
    for (const row of due) {
      if (this.closed) return;
      await this.attempt(row);
    }
  }

  private async attempt(row: DeliveryRow): Promise<void> {
    const abort = new AbortController();
    this.inflight.add(abort);
    const timeout = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await request(row.url, {
        method: 'POST',
        body: row.body,
        headers: { 'content-type': 'application/json', 'x-vobiz-signature': row.signature, 'user-agent': 'Vobiz-Sandbox/1.0', 'x-vobiz-event': row.event, 'x-vobiz-delivery-id': row.id },
        signal: abort.signal,
      });
      statusCode = res.statusCode;
      await res.body.dump();
    } catch (err) {
      error = (err as Error).name === 'AbortError' ? 'timeout' : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    } finally {
      clearTimeout(timeout);
      this.inflight.delete(abort);
    }
    if (this.closed && statusCode === null) return; // shutting down: leave it pending for the next start
    const attempts = row.attempts + 1;
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const log = [...(JSON.parse(row.attempt_log) as unknown[]), { at: isoSeconds(Date.now()), status_code: statusCode, error }];
    const status = ok ? 'delivered' : attempts >= this.maxAttempts ? 'failed' : 'pending';
    const backoff = Math.min(this.initialBackoffMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    this.db.run(
      `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_ms = ?, last_status_code = ?, last_error = ?,
         attempt_log = ?, delivered_at = ? WHERE seq = ?`,
      [status, attempts, Date.now() + backoff, statusCode, error, JSON.stringify(log), ok ? isoSeconds(Date.now()) : null, row.seq],
    );
    // The URL is the partner's; the payload (emails, names) stays out of the log line.
    this.logger.info({ delivery: row.id, event: row.event, attempt: attempts, statusCode, error, outcome: status }, 'webhook attempt');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    for (const abort of this.inflight) abort.abort();
    await this.running;
  }
}
