/** SIP trunks (doc §6.4): storage and the two request styles (prose vs OpenAPI) mapped onto one object. */
import type { SandboxContext } from './context.js';
import { parseDoc } from './db.js';

export interface TrunkDoc {
  trunk_id: string; auth_id: string; account_id: string; name: string; trunk_domain: string; trunk_status: string;
  secure: boolean; trunk_direction: string; concurrent_calls_limit: number; cps_limit: number; description: string;
  transport: string; recording: boolean; enable_transcription: boolean; pii_redaction: boolean; webhook_method: string;
  recording_webhook_enabled: boolean; created_at: string; updated_at: string;
  credential_uuid?: string; ipacl_uuid?: string; primary_uri_uuid?: string; fallback_uri_uuid?: string;
  inbound_destination?: string; pii_entity_types?: string[]; webhook_url?: string;
}

interface TrunkRow { trunk_id: string; owner: string; doc: string }

export function listTrunks(ctx: SandboxContext, owner: string): TrunkDoc[] {
  return ctx.db.all<TrunkRow>('SELECT * FROM trunks WHERE owner = ? ORDER BY seq', [owner]).map((r) => parseDoc<TrunkDoc>(r));
}

export function findTrunk(ctx: SandboxContext, owner: string, trunkId: string): TrunkDoc | undefined {
  const row = ctx.db.get<TrunkRow>('SELECT * FROM trunks WHERE owner = ? AND trunk_id = ?', [owner, trunkId]);
  return row ? parseDoc<TrunkDoc>(row) : undefined;
}

export function insertTrunk(ctx: SandboxContext, doc: TrunkDoc): void {
  ctx.db.run('INSERT INTO trunks (trunk_id, owner, seq, doc) VALUES (?, ?, ?, ?)', [doc.trunk_id, doc.auth_id, ctx.db.nextSeq('trunk'), JSON.stringify(doc)]);
}

export function saveTrunk(ctx: SandboxContext, doc: TrunkDoc): void {
  ctx.db.run('UPDATE trunks SET doc = ? WHERE trunk_id = ?', [JSON.stringify(doc), doc.trunk_id]);
}

export function deleteTrunk(ctx: SandboxContext, trunkId: string): void {
  ctx.db.run('DELETE FROM trunks WHERE trunk_id = ?', [trunkId]);
}

const OPTIONAL_KEYS = ['credential_uuid', 'primary_uri_uuid', 'inbound_destination', 'webhook_url'] as const;

/**
 * The trunk object. The stored `auth_id` (the owner) and the attachments the docs never show in a response
 * (`ipacl_uuid`, `fallback_uri_uuid`) stay inside. The docs' "optional keys when set" (credential, primary URI,
 * inbound destination, PII entity types, webhook URL) are fields of the SDK's list item but not of its create /
 * get / update models, so they appear in the list, and on single objects only with the `prose` response shape.
 * `pii_entity_types` is stored as a list and rendered as the SDK's string (comma-separated).
 */
export function renderTrunk(doc: TrunkDoc, withOptional: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    trunk_id: doc.trunk_id, account_id: doc.account_id, name: doc.name, trunk_domain: doc.trunk_domain, trunk_status: doc.trunk_status,
    secure: doc.secure, trunk_direction: doc.trunk_direction, concurrent_calls_limit: doc.concurrent_calls_limit, cps_limit: doc.cps_limit,
    description: doc.description, transport: doc.transport, recording: doc.recording, enable_transcription: doc.enable_transcription,
    pii_redaction: doc.pii_redaction, webhook_method: doc.webhook_method, recording_webhook_enabled: doc.recording_webhook_enabled,
    created_at: doc.created_at, updated_at: doc.updated_at,
  };
  if (!withOptional) return out;
  for (const key of OPTIONAL_KEYS) if (doc[key] !== undefined) out[key] = doc[key];
  if (doc.pii_entity_types !== undefined) out.pii_entity_types = doc.pii_entity_types.join(',');
  return out;
}

/** A trunk carries traffic unless it was created or updated as disabled. */
export function isEnabled(t: TrunkDoc): boolean {
  return t.trunk_status !== 'disabled';
}
