/**
 * Phone numbers: the inventory the sandbox seeds at first start, purchases, releases (doc §5.9, §6.3).
 * A number is one row whose `owner` is null while it sits in inventory.
 */
import type { SandboxContext } from './context.js';
import { parseDoc } from './db.js';
import { uuid } from './ids.js';
import { DAY_MS } from './clock.js';

interface NumberDoc {
  id: string; account_id: string | null; e164: string; country: string; region: string;
  capabilities: { voice: boolean; sms: boolean; mms: boolean; fax: boolean }; voice_enabled: boolean; status: string;
  provider: string; is_blocked: boolean; is_trial_number: boolean; tags: string[]; source: string; setup_fee: number;
  monthly_fee: number; currency: string; minimum_commitment_months: number; application_id: string;
  purchased_at: string | null; created_at: string; updated_at: string; last_billing_date: string | null;
  next_billing_date: string | null; aadhaar_verification_required: boolean; aadhaar_verified: boolean;
  released_at?: string | null; cooldown_ends_at?: string | null; trunk_group_id?: string | null;
}

/** Release windows (doc §6.3): 24 h cancellable `pending_release`, then 45 days of quarantine before inventory. */
export const RELEASE_WINDOW_MS = DAY_MS;
const QUARANTINE_MS = 45 * DAY_MS;
const INVENTORY_SIZE = 50;

/** 50 Bengaluru numbers +918071387100 … +918071387149 (the seed's release example uses +918071387149). */
export function seedInventory(ctx: SandboxContext): void {
  if (ctx.db.getMeta('inventory_seeded')) return;
  const now = ctx.clock.iso();
  ctx.db.tx(() => {
    for (let i = 0; i < INVENTORY_SIZE; i++) {
      const e164 = `+9180713871${String(i).padStart(2, '0')}`;
      const doc: NumberDoc = {
        id: uuid(), account_id: null, e164, country: 'IN', region: 'Bengaluru, Karnataka',
        capabilities: { voice: true, sms: false, mms: false, fax: false }, voice_enabled: true, status: 'active', provider: '',
        is_blocked: false, is_trial_number: false, tags: [], source: 'inventory', setup_fee: 100, monthly_fee: 300,
        currency: 'INR', minimum_commitment_months: 0, application_id: '', purchased_at: null, created_at: now, updated_at: now,
        last_billing_date: null, next_billing_date: null, aadhaar_verification_required: true, aadhaar_verified: false,
      };
      ctx.db.run('INSERT OR IGNORE INTO numbers (e164, owner, status, seq, doc) VALUES (?, NULL, ?, ?, ?)', [e164, 'active', i, JSON.stringify(doc)]);
    }
    ctx.db.setMeta('inventory_seeded', '1');
  });
}

interface NumberRow { e164: string; owner: string | null; status: string; doc: string }

export function findNumber(ctx: SandboxContext, e164: string): NumberDoc | undefined {
  const row = ctx.db.get<NumberRow>('SELECT * FROM numbers WHERE e164 = ?', [e164]);
  return row ? parseDoc<NumberDoc>(row) : undefined;
}

export function inventoryNumbers(ctx: SandboxContext): NumberDoc[] {
  return ctx.db.all<NumberRow>("SELECT * FROM numbers WHERE owner IS NULL AND status = 'active' ORDER BY e164").map((r) => parseDoc<NumberDoc>(r));
}

export function ownedNumbers(ctx: SandboxContext, authId: string): NumberDoc[] {
  return ctx.db.all<NumberRow>('SELECT * FROM numbers WHERE owner = ? ORDER BY seq DESC', [authId]).map((r) => parseDoc<NumberDoc>(r));
}

export function saveNumber(ctx: SandboxContext, doc: NumberDoc, seq?: number): void {
  const seqSql = seq === undefined ? '' : ', seq = ?';
  const params = [doc.account_id, doc.status, ...(seq === undefined ? [] : [seq]), JSON.stringify(doc), doc.e164];
  ctx.db.run(`UPDATE numbers SET owner = ?, status = ?${seqSql}, doc = ? WHERE e164 = ?`, params);
}

/**
 * An owned number (doc §5.9 / the SDK's `ListNumbersResponseItemsItem`). Indian DIDs stay restricted until Aadhaar is
 * verified; the flag follows the owner's KYC status. `cooldown_ends_at` is bookkeeping (it is in the release answer).
 */
export function renderNumber(doc: NumberDoc, ownerKycCompleted: boolean): Record<string, unknown> {
  const { cooldown_ends_at: _cooldown, ...fields } = doc;
  return { ...fields, account_id: doc.account_id ?? '', purchased_at: doc.purchased_at ?? doc.created_at, aadhaar_verified: doc.account_id !== null && ownerKycCompleted };
}

/**
 * An inventory number: the SDK's `ListInventoryNumbersResponseItemsItem`, which has no ownership, billing or routing
 * fields. `account_id` is a required string there; an unowned number has the empty string (sandbox choice).
 */
export function renderInventoryNumber(doc: NumberDoc): Record<string, unknown> {
  return {
    id: doc.id, account_id: '', e164: doc.e164, country: doc.country, region: doc.region, capabilities: doc.capabilities,
    status: doc.status, provider: doc.provider, setup_fee: doc.setup_fee, monthly_fee: doc.monthly_fee, currency: doc.currency,
    voice_enabled: doc.voice_enabled, tags: doc.tags, is_blocked: doc.is_blocked, created_at: doc.created_at, updated_at: doc.updated_at,
    is_trial_number: doc.is_trial_number, minimum_commitment_months: doc.minimum_commitment_months,
    aadhaar_verification_required: doc.aadhaar_verification_required, aadhaar_verified: false,
  };
}

/** Moves released numbers along: pending_release → quarantined (after 24 h) → back to inventory (after 45 days). */
export function advanceReleases(ctx: SandboxContext): void {
  const nowMs = ctx.clock.nowMs();
  const rows = ctx.db.all<NumberRow>("SELECT * FROM numbers WHERE status IN ('pending_release', 'quarantined')");
  for (const row of rows) {
    const doc = parseDoc<NumberDoc>(row);
    const releasedMs = Date.parse(doc.released_at ?? '') || nowMs;
    if (doc.status === 'pending_release' && nowMs >= releasedMs + RELEASE_WINDOW_MS) {
      saveNumber(ctx, { ...doc, status: 'quarantined', account_id: null, trunk_group_id: null, updated_at: ctx.clock.iso(nowMs) });
    } else if (doc.status === 'quarantined' && nowMs >= releasedMs + RELEASE_WINDOW_MS + QUARANTINE_MS) {
      saveNumber(ctx, {
        ...doc, status: 'active', account_id: null, purchased_at: null, released_at: null, cooldown_ends_at: null,
        last_billing_date: null, next_billing_date: null, updated_at: ctx.clock.iso(nowMs),
      });
    }
  }
}
