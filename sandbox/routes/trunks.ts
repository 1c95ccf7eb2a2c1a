/**
 * Customer API SIP trunks (doc §6.4). Both request styles are accepted: the prose (`trunk_type`,
 * `max_concurrent_calls`, `enabled`) and the OpenAPI (`trunk_direction`, `concurrent_calls_limit`, `trunk_status`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { SandboxContext } from '../context.js';
import { requireCustomer } from '../auth.js';
import { customerError } from '../errors.js';
import { lenientInt, type Query } from '../pagination.js';
import { deleteTrunk, findTrunk, insertTrunk, listTrunks, renderTrunk, saveTrunk, type TrunkDoc } from '../trunks.js';

type Body = Record<string, unknown>;

/** Validates and maps one request body onto trunk fields; `partial` for PUT (every field optional). */
function trunkFields(body: Body, partial: boolean): Partial<TrunkDoc> {
  const bad = (message: string) => customerError(400, 'bad_request', message);
  const out: Partial<TrunkDoc> = {};
  if (body.name !== undefined || !partial) {
    if (typeof body.name !== 'string' || body.name.trim() === '') throw bad('name is required');
    if (body.name.length > 255) throw bad('name must be at most 255 characters');
    out.name = body.name;
  }
  const str = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));
  const direction = str(body.trunk_direction) ?? (typeof body.trunk_type === 'string' ? body.trunk_type.toLowerCase() : undefined);
  if (direction !== undefined) {
    if (!['inbound', 'outbound', 'both'].includes(direction)) throw bad('trunk_direction must be inbound or outbound');
    out.trunk_direction = direction;
  }
  const status = str(body.trunk_status);
  if (status !== undefined) {
    if (!['enabled', 'disabled', 'active'].includes(status)) throw bad('trunk_status must be enabled or disabled');
    out.trunk_status = status;
  } else if (typeof body.enabled === 'boolean') {
    out.trunk_status = body.enabled ? 'enabled' : 'disabled';
  }
  const calls = body.concurrent_calls_limit ?? body.max_concurrent_calls;
  if (calls !== undefined) {
    if (!Number.isInteger(calls) || (calls as number) < 0 || (calls as number) > 1000) throw bad('concurrent_calls_limit must be an integer 0-1000');
    out.concurrent_calls_limit = calls as number;
  }
  if (body.cps_limit !== undefined) {
    if (!Number.isInteger(body.cps_limit) || (body.cps_limit as number) < 0 || (body.cps_limit as number) > 100) throw bad('cps_limit must be an integer 0-100');
    out.cps_limit = body.cps_limit as number;
  }
  const transport = str(body.transport);
  if (transport !== undefined) {
    if (!['udp', 'tcp', 'tls'].includes(transport)) throw bad('transport must be udp, tcp or tls');
    out.transport = transport;
  }
  const method = str(body.webhook_method);
  if (method !== undefined) {
    if (!['POST', 'GET'].includes(method)) throw bad('webhook_method must be POST or GET');
    out.webhook_method = method;
  }
  if (body.webhook_url !== undefined) {
    if (typeof body.webhook_url !== 'string' || !/^https?:\/\/[^\s]+$/.test(body.webhook_url) || body.webhook_url.length > 500) throw bad('invalid webhook_url');
    out.webhook_url = body.webhook_url;
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string' || body.description.length > 500) throw bad('description must be a string of at most 500 characters');
    out.description = body.description;
  }
  for (const flag of ['secure', 'recording', 'enable_transcription', 'pii_redaction', 'recording_webhook_enabled'] as const) {
    if (body[flag] !== undefined) {
      if (typeof body[flag] !== 'boolean') throw bad(`${flag} must be a boolean`);
      out[flag] = body[flag];
    }
  }
  for (const key of ['credential_uuid', 'ipacl_uuid', 'primary_uri_uuid', 'fallback_uri_uuid', 'inbound_destination'] as const) {
    if (typeof body[key] === 'string') out[key] = body[key];
  }
  if (Array.isArray(body.pii_entity_types)) out.pii_entity_types = body.pii_entity_types.map(String);
  return out;
}

export function trunkRoutes(ctx: SandboxContext) {
  const single = (doc: TrunkDoc) => renderTrunk(doc, ctx.settings.responseShape === 'prose');
  return async (app: FastifyInstance) => {
    app.post<{ Params: { authId: string } }>('/trunks', async (req, reply) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      const fields = trunkFields((req.body ?? {}) as Body, false);
      const trunkId = randomUUID();
      const now = ctx.clock.iso();
      const doc: TrunkDoc = {
        trunk_id: trunkId, auth_id: customer.doc.auth_id, account_id: customer.doc.auth_id, name: fields.name ?? '',
        trunk_domain: `${trunkId}.sip.vobiz.ai`, trunk_status: 'active', secure: false, trunk_direction: 'both',
        concurrent_calls_limit: customer.doc.concurrent_calls_limit, cps_limit: 2, description: '', transport: 'udp',
        recording: false, enable_transcription: false, pii_redaction: false, webhook_method: 'POST', recording_webhook_enabled: false,
        created_at: now, updated_at: now, ...fields,
      };
      insertTrunk(ctx, doc);
      void reply.code(201);
      return single(doc);
    });

    app.get<{ Params: { authId: string }; Querystring: Query }>('/trunks', async (req) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      const limit = lenientInt(req.query, 'limit', 20, { min: 1, max: 100 });
      const offset = lenientInt(req.query, 'offset', 0, { min: 0 });
      const all = listTrunks(ctx, customer.doc.auth_id);
      return { meta: { limit, offset, total: all.length }, objects: all.slice(offset, offset + limit).map((t) => renderTrunk(t, true)) };
    });

    app.get<{ Params: { authId: string; trunkId: string } }>('/trunks/:trunkId', async (req) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      return single(mustFind(ctx, customer.doc.auth_id, req.params.trunkId));
    });

    const update = async (req: FastifyRequest<{ Params: { authId: string; trunkId: string } }>) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      const trunk = mustFind(ctx, customer.doc.auth_id, req.params.trunkId);
      const fields = trunkFields((req.body ?? {}) as Body, true);
      // trunk_id, auth_id and the domain cannot change, whatever the body says.
      const next: TrunkDoc = { ...trunk, ...fields, trunk_id: trunk.trunk_id, auth_id: trunk.auth_id, account_id: trunk.account_id, trunk_domain: trunk.trunk_domain, updated_at: ctx.clock.iso() };
      saveTrunk(ctx, next);
      return single(next);
    };
    app.put<{ Params: { authId: string; trunkId: string } }>('/trunks/:trunkId', update);
    app.patch<{ Params: { authId: string; trunkId: string } }>('/trunks/:trunkId', update);

    app.delete<{ Params: { authId: string; trunkId: string } }>('/trunks/:trunkId', async (req, reply) => {
      const customer = requireCustomer(ctx, req, req.params.authId);
      mustFind(ctx, customer.doc.auth_id, req.params.trunkId);
      deleteTrunk(ctx, req.params.trunkId);
      return reply.code(204).send();
    });
  };
}

function mustFind(ctx: SandboxContext, owner: string, trunkId: string): TrunkDoc {
  const trunk = findTrunk(ctx, owner, trunkId);
  if (!trunk) throw customerError(404, 'not_found', 'trunk not found');
  return trunk;
}
