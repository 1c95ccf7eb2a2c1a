/**
 * The error bodies of the real API (doc §2). There is no single envelope: each family has its own shape, and real
 * clients must parse all of them, so the sandbox reproduces each one where the doc places it.
 */
import type { z } from 'zod';
import { toString2, toNumber } from './money.js';

/** Thrown by handlers; the server's error handler writes `status`, `headers` and `body` exactly as given. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${statusCode}`);
    this.name = 'ApiError';
  }
}

/** Partner API (FastAPI-style): `{error:"HTTPError", message, status_code}`. */
export function partnerError(status: number, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): ApiError {
  return new ApiError(status, { error: 'HTTPError', message, status_code: status, ...extra }, headers);
}

export interface ValidationDetail {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** Partner 422: `{error:"ValidationError", message:"Request validation failed", details:[{type,loc,msg,input,ctx}], status_code:422}`. */
export function validationError(details: ValidationDetail[]): ApiError {
  return new ApiError(422, { error: 'ValidationError', message: 'Request validation failed', details, status_code: 422 });
}

/** Partner transfer-balance 400 when the partner wallet cannot cover the amount; amounts are JSON numbers. */
export function insufficientBalanceError(currentUnits: number, requestedUnits: number, currency: string): ApiError {
  return new ApiError(400, {
    error: 'insufficient_balance',
    message: `Your partner balance (₹${toString2(currentUnits)}) is insufficient for this transfer (₹${toString2(requestedUnits)}).`,
    current_balance: toNumber(currentUnits),
    requested_amount: toNumber(requestedUnits),
    currency,
  });
}

/** Customer API (OpenAPI `Error` schema): `{error:"not_found", message}`. */
export function customerError(status: number, error: string, message: string): ApiError {
  return new ApiError(status, { error, message });
}

/** Customer auth and transactions: the nested shape `{error:{code, message}}`. */
export function nestedError(status: number, message: string): ApiError {
  return new ApiError(status, { error: { code: status, message } });
}

/** Converts zod issues into pydantic-style details, the shape FastAPI puts in a 422. */
function zodDetails(issues: z.core.$ZodIssue[], where: 'body' | 'query', input: unknown): ValidationDetail[] {
  return issues.map((issue) => {
    const loc: Array<string | number> = [where, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    const value = valueAt(input, issue.path);
    if (issue.code === 'invalid_type' && value === undefined) {
      return { type: 'missing', loc, msg: 'Field required', input: where === 'body' ? parentAt(input, issue.path) : null };
    }
    if (issue.code === 'invalid_type') {
      return { type: `${issue.expected}_type`, loc, msg: `Input should be a valid ${issue.expected}`, input: value };
    }
    if (issue.code === 'too_small' || issue.code === 'too_big') {
      const bound = issue.code === 'too_small' ? 'greater_than_equal' : 'less_than_equal';
      const key = issue.code === 'too_small' ? 'ge' : 'le';
      const limit = (issue as { minimum?: unknown; maximum?: unknown }).minimum ?? (issue as { maximum?: unknown }).maximum;
      return { type: typeof value === 'string' ? (issue.code === 'too_small' ? 'string_too_short' : 'string_too_long') : bound, loc, msg: issue.message, input: value, ctx: { [key]: limit } };
    }
    return { type: 'value_error', loc, msg: `Value error, ${issue.message}`, input: value };
  });
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function parentAt(input: unknown, path: PropertyKey[]): unknown {
  return valueAt(input, path.slice(0, -1));
}

/** Validates a partner request body with zod; a failure becomes the partner 422 ValidationError body. */
export function parsePartnerBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw validationError(zodDetails(parsed.error.issues, 'body', body ?? {}));
  return parsed.data;
}
