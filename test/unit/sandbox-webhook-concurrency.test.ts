// The sandbox's webhook sender over real sockets: a receiver that holds its answer does not hold up deliveries to
// another session, deliveries of one session stay in order, and no more than `concurrency` are in flight at once.
// Asserted on the order of arrivals and on overlap, never on elapsed time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { SandboxDb } from '../../sandbox/db.js';
import { WebhookDispatcher } from '../../sandbox/webhooks.js';

interface Arrival { path: string; event: string; answer: (status?: number) => void }

/** An HTTP receiver that records each arrival and answers only when the test says so. */
async function heldReceiver(): Promise<{ url: string; arrivals: Arrival[]; inFlight: () => number; maxInFlight: () => number; next: (n: number) => Promise<void>; close: () => Promise<void> }> {
  const arrivals: Arrival[] = [];
  const waiters: Array<() => void> = [];
  let open = 0;
  let peak = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      open++;
      peak = Math.max(peak, open);
      arrivals.push({
        path: req.url ?? '',
        event: (JSON.parse(body) as { event: string }).event,
        answer: (status = 204) => {
          open--;
          res.writeHead(status).end();
        },
      });
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    inFlight: () => open,
    maxInFlight: () => peak,
    // Resolves once `n` deliveries have arrived in all.
    next: async (n) => {
      while (arrivals.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(concurrency: number) {
  const db = new SandboxDb(':memory:');
  const dispatcher = new WebhookDispatcher(db, createLogger({ name: 'test', level: 'silent' }), () => 'key', { maxAttempts: 3, initialBackoffMs: 10, concurrency });
  const receiver = await heldReceiver();
  cleanups.push(() => db.close(), () => receiver.close(), () => dispatcher.close());
  const delivered = async (n: number) => {
    while (db.get<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'delivered'")?.n !== n) await new Promise((r) => setImmediate(r));
  };
  return { db, dispatcher, receiver, delivered };
}

describe('sandbox webhook delivery', () => {
  it("delivers to another session while one receiver holds its answer, keeping one session's events in order", async () => {
    const { db, dispatcher, receiver, delivered } = await setup(4);
    dispatcher.enqueue('kyc.session_revoked', 'slow-session', `${receiver.url}/slow`, { event: 'kyc.session_revoked' });
    dispatcher.enqueue('kyc.completed', 'slow-session', `${receiver.url}/slow`, { event: 'kyc.completed' });
    dispatcher.enqueue('kyc.completed', 'fast-session', `${receiver.url}/fast`, { event: 'kyc.completed' });

    await receiver.next(2);
    // The held delivery and the other session's are in flight together; the slow session's second event waits.
    expect(receiver.arrivals.map((a) => `${a.path} ${a.event}`)).toEqual(['/slow kyc.session_revoked', '/fast kyc.completed']);
    expect(receiver.inFlight()).toBe(2);
    receiver.arrivals[1]?.answer();
    receiver.arrivals[0]?.answer();

    await receiver.next(3);
    expect(receiver.arrivals[2]).toMatchObject({ path: '/slow', event: 'kyc.completed' });
    receiver.arrivals[2]?.answer();
    await delivered(3);
    // Every delivery succeeded on its first attempt: nothing waited out a timeout behind the held one.
    const rows = db.all<{ attempts: number; last_status_code: number }>('SELECT attempts, last_status_code FROM webhook_deliveries');
    expect(rows).toEqual([{ attempts: 1, last_status_code: 204 }, { attempts: 1, last_status_code: 204 }, { attempts: 1, last_status_code: 204 }]);
  });

  it('keeps at most `concurrency` deliveries in flight, and sends the rest as slots free up', async () => {
    const { dispatcher, receiver, delivered } = await setup(2);
    for (let i = 0; i < 5; i++) dispatcher.enqueue('kyc.completed', `session-${i}`, `${receiver.url}/s${i}`, { event: 'kyc.completed' });

    // Each held answer is released only once the next delivery has arrived: with a bound of 2, the third can arrive
    // only after the first is answered, so exactly two are ever open; an unbounded sender would have all five open.
    for (let answered = 0; answered < 5; answered++) {
      await receiver.next(Math.min(answered + 2, 5));
      receiver.arrivals[answered]?.answer();
    }
    await delivered(5);
    expect(receiver.maxInFlight()).toBe(2);
    expect(receiver.arrivals.map((a) => a.path)).toEqual(['/s0', '/s1', '/s2', '/s3', '/s4']);
  });

  it('retries a failed delivery without holding up a later one (at least once, per delivery)', async () => {
    const { db, dispatcher, receiver, delivered } = await setup(4);
    dispatcher.enqueue('kyc.completed', 'flaky', `${receiver.url}/flaky`, { event: 'kyc.completed' });
    await receiver.next(1);
    dispatcher.enqueue('kyc.completed', 'other', `${receiver.url}/other`, { event: 'kyc.completed' });
    await receiver.next(2);
    receiver.arrivals[0]?.answer(503);
    receiver.arrivals[1]?.answer();
    await receiver.next(3); // the retry
    expect(receiver.arrivals[2]?.path).toBe('/flaky');
    receiver.arrivals[2]?.answer();
    await delivered(2);
    const flaky = db.get<{ attempts: number; attempt_log: string }>("SELECT attempts, attempt_log FROM webhook_deliveries WHERE url LIKE '%/flaky'");
    expect(flaky?.attempts).toBe(2);
    expect((JSON.parse(flaky?.attempt_log ?? '[]') as Array<{ status_code: number }>).map((a) => a.status_code)).toEqual([503, 204]);
  });
});
