/**
 * X-Auth-ID + X-Auth-Token checks (doc §1). Partner creds work only on /api/v1/partner/*; customer creds only on the
 * account API, and only for their own account id. Tokens are compared in constant time and never logged.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { SandboxContext } from './context.js';
import { findCustomer, type Customer } from './accounts.js';
import { nestedError, partnerError } from './errors.js';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sameSecret(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** The (id, token) pair from X-Auth-* headers, or from HTTP Basic (which the customer transactions endpoint accepts). */
function credentials(req: FastifyRequest): { id: string; token: string } | undefined {
  const id = header(req, 'x-auth-id');
  const token = header(req, 'x-auth-token');
  if (id && token) return { id, token };
  const basic = /^Basic\s+(.+)$/i.exec(header(req, 'authorization') ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { id: decoded.slice(0, colon), token: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** Partner API guard: 401 for missing/wrong creds, 403 for valid customer creds used on the partner API. */
export function requirePartner(ctx: SandboxContext, req: FastifyRequest): void {
  const creds = credentials(req);
  if (!creds) throw partnerError(401, 'Missing authentication credentials: send X-Auth-ID and X-Auth-Token');
  if (creds.id === ctx.partnerAuthId && sameSecret(creds.token, ctx.partnerAuthToken)) return;
  const customer = findCustomer(ctx, creds.id);
  if (customer && sameSecret(creds.token, customer.authToken)) {
    throw partnerError(403, 'Partner API access requires partner credentials; customer credentials are not accepted here');
  }
  throw partnerError(401, 'Invalid authentication credentials');
}

/**
 * Customer API guard: the nested `{error:{code,message}}` shape the customer API documents for 401/403. Partner creds
 * are not an account here, so they get 401 ("a partner token cannot drive a customer's voice resources").
 * `pathAuthId` null: a path without an account id (`/auth/me`).
 */
export function requireCustomer(ctx: SandboxContext, req: FastifyRequest, pathAuthId: string | null): Customer {
  const creds = credentials(req);
  if (!creds) throw nestedError(401, 'Invalid token');
  const customer = findCustomer(ctx, creds.id);
  if (!customer || !sameSecret(creds.token, customer.authToken)) throw nestedError(401, 'Invalid token');
  if (pathAuthId !== null && pathAuthId !== customer.doc.auth_id) throw nestedError(403, 'Access denied: account ID mismatch');
  return customer;
}
