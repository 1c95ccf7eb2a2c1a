/** Partner profile (`/me`) and dashboard (doc §5.2, §5.3; the dashboard follows the current prose shape). */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from '../context.js';
import { countCustomers, getPartner, listCustomers, type PartnerDoc } from '../accounts.js';
import { toString2, toString5, toUnits } from '../money.js';
import { accountCdrs, type StoredCdr } from '../cdrs.js';
import { DAY_MS } from '../clock.js';

/**
 * The /me object. `currency` and `country` are in the prose docs but not in the SDK's strict model, so they appear
 * only with the `prose` response shape (docs/sandbox.md).
 */
function profile(ctx: SandboxContext, partner: PartnerDoc, accountCount: number, balance: string | null): Record<string, unknown> {
  const { currency, country, ...fields } = partner;
  return {
    ...fields,
    ...(ctx.settings.responseShape === 'prose' ? { currency, country } : {}),
    account_count: accountCount,
    can_create_accounts: true,
    can_transfer_balance: true,
    can_view_cdrs: true,
    can_create_pricing_tiers: true,
    balance,
  };
}

/**
 * `total_minutes` counts billed minutes (every started minute of talk, as calls are charged), a whole number: the SDK
 * types it int in `by_product.sip_trunking` and float elsewhere, the prose says float, and an integer satisfies all.
 */
function callStats(rows: StoredCdr[]) {
  const answered = rows.filter((r) => r.outcome === 'answered');
  return {
    total_calls: rows.length,
    answered_calls: answered.length,
    total_minutes: rows.reduce((s, r) => s + Math.ceil(r.doc.billsec / 60), 0),
  };
}

export function partnerProfileRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    app.get('/me', async () => {
      const { doc, balanceUnits } = getPartner(ctx);
      return profile(ctx, doc, countCustomers(ctx), toString5(balanceUnits));
    });

    app.get('/dashboard', async () => {
      const { doc } = getPartner(ctx);
      const customers = listCustomers(ctx);
      const toMs = ctx.clock.nowMs();
      const fromMs = toMs - 30 * DAY_MS;
      const cdrs = customers.flatMap((c) => accountCdrs(ctx, c.doc.auth_id)).filter((r) => r.startMs >= fromMs && r.startMs <= toMs);
      const cost = (rows: StoredCdr[]) => rows.reduce((s, r) => s + toUnits(r.doc.total_cost), 0);
      const byDirection = (d: 'inbound' | 'outbound') => {
        const rows = cdrs.filter((r) => r.doc.call_direction === d);
        return { ...callStats(rows), total_cost: toString2(cost(rows)) };
      };
      const days = new Map<string, StoredCdr[]>();
      for (const r of cdrs) {
        const day = r.doc.start_time.slice(0, 10);
        days.set(day, [...(days.get(day) ?? []), r]);
      }
      return {
        partner: profile(ctx, doc, customers.length, null),
        period: { from: ctx.clock.iso(fromMs).slice(0, 10), to: ctx.clock.iso(toMs).slice(0, 10) },
        accounts: {
          total: customers.length,
          active: customers.filter((c) => c.doc.is_active).length,
          customers: customers.map((c) => ({ auth_id: c.doc.auth_id, name: c.doc.name, email: c.doc.email, phone: c.doc.phone, is_active: c.doc.is_active, created_at: c.doc.created_at })),
        },
        total_balance: toString5(customers.reduce((s, c) => s + c.balanceUnits, 0)),
        currency: doc.currency,
        calls: { ...callStats(cdrs), total_cost: toString2(cost(cdrs)) },
        traffic: { inbound: byDirection('inbound'), outbound: byDirection('outbound') },
        by_product: { sip_trunking: { ...callStats(cdrs), total_cost: toString2(cost(cdrs)) }, voice_api: { total_calls: 0, answered_calls: 0, total_minutes: 0, total_cost: '0.00' } },
        time_series: [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, rows]) => ({
          date,
          ...callStats(rows),
          total_cost: toString2(cost(rows)),
          inbound: callStats(rows.filter((r) => r.doc.call_direction === 'inbound')),
          outbound: callStats(rows.filter((r) => r.doc.call_direction === 'outbound')),
        })),
      };
    });
  };
}
