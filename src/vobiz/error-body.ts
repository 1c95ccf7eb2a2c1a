/**
 * Parses every documented Vobiz error body (docs/vobiz-api.md §2) into the one `VobizApiError`: the generic
 * `{status:"error", error:{code,message,details}}` envelope, FastAPI `{error:"HTTPError", message, status_code}`,
 * 422 `{error:"ValidationError", details:[{loc,msg}]}`, transfer `{error:"insufficient_balance", current_balance…}`,
 * customer `{api_id?, error:"not_found", message}`, `{error:"Username already exists", code:409}`, nested
 * `{error:{code:401,message}}`, plain `{error:"accountID is required"}` and non-JSON bodies.
 */
import { isSecretKey, scrubSecrets } from './redact.js';
import { VobizApiError, type VobizErrorCode, type VobizErrorContext, type VobizFieldError } from './errors.js';

type Primitive = string | number | boolean | null;


const STATUS_CODES: Record<number, VobizErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  402: 'insufficient_balance',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'validation_error',
  429: 'rate_limited',
};

/** API codes that mean one of our normalised codes. Keys are lowercased with `-`/spaces as `_`. */
const CODE_ALIASES: Record<string, VobizErrorCode> = {
  invalid_credentials: 'unauthorized',
  invalid_token: 'unauthorized',
  token_expired: 'unauthorized',
  unauthorized: 'unauthorized',
  unauthenticated: 'unauthorized',
  forbidden: 'forbidden',
  access_denied: 'forbidden',
  permission_denied: 'forbidden',
  not_found: 'not_found',
  validation_error: 'validation_error',
  validationerror: 'validation_error',
  request_validation_error: 'validation_error',
  insufficient_balance: 'insufficient_balance',
  insufficient_funds: 'insufficient_balance',
  conflict: 'conflict',
  rate_limited: 'rate_limited',
  too_many_requests: 'rate_limited',
  internal_server_error: 'server_error',
  internal_error: 'server_error',
};

/** Exception class names that say nothing beyond the status. */
const GENERIC_CODES = new Set(['httperror', 'httpexception', 'error', 'exception', 'apierror']);

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** Body keys that form the envelope rather than extra details. */
const ENVELOPE_KEYS = new Set(['error', 'message', 'detail', 'details', 'status', 'status_code', 'code', 'requestId', 'request_id', 'timestamp', 'api_id', 'success']);

function statusCode(status: number): VobizErrorCode {
  return STATUS_CODES[status] ?? (status >= 500 ? 'server_error' : `http_${status}`);
}

function normaliseCode(raw: string | number | undefined, status: number): VobizErrorCode {
  if (typeof raw !== 'string' || !IDENTIFIER.test(raw)) return statusCode(status);
  const key = raw
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-.]/g, '_')
    .toLowerCase();
  if (GENERIC_CODES.has(raw.toLowerCase()) || GENERIC_CODES.has(key)) return statusCode(status);
  // A status-class code wins for 429 whatever the body says: callers key their back-off on `rate_limited`.
  if (status === 429) return 'rate_limited';
  return CODE_ALIASES[key] ?? CODE_ALIASES[raw.toLowerCase()] ?? key;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function fieldErrorsFrom(details: unknown): VobizFieldError[] {
  if (!Array.isArray(details)) return [];
  const out: VobizFieldError[] = [];
  for (const d of details) {
    if (!isRecord(d)) continue;
    // FastAPI/pydantic: {type, loc:["body","email"], msg, input, ctx}. `input` is deliberately never read: it can be
    // the password the caller sent.
    const loc = Array.isArray(d.loc) ? d.loc : undefined;
    const field = loc
      ? loc
          .filter((p, i) => !(i === 0 && (p === 'body' || p === 'query' || p === 'path' || p === 'header')))
          .map(String)
          .join('.')
      : (str(d.field) ?? str(d.param) ?? '');
    const rule = str(d.msg) ?? str(d.message) ?? str(d.type) ?? 'invalid';
    out.push({ field, rule });
  }
  return out;
}

function scalarDetails(...sources: unknown[]): Record<string, Primitive> {
  const out: Record<string, Primitive> = {};
  for (const source of sources) {
    if (!isRecord(source)) continue;
    for (const [k, v] of Object.entries(source)) {
      if (ENVELOPE_KEYS.has(k) || isSecretKey(k)) continue;
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    }
  }
  return out;
}

/** Milliseconds from a Retry-After header (seconds or HTTP date) or from "wait N seconds" in a message. */
export function parseRetryAfterMs(header: string | undefined, message: string | undefined, now = Date.now()): number | undefined {
  if (header) {
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if (message) {
    const m = /wait\s+(\d+(?:\.\d+)?)\s*(seconds?|secs?|s\b|minutes?|mins?|milliseconds?|ms)/i.exec(message);
    if (m) {
      const n = Number(m[1]);
      const unit = (m[2] ?? 's').toLowerCase();
      if (unit.startsWith('min')) return Math.round(n * 60_000);
      if (unit.startsWith('ms') || unit.startsWith('milli')) return Math.round(n);
      return Math.round(n * 1000);
    }
  }
  return undefined;
}

export interface ErrorResponse {
  status: number;
  /** Lower-case header names; only `retry-after` and `x-request-id` are read. */
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
  /** Credential values used by the call, scrubbed from anything echoed into the error. */
  secrets?: readonly (string | undefined)[];
}

function header(headers: ErrorResponse['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Fields named in a message, each with Vobiz's rule for it, at most this many (the rest are counted). */
const FIELDS_IN_MESSAGE = 5;
const RULE_CHARS = 160;

/**
 * " (country: country must be an ISO-3166 alpha-2 code such as IN; phone: Field required)": what Vobiz said of each
 * field, so a block reason, an alert or a refused action names what to correct. Only the field and Vobiz's rule:
 * the value sent (pydantic's `input`) is never read.
 */
function describeFieldErrors(fields: readonly VobizFieldError[]): string {
  if (fields.length === 0) return '';
  const named = fields.slice(0, FIELDS_IN_MESSAGE).map((f) => {
    const rule = f.rule.length > RULE_CHARS ? `${f.rule.slice(0, RULE_CHARS - 1)}…` : f.rule;
    return `${f.field || '(body)'}: ${rule}`;
  });
  const more = fields.length > FIELDS_IN_MESSAGE ? `; and ${fields.length - FIELDS_IN_MESSAGE} more` : '';
  return ` (${named.join('; ')}${more})`;
}

/** Builds the one `VobizApiError` from any documented (or undocumented, or non-JSON) error body. */
export function parseApiError(ctx: VobizErrorContext, res: ErrorResponse): VobizApiError {
  let body: unknown;
  try {
    body = res.bodyText.trim() === '' ? undefined : JSON.parse(res.bodyText);
  } catch {
    body = undefined; // HTML from a proxy, plain text: fall back to the status.
  }

  let apiCode: string | number | undefined;
  let message: string | undefined;
  let fieldErrors: VobizFieldError[] = [];
  let requestId: string | undefined;
  let details: Record<string, Primitive> = {};

  if (isRecord(body)) {
    const err = body.error;
    if (isRecord(err)) {
      // Generic page {status:"error", error:{code,message,details}, requestId}; transactions {error:{code:401,message}}.
      apiCode = typeof err.code === 'string' || typeof err.code === 'number' ? err.code : undefined;
      message = str(err.message);
      fieldErrors = fieldErrorsFrom(err.details);
      details = scalarDetails(body, err.details);
    } else if (typeof err === 'string') {
      // Either a code ("insufficient_balance", "ValidationError", "HTTPError") or a sentence
      // ("Username already exists", "accountID is required"). A sentence is the message.
      if (IDENTIFIER.test(err) && !/\s/.test(err)) apiCode = err;
      else message = err;
      details = scalarDetails(body);
    } else {
      details = scalarDetails(body);
    }
    message = str(body.message) ?? message ?? str(body.detail);
    // FastAPI's own {detail:[…]} and our documented {details:[…]}.
    if (fieldErrors.length === 0) fieldErrors = fieldErrorsFrom(body.details);
    if (fieldErrors.length === 0) fieldErrors = fieldErrorsFrom(body.detail);
    if (apiCode === undefined && (typeof body.code === 'string' || typeof body.code === 'number')) apiCode = body.code;
    requestId = str(body.requestId) ?? str(body.request_id);
  } else if (typeof body === 'string') {
    message = body;
  }
  requestId ??= header(res.headers, 'x-request-id');

  const code = normaliseCode(typeof apiCode === 'string' && GENERIC_CODES.has(apiCode.toLowerCase()) ? undefined : apiCode, res.status);
  const text = message ?? (body === undefined && res.bodyText.trim() !== '' && res.bodyText.length <= 200 && !/<[a-z!]/i.test(res.bodyText) ? res.bodyText.trim() : undefined);
  const safeMessage = scrubSecrets(text ?? `HTTP ${res.status}`, res.secrets);
  const retryAfterMs = res.status === 429 ? parseRetryAfterMs(header(res.headers, 'retry-after'), message) : undefined;
  const fields = fieldErrors.map((f) => ({ field: f.field, rule: scrubSecrets(f.rule, res.secrets) }));

  return new VobizApiError({
    ctx,
    status: res.status,
    code,
    apiCode,
    message: `Vobiz ${ctx.method} ${ctx.path} → ${res.status} ${code}: ${safeMessage}${describeFieldErrors(fields)}`,
    fieldErrors: fields,
    retryAfterMs,
    requestId,
    details: Object.fromEntries(
      Object.entries(details).map(([k, v]) => [k, typeof v === 'string' ? scrubSecrets(v, res.secrets) : v]),
    ),
  });
}

