/**
 * The partner and its customer accounts: creation rules (doc §5.4), the full account object, balances.
 * The partner is one row of the same table (kind = partner) so that transfers move units between two rows of one
 * table inside one transaction.
 */
import type { SandboxContext } from './context.js';
import { parseDoc } from './db.js';
import { customerAuthId, customerAuthToken, uuid } from './ids.js';
import { toString5, toUnits } from './money.js';
import { recordPasswordHash } from './passwords.js';

const PARTNER_EMAIL = 'partner@sandbox.vobiz.test';
export const PRICING_TIER_ID = '7f3a2c10-5b4e-4d8a-9c1f-0a1b2c3d4e5f';

/** A customer account as stored; `auth_token` and `cash_credits` live in their own columns. */
export interface CustomerDoc {
  name: string; email: string; phone: string; description: string; gstin: string; gst_status: string;
  tds_enabled: boolean; tds_percentage: number; business_type: string; id: string; auth_id: string; api_id: string;
  account_type: string; role: string; postpaid: boolean; address: string; city: string; state: string; timezone: string;
  country: string; zip_code: string; company: string; billing_mode: string; auto_recharge: boolean; currency: string;
  cps_limit: number; concurrent_calls_limit: number; base_cps_limit: number; base_concurrent_calls_limit: number;
  purchased_cps: number; purchased_concurrent_calls: number; is_active: boolean; is_verified: boolean;
  is_trial_account: boolean; enabled: boolean; kyc_status: string; google_id: string | null; referral_code: string;
  referral_disabled: boolean; custom_referrer_reward_amount: number | null; custom_referee_reward_amount: number | null;
  created_at: string; updated_at: string; last_login: string | null; partner_id: string; status: string;
}

export interface PartnerDoc {
  id: string; account_id: number; name: string; slug: string; company: string; auth_id: string; email: string;
  phone: string; billing_model: string; is_active: boolean; is_verified: boolean; max_accounts: number;
  default_pricing_tier_id: string; currency: string; country: string; created_at: string; updated_at: string;
}

interface AccountRow { auth_id: string; kind: string; email: string; auth_token: string; balance_units: number; doc: string }

function pricingTier(partnerId: string) {
  return {
    id: PRICING_TIER_ID, name: 'Sandbox Standard', currency: 'INR', rate_per_minute: 0.5, streaming_rate_per_minute: 0.2,
    recording_rate_per_minute: 0.1, whatsapp_voice_rate: 0.5, transcription_rate_per_minute: 0.3, pii_redaction_rate_per_minute: 0.1,
    charge_non_connected_calls: false, non_connected_call_fee: 0, did_release_fee: 700, is_active: true, is_default: true, partner_id: partnerId,
  };
}

/** Vobiz's documented `max_accounts` (doc §5.2): the sandbox's default account cap. */
export const DEFAULT_MAX_ACCOUNTS = 1000;

/**
 * Creates the partner row on first start; later starts keep the stored balance (persistence wins over options) but
 * take the token and the account cap from the options, so a benchmark can raise the cap on an existing file.
 */
export function ensurePartner(ctx: SandboxContext, initialBalance: number, maxAccounts = DEFAULT_MAX_ACCOUNTS): void {
  const existing = ctx.db.get<AccountRow>('SELECT * FROM accounts WHERE auth_id = ?', [ctx.partnerAuthId]);
  if (existing) {
    if (existing.auth_token !== ctx.partnerAuthToken) {
      ctx.db.run('UPDATE accounts SET auth_token = ? WHERE auth_id = ?', [ctx.partnerAuthToken, ctx.partnerAuthId]);
    }
    const doc = parseDoc<PartnerDoc>(existing);
    if (doc.max_accounts !== maxAccounts) {
      ctx.db.run('UPDATE accounts SET doc = ? WHERE auth_id = ?', [JSON.stringify({ ...doc, max_accounts: maxAccounts }), ctx.partnerAuthId]);
    }
    return;
  }
  const now = ctx.clock.iso();
  const doc: PartnerDoc = {
    id: uuid(), account_id: 500000, name: 'Sandbox Partner', slug: 'sandbox-partner', company: 'Sandbox Telecom Pvt Ltd',
    auth_id: ctx.partnerAuthId, email: PARTNER_EMAIL, phone: '+918000000000', billing_model: 'direct', is_active: true,
    is_verified: true, max_accounts: maxAccounts, default_pricing_tier_id: PRICING_TIER_ID, currency: 'INR', country: 'IN',
    created_at: now, updated_at: now,
  };
  ctx.db.run('INSERT INTO accounts (auth_id, kind, email, auth_token, balance_units, seq, doc) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    ctx.partnerAuthId, 'partner', PARTNER_EMAIL, ctx.partnerAuthToken, toUnits(initialBalance), 0, JSON.stringify(doc),
  ]);
}

export function getPartner(ctx: SandboxContext): { doc: PartnerDoc; balanceUnits: number } {
  const row = ctx.db.get<AccountRow>('SELECT * FROM accounts WHERE auth_id = ?', [ctx.partnerAuthId]);
  if (!row) throw new Error('partner row missing');
  return { doc: parseDoc<PartnerDoc>(row), balanceUnits: Number(row.balance_units) };
}

export interface Customer { doc: CustomerDoc; authToken: string; balanceUnits: number }

function toCustomer(row: AccountRow): Customer {
  return { doc: parseDoc<CustomerDoc>(row), authToken: row.auth_token, balanceUnits: Number(row.balance_units) };
}

export function findCustomer(ctx: SandboxContext, authId: string): Customer | undefined {
  const row = ctx.db.get<AccountRow>("SELECT * FROM accounts WHERE auth_id = ? AND kind = 'customer'", [authId]);
  return row ? toCustomer(row) : undefined;
}

/** Every customer, newest first: only for views that show them all (the dashboard, the admin state dump). */
export function listCustomers(ctx: SandboxContext): Customer[] {
  return ctx.db.all<AccountRow>("SELECT * FROM accounts WHERE kind = 'customer' ORDER BY seq DESC").map(toCustomer);
}

/** The number of customer accounts, counted on the (kind, seq) index without reading an account. */
export function countCustomers(ctx: SandboxContext): number {
  return Number(ctx.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM accounts WHERE kind = 'customer'")?.n ?? 0);
}

/** FTS5 trigram phrases match substrings of 3+ characters; shorter terms cannot use the index. */
const TRIGRAM = 3;

/**
 * One page of customers, newest first, optionally those whose name or email contains `search` (case-insensitive),
 * and how many there are in all. Only the page's rows are read and parsed.
 */
export function pageCustomers(ctx: SandboxContext, q: { search?: string | undefined; offset: number; limit: number }): { customers: Customer[]; total: number } {
  const search = q.search?.toLowerCase();
  if (!search) {
    const rows = ctx.db.all<AccountRow>("SELECT * FROM accounts WHERE kind = 'customer' ORDER BY seq DESC LIMIT ? OFFSET ?", [q.limit, q.offset]);
    return { customers: rows.map(toCustomer), total: countCustomers(ctx) };
  }
  // Which customers match, as seqs (the search table's rowids), from the trigram index; a 1–2 character term
  // falls back to a scan of the small search table (never of the account documents).
  const matching =
    search.length >= TRIGRAM
      ? { sql: 'SELECT rowid FROM account_search WHERE account_search MATCH ?', params: [`{name email} : "${search.replaceAll('"', '""')}"`] }
      : { sql: 'SELECT rowid FROM account_search WHERE instr(lower(name), ?) > 0 OR instr(lower(email), ?) > 0', params: [search, search] };
  const total = Number(ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM (${matching.sql})`, matching.params)?.n ?? 0);
  const rows = ctx.db.all<AccountRow>(
    `SELECT * FROM accounts WHERE kind = 'customer' AND seq IN (${matching.sql}) ORDER BY seq DESC LIMIT ? OFFSET ?`,
    [...matching.params, q.limit, q.offset],
  );
  return { customers: rows.map(toCustomer), total };
}

export function emailTaken(ctx: SandboxContext, email: string): boolean {
  return ctx.db.get('SELECT 1 AS x FROM accounts WHERE email = ?', [email]) !== undefined;
}

export function saveCustomerDoc(ctx: SandboxContext, doc: CustomerDoc): void {
  ctx.db.run('UPDATE accounts SET doc = ? WHERE auth_id = ?', [JSON.stringify(doc), doc.auth_id]);
}

export function addBalance(ctx: SandboxContext, authId: string, deltaUnits: number): number {
  ctx.db.run('UPDATE accounts SET balance_units = balance_units + ? WHERE auth_id = ?', [deltaUnits, authId]);
  const row = ctx.db.get<{ balance_units: number }>('SELECT balance_units FROM accounts WHERE auth_id = ?', [authId]);
  return Number(row?.balance_units ?? 0);
}

interface NewCustomerInput {
  name: string; email: string; phone: string; password: string; country: string; currency: string; company?: string;
  description?: string; address?: string; city?: string; state?: string; zip_code?: string; timezone?: string;
  gstin?: string; gst_status?: string; account_type?: string;
}

/** One transaction (one commit, not four): the account, its search row, its password hash and the id counter. */
export function createCustomer(ctx: SandboxContext, input: NewCustomerInput): Customer {
  return ctx.db.tx(() => insertCustomer(ctx, input));
}

function insertCustomer(ctx: SandboxContext, input: NewCustomerInput): Customer {
  const partner = getPartner(ctx);
  const now = ctx.clock.iso();
  const seq = ctx.db.nextSeq('customer');
  let authId = customerAuthId();
  while (ctx.db.get('SELECT 1 AS x FROM accounts WHERE auth_id = ?', [authId])) authId = customerAuthId();
  const doc: CustomerDoc = {
    name: input.name, email: input.email, phone: input.phone, description: input.description ?? '', gstin: input.gstin ?? '',
    gst_status: input.gst_status ?? '', tds_enabled: false, tds_percentage: 2, business_type: 'individual',
    id: String(500000 + seq), auth_id: authId, api_id: uuid(), account_type: input.account_type ?? 'standard', role: 'user',
    postpaid: false, address: input.address ?? '', city: input.city ?? '', state: input.state ?? '',
    timezone: input.timezone ?? 'Asia/Kolkata', country: input.country, zip_code: input.zip_code ?? '', company: input.company ?? '',
    billing_mode: 'prepaid', auto_recharge: false, currency: input.currency, cps_limit: 1, concurrent_calls_limit: 4,
    base_cps_limit: 1, base_concurrent_calls_limit: 4, purchased_cps: 0, purchased_concurrent_calls: 0, is_active: true,
    is_verified: false, is_trial_account: false, enabled: true, kyc_status: 'pending', google_id: null,
    referral_code: authId.slice(3).toLowerCase(), referral_disabled: false, custom_referrer_reward_amount: null,
    custom_referee_reward_amount: null, created_at: now, updated_at: now, last_login: null, partner_id: partner.doc.id, status: 'active',
  };
  const authToken = customerAuthToken();
  // The password itself is never stored: only a salted hash, so tests can confirm which password an account got.
  ctx.db.run('INSERT INTO accounts (auth_id, kind, email, auth_token, balance_units, seq, doc) VALUES (?, ?, ?, ?, 0, ?, ?)', [
    authId, 'customer', input.email, authToken, seq, JSON.stringify(doc),
  ]);
  ctx.db.run('INSERT INTO account_search (rowid, name, email) VALUES (?, ?, ?)', [seq, input.name, input.email]);
  recordPasswordHash(ctx, authId, input.password);
  return { doc, authToken, balanceUnits: 0 };
}

/**
 * The full account object of doc §5.4 (GET /accounts rows redact the token; GET one shows it). The wallet currency
 * is stored but not a field of the object (neither the docs' row nor the SDK model has it; `pricing_tier.currency`,
 * the balance and the transfer carry it).
 */
export function renderAccount(ctx: SandboxContext, c: Customer, showToken: boolean): Record<string, unknown> {
  const { status: _status, currency: _currency, ...doc } = c.doc;
  return {
    ...doc,
    cash_credits: toString5(c.balanceUnits),
    pricing_tier_id: PRICING_TIER_ID,
    pricing_tier: pricingTier(c.doc.partner_id),
    auto_recharge_config: null,
    resource_uri: `/v1/Account/${c.doc.auth_id}/`,
    auth_token: showToken ? c.authToken : '<redacted>',
  };
}
