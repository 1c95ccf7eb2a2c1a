/**
 * Durable webhook delivery (doc §5.11): every event is a row in `webhook_deliveries` before anything is sent, so a
 * restart resumes pending deliveries. Delivery retries with exponential backoff on a non-2xx answer or a connection
 * failure, up to `maxAttempts`. The body is signed once, at enqueue time, and the exact bytes are re-sent on retries:
 * `X-Vobiz-Signature: sha256=<hex HMAC-SHA256(raw body, partner auth_token)>`.
 *
 * Deliveries go out concurrently (up to `concurrency` at once), so a slow or dead receiver holds up only its own
 * deliveries, never another session's: each due row is claimed, sent under a p-limit limiter, and recorded on its own.
 * Deliveries of one session still go one at a time, oldest first, as they did when everything was sequential.
 *
 * Test switches (admin API): `duplicate` enqueues every event twice, `delayMs` holds new deliveries before their
 * first attempt, `reorder` holds fresh deliveries until no new event has arrived for `delayMs` (a sliding window) and
 * then sends the batch newest-first, one at a time — the conditions a receiver must survive. `unsigned` sends new
 * events without `X-Vobiz-Signature`, as Vobiz does for partner accounts it does not sign for (the partner docs
 * document no signature), for a bridge's BRIDGE_WEBHOOK_SIGNATURE=optional.
 */
import { createHmac } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import { request } from 'undici';
import type { Logger } from '../src/logging.js';
import type { SandboxDb } from './db.js';
import { isoSeconds } from './clock.js';
import { uuid } from './ids.js';

interface WebhookTestConfig { duplicate: boolean; delayMs: number; reorder: boolean; unsigned: boolean }

const DEFAULT_TEST_CONFIG: WebhookTestConfig = { duplicate: false, delayMs: 0, reorder: false, unsigned: false };

interface DeliveryRow {
  seq: number; id: string; event: string; session_id: string | null; url: string; body: string; signature: string;
  status: 'pending' | 'delivered' | 'failed'; attempts: number; next_attempt_ms: number; last_status_code: number | null;
  last_error: string | null; attempt_log: string; created_at: string; delivered_at: string | null;
}

const CONFIG_KEY = 'webhook_test_config';
const SEND_TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;
/** Claimed deliveries (sending or waiting for a free slot) per concurrent slot: enough to keep slots busy, bounded. */
const QUEUE_PER_SLOT = 4;

interface WebhookDeliveryOptions {
  maxAttempts: number;
  initialBackoffMs: number;
  /** Deliveries in flight at once (different sessions); at least 1. */
  concurrency: number;
}

function signBody(body: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(body, 'utf8').digest('hex')}`;
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly limit: LimitFunction;
  /** Deliveries (by seq) queued in the limiter or being sent: never claimed twice. */
  private readonly claimed = new Set<number>();
  /** Sessions with a delivery claimed: their next one waits, so one session's events keep their order. */
  private readonly busySessions = new Set<string>();
  private readonly sends = new Set<Promise<void>>();
  private readonly inflight = new Set<AbortController>();

  constructor(
    private readonly db: SandboxDb,
    private readonly logger: Logger,
    private readonly signingKey: () => string,
    private readonly options: WebhookDeliveryOptions,
  ) {
    this.limit = pLimit(Math.max(1, options.concurrency));
  }

  get config(): WebhookTestConfig {
    const raw = this.db.getMeta(CONFIG_KEY);
    // A config stored before a switch existed leaves that switch off.
    return { ...DEFAULT_TEST_CONFIG, ...(raw ? (JSON.parse(raw) as Partial<WebhookTestConfig>) : {}) };
  }

  setConfig(patch: Partial<WebhookTestConfig>): WebhookTestConfig {
    const next = { ...this.config, ...patch };
    this.db.setMeta(CONFIG_KEY, JSON.stringify(next));
    return next;
  }

  /** Stores the event (signed) for delivery; call inside the transaction that changed the state it reports. */
  enqueue(event: string, sessionId: string | null, url: string, payload: unknown): void {
    const body = JSON.stringify(payload);
    const cfg = this.config;
    // '' (the column is NOT NULL): sent without the header, on every retry too.
    const signature = cfg.unsigned ? '' : signBody(body, this.signingKey());
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

  /**
   * Claims the deliveries that are due (as many as the queue has room for) and starts sending them; called on enqueue,
   * on the sandbox tick, when a retry falls due and whenever a send finishes. Never waits for a send.
   */
  kick(): void {
    if (this.closed) return;
    const { reorder } = this.config;
    const slots = reorder ? 1 : Math.max(1, this.options.concurrency);
    // `reorder` is only observable when the batch goes out one at a time, newest first.
    this.limit.concurrency = slots;
    const room = slots * QUEUE_PER_SLOT - this.claimed.size;
    if (room > 0) {
      const due = this.db.all<DeliveryRow>(
        `SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY seq ${reorder ? 'DESC' : 'ASC'} LIMIT ?`,
        [Date.now(), room + this.claimed.size],
      );
      let claimedNow = 0;
      for (const row of due) {
        if (claimedNow >= room) break;
        if (this.claimed.has(row.seq)) continue;
        if (!reorder && row.session_id !== null && this.busySessions.has(row.session_id)) continue;
        this.claim(row);
        claimedNow++;
      }
    }
    this.scheduleNext();
  }

  private claim(row: DeliveryRow): void {
    this.claimed.add(row.seq);
    if (row.session_id !== null) this.busySessions.add(row.session_id);
    const send: Promise<void> = this.limit(() => this.attempt(row))
      .catch((err: unknown) => this.logger.error({ delivery: row.id, err: { message: (err as Error).message } }, 'webhook attempt failed to record'))
      .finally(() => {
        this.claimed.delete(row.seq);
        if (row.session_id !== null) this.busySessions.delete(row.session_id);
        this.sends.delete(send);
        this.kick(); // a slot is free: the next due delivery (maybe this session's next event) can go
      });
    this.sends.add(send);
  }

  /**
   * Wakes up when the next retry (or held delivery) falls due. Rows already due but not claimed are waiting for a
   * slot or for their session's current send, whose completion kicks again: the timer does not spin on them.
   */
  private scheduleNext(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const next = this.db.get<{ t: number | null }>(
      "SELECT MIN(next_attempt_ms) AS t FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_ms > ?",
      [Date.now()],
    )?.t;
    if (next === null || next === undefined) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, Math.min(Number(next) - Date.now(), MAX_BACKOFF_MS)));
    this.timer.unref();
  }

  private async attempt(row: DeliveryRow): Promise<void> {
    if (this.closed) return; // queued when the sandbox began to stop: it stays pending for the next start
    const abort = new AbortController();
    this.inflight.add(abort);
    const timeout = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await request(row.url, {
        method: 'POST',
        body: row.body,
        headers: {
          'content-type': 'application/json',
          ...(row.signature ? { 'x-vobiz-signature': row.signature } : {}),
          'user-agent': 'Vobiz-Sandbox/1.0',
          'x-vobiz-event': row.event,
          'x-vobiz-delivery-id': row.id,
        },
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
    const status = ok ? 'delivered' : attempts >= this.options.maxAttempts ? 'failed' : 'pending';
    const backoff = Math.min(this.options.initialBackoffMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
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
    await Promise.allSettled([...this.sends]);
  }
}
