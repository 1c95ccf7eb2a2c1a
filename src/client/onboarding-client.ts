/**
 * The typed client other services use to start and steer customer onboardings through the bridge's start API.
 *
 *   const onboarding = new OnboardingClient({ baseUrl: 'http://bridge:8787', token: process.env.BRIDGE_TOKEN! });
 *   const { workflowId, status } = await onboarding.start(request);   // 'started' or 'existing'
 *   const state = await onboarding.getStatus('acme-0001');
 *
 * Every failure is an OnboardingApiError subclass carrying {status, code, field, rule}. Starting is idempotent by
 * customerRef, so retrying `start` after a ServiceUnavailableError is always safe; pass an idempotencyKey to make
 * retried actions safe too.
 */
import { request, type Dispatcher } from 'undici';
import type { StartOutcome } from '../bridge/onboardings.js';
import type { OnboardingRequest } from '../workflows/input.js';
import type { LifecycleState, NumberPurchaseArgs, ReminderRecord, Stage } from '../workflows/messages.js';
import { ServiceUnavailableError, errorFor, type ApiErrorBody } from './errors.js';

export type { StartOutcome };

export interface OnboardingClientOptions {
  /** The bridge's base URL, e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  /** A bearer token from the bridge's BRIDGE_API_TOKENS. */
  token: string;
  /** Per-request timeout; actions wait for the workflow, so leave room (default 35 s, above the bridge's 30 s). */
  timeoutMs?: number;
  /** An undici dispatcher (connection pool, proxy, MockAgent in tests); defaults to the global one. */
  dispatcher?: Dispatcher;
}

export interface ActionOptions {
  /** Same key → same workflow update: a retried call attaches to the first instead of acting twice. */
  idempotencyKey?: string;
}

export interface ActionResult<R> {
  workflowId: string;
  customerRef: string;
  action: string;
  result: R;
}

export class OnboardingClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: OnboardingClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 35_000;
  }

  /** Starts the customer's workflow, or joins it when the same input was sent before (status 'existing'). */
  start(input: OnboardingRequest): Promise<StartOutcome> {
    return this.call('POST', '/onboardings', input);
  }

  getStatus(customerRef: string): Promise<LifecycleState> {
    return this.call('GET', `/onboardings/${encodeURIComponent(customerRef)}`);
  }

  resendKyc(customerRef: string, options?: ActionOptions): Promise<ActionResult<{ result: ReminderRecord['result'] }>> {
    return this.action(customerRef, 'resend-kyc', {}, options);
  }

  revokeKyc(customerRef: string, reason: string, options?: ActionOptions): Promise<ActionResult<{ stage: Stage }>> {
    return this.action(customerRef, 'revoke-kyc', { reason }, options);
  }

  restartKyc(customerRef: string, options?: ActionOptions): Promise<ActionResult<{ stage: Stage }>> {
    return this.action(customerRef, 'restart-kyc', {}, options);
  }

  offboard(customerRef: string, reason: string, options?: ActionOptions): Promise<ActionResult<{ stage: Stage }>> {
    return this.action(customerRef, 'offboard', { reason }, options);
  }

  purchaseNumber(customerRef: string, args: NumberPurchaseArgs, options?: ActionOptions): Promise<ActionResult<{ e164: string }>> {
    return this.action(customerRef, 'purchase-number', args, options);
  }

  private action<R>(customerRef: string, name: string, body: object, options?: ActionOptions): Promise<ActionResult<R>> {
    const headers = options?.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : undefined;
    return this.call('POST', `/onboardings/${encodeURIComponent(customerRef)}/${name}`, body, headers);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T> {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...extraHeaders,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      });
    } catch (err) {
      // No answer at all: the request may or may not have reached the bridge; retrying is safe (see above).
      throw new ServiceUnavailableError(0, { error: 'unreachable', message: `Onboarding API unreachable: ${(err as Error).message}` }, true);
    }
    const text = await response.body.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.statusCode >= 200 && response.statusCode < 300) return parsed as T;
    const errorBody: ApiErrorBody = parsed && typeof parsed === 'object' ? parsed : { message: `Onboarding API answered ${response.statusCode}` };
    throw errorFor(response.statusCode, errorBody);
  }
}
