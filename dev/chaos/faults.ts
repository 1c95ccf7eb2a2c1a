/**
 * The chaos run's fault profile in the sandbox (docs/sandbox.md, /_sandbox/faults): on every side-effecting route
 * the lifecycle calls and on the reads its activities reconcile with, 10% answered 5xx, 2% answered 429 and 10%
 * delayed; on the side-effecting routes also 5% committed and then dropped without an answer (the client sees a
 * reset and cannot know whether it happened). Rules are tried in order and the first that fires wins.
 *
 * The 5xx is a 500 or a 503 by route, except on the number purchase: there Vobiz answers a purchase it rolled back
 * (a short balance) with 500, which the activity rightly treats as final (the customer goes live without the
 * optional number, docs/durability.md), so an outage is modelled with 503 only.
 */
import type { FaultSpec, SandboxAdminClient } from '../../sandbox/admin-client.js';

const SIDE_EFFECT_ROUTES = [
  'POST /api/v1/partner/accounts',
  'POST /api/v1/partner/accounts/:id/transfer-balance',
  'POST /api/v1/partner/kyc-sessions',
  'POST /api/v1/Account/:id/trunks',
  'POST /api/v1/Account/:id/numbers/purchase-from-inventory',
] as const;

const RECONCILE_READ_ROUTES = [
  'GET /api/v1/partner/accounts',
  'GET /api/v1/partner/accounts/:id',
  'GET /api/v1/partner/accounts/:id/transactions',
  'GET /api/v1/partner/kyc-sessions',
  'GET /api/v1/partner/kyc-sessions/:id',
  'GET /api/v1/Account/:id/trunks',
  'GET /api/v1/Account/:id/numbers',
  'GET /api/v1/Account/:id/inventory/numbers',
] as const;

function defaultFaultProfile(): FaultSpec[] {
  const rules: FaultSpec[] = [];
  for (const route of [...SIDE_EFFECT_ROUTES, ...RECONCILE_READ_ROUTES]) {
    const sideEffect = (SIDE_EFFECT_ROUTES as readonly string[]).includes(route);
    const status = route.endsWith('/purchase-from-inventory') || route.length % 2 === 1 ? 503 : 500;
    rules.push({ route, mode: 'error', status, rate: 0.1 });
    if (sideEffect) rules.push({ route, mode: 'commit_then_drop', rate: 0.05 });
    rules.push({ route, mode: 'error', status: 429, retryAfterSeconds: 1, rate: 0.02 });
    rules.push({ route, mode: 'latency', latencyMs: 1_500, rate: 0.1 });
  }
  return rules;
}

export async function applyFaultProfile(admin: SandboxAdminClient, profile: 'default' | 'none'): Promise<number> {
  if (profile === 'none') return 0;
  const rules = defaultFaultProfile();
  for (const rule of rules) await admin.addFault(rule);
  return rules.length;
}

/** Fault firings so far, by mode (the sandbox counts each rule's hits). */
export async function faultCounts(admin: SandboxAdminClient): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const rule of await admin.faults()) {
    const key = rule.mode === 'error' ? `${rule.status}` : rule.mode;
    counts[key] = (counts[key] ?? 0) + rule.hits;
  }
  return counts;
}
