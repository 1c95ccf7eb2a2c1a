/**
 * Calling Temporal from a request: every call gets a deadline (a webhook must be answered before Vobiz gives up,
 * and a caller deserves a 503 instead of a hang), and errors are sorted into "Temporal is unreachable" (retry later)
 * and everything else.
 */
import type { Client } from '@temporalio/client';

/** gRPC codes that mean "not now" rather than "no": CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const TRANSIENT_GRPC_CODES = new Set([1, 4, 8, 14]);

/** Runs `fn` with a gRPC deadline `ms` from now on every Temporal call it makes. */
export function withDeadline<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  return client.connection.withDeadline(Date.now() + ms, fn);
}

/**
 * True when `err` (or any cause) says Temporal could not be reached or did not answer in time. The client wraps
 * gRPC errors in ServiceError with the gRPC error as `cause`, so the whole cause chain is searched.
 */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === 'number' && TRANSIENT_GRPC_CODES.has(code)) return true;
    if (name === 'WorkflowUpdateRPCTimeoutOrCancelledError') return true;
    if (name === 'TransportError') return true;
  }
  return false;
}
