/**
 * Webhook → workflow through the bridge against the same hand-over made straight with a Temporal client (the
 * bridge's own `deliverKycEvent`: the kycEvent Update), side by side: the same parked customers, the same
 * concurrency, in alternating rounds so both see the same machine. With several bridges the deliveries go to each
 * in turn, as a load balancer would send them.
 *
 * Each delivery is a signed `kyc.completed` for a session that is not the customer's open one (as a late event of
 * an earlier attempt would be): the bridge does all its work (signature, payload, account check, the Update) and the
 * workflow's validator runs and refuses it (`not_waiting`: nothing reaches history), and nobody calls Vobiz, so
 * what is compared is the path, not the sandbox.
 */
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { deliverKycEvent } from '../../src/bridge/kyc-event-delivery.js';
import { signVobizBody } from '../../src/bridge/signature.js';
import { KYC_WEBHOOK_PATH } from '../../src/bridge/routes/kyc-webhooks.js';
import type { KycEventSignal } from '../../src/workflows/messages.js';
import type { ParkedCustomer } from './customers.js';
import { median, percentile } from './stats.js';
import { BENCH_PARTNER } from './system.js';

/** The bridge's deadline for a delivery (src/bridge/server.ts's default). */
const DELIVERY_TIMEOUT_MS = 5_000;

export interface PathFigures {
  signals: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface SignalFigures {
  bridge: PathFigures;
  direct: PathFigures;
  /** bridge / direct throughput. */
  ratio: number;
  addedP50Ms: number;
  addedP99Ms: number;
  rounds: number;
  concurrency: number;
}

let sequence = 0;
/** Event times count back from the bench's start: recent enough for the bridge's BRIDGE_WEBHOOK_MAX_AGE, never ahead. */
const EPOCH_MS = Date.now();

/** A stale session's event: unique per delivery (Vobiz's time differs), so no delivery is a duplicate of another. */
function staleEvent(customer: ParkedCustomer) {
  const n = sequence++;
  return { sessionId: `KYC_BENCH_STALE_${n}`, timestamp: new Date(EPOCH_MS - n).toISOString(), customer };
}

async function viaBridge(bridgeUrl: string, c: ParkedCustomer): Promise<void> {
  const e = staleEvent(c);
  const body = JSON.stringify({
    event: 'kyc.completed',
    session_id: e.sessionId,
    account_auth_id: c.authId,
    status: 'completed',
    timestamp: e.timestamp,
    metadata: { workflowId: c.workflowId },
  });
  const res = await fetch(`${bridgeUrl}${KYC_WEBHOOK_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vobiz-signature': signVobizBody(body, BENCH_PARTNER.authToken) },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await res.json()) as { ok?: boolean; ignored?: string };
  // Delivered, or refused by the workflow's validator as one it is not waiting for: either way it reached the workflow.
  if (res.status !== 200 || (answer.ignored && answer.ignored !== 'not_waiting')) throw new Error(`the bridge answered ${res.status} ${JSON.stringify(answer)}`);
}

async function direct(client: Client, c: ParkedCustomer): Promise<void> {
  const e = staleEvent(c);
  const event: KycEventSignal = { eventKey: `bench-${e.sessionId}`, event: 'kyc.completed', sessionId: e.sessionId, status: 'completed', receivedAt: new Date().toISOString() };
  const delivery = await deliverKycEvent(client, DELIVERY_TIMEOUT_MS, c.workflowId, event);
  if (delivery.kind === 'workflow_not_found') throw new Error(`${c.workflowId} not found`);
}

async function run(customers: readonly ParkedCustomer[], concurrency: number, send: (c: ParkedCustomer) => Promise<void>) {
  const limit = pLimit(concurrency);
  const latencies: number[] = [];
  let errors = 0;
  const began = performance.now();
  await Promise.all(
    customers.map((c) =>
      limit(async () => {
        const t = performance.now();
        try {
          await send(c);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }),
    ),
  );
  return { latencies, errors, ms: performance.now() - began };
}

export async function compareSignalPaths(options: { client: Client; bridgeUrl: (n: number) => string; parked: readonly ParkedCustomer[]; signals: number; concurrency: number; rounds?: number }): Promise<SignalFigures> {
  const rounds = options.rounds ?? 4;
  const perRound = Math.max(1, Math.floor(options.signals / rounds));
  const totals = { bridge: { latencies: [] as number[], errors: 0, ms: 0 }, direct: { latencies: [] as number[], errors: 0, ms: 0 } };
  for (let r = 0; r < rounds; r++) {
    // Each round signals the next slice of parked customers, both paths the same customers, in alternating order.
    const slice = Array.from({ length: perRound }, (_, i) => options.parked[(r * perRound + i) % options.parked.length]!);
    const order = r % 2 === 0 ? (['bridge', 'direct'] as const) : (['direct', 'bridge'] as const);
    for (const path of order) {
      let sent = 0;
      const result = await run(slice, options.concurrency, path === 'bridge' ? (c) => viaBridge(options.bridgeUrl(sent++), c) : (c) => direct(options.client, c));
      totals[path].latencies.push(...result.latencies);
      totals[path].errors += result.errors;
      totals[path].ms += result.ms;
    }
  }
  const figures = (t: (typeof totals)['bridge']): PathFigures => ({
    signals: t.latencies.length,
    perSecond: t.latencies.length / (t.ms / 1000),
    p50Ms: median(t.latencies),
    p99Ms: percentile(t.latencies, 99),
    errors: t.errors,
  });
  const bridge = figures(totals.bridge);
  const directFigures = figures(totals.direct);
  return {
    bridge,
    direct: directFigures,
    ratio: bridge.perSecond / directFigures.perSecond,
    addedP50Ms: bridge.p50Ms - directFigures.p50Ms,
    addedP99Ms: bridge.p99Ms - directFigures.p99Ms,
    rounds,
    concurrency: options.concurrency,
  };
}
