/**
 * The typed client other services use to start and steer customer onboardings through the bridge's start API.
 *
 *   const onboarding = new OnboardingClient({
 *     baseUrl: 'http://bridge:8787',
 *     token: process.env.BRIDGE_TOKEN!,
 *     secretsPublicKey: process.env.SECRETS_PUBLIC_KEY!, // seals customer.password in this process
 *   });
 *   const { workflowId, status } = await onboarding.start(request);   // 'started' or 'existing'
 *   const state = await onboarding.getStatus('acme-0001');
 *
 * Every failure is an OnboardingApiError subclass carrying {status, code, field, rule}. Starting is idempotent by
 * customerRef, so retrying `start` after a ServiceUnavailableError is always safe; pass an idempotencyKey to make
 * retried actions safe too.
 */
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { Balance, CdrList, DashboardView, NumberList, PartnerProfileView, TransactionList } from '../bridge/read-schemas.js';
import type { ListOnboardingsQuery, OnboardingPage } from '../onboarding/customers.js';
import type { StartOutcome } from '../onboarding/start.js';
import type { ListCdrsParams, ListInventoryParams, ListNumbersParams, ListTransactionsParams } from '../vobiz/index.js';
import { parseSealingKey, type SealingKey } from '../secrets/keys.js';
import { sealCustomerPassword } from '../secrets/seal-password.js';
import type { OnboardingRequest } from '../workflows/input.js';
import type { HandOverAccountArgs, LifecycleState, NumberPurchaseArgs, ReminderRecord, RetryArgs, Stage } from '../workflows/messages.js';
import { InvalidRequestError, ServiceUnavailableError, errorFor, type ApiErrorBody } from './errors.js';

export type { StartOutcome };
export type { Balance, CdrList, DashboardView, NumberList, PartnerProfileView, TransactionList };
export type { ListCdrsParams as CdrQuery, ListInventoryParams as InventoryQuery, ListNumbersParams as NumberQuery, ListTransactionsParams as TransactionQuery };

/** Query string of a read's filters: arrays (inventory `exclude`) repeated, absent values left out. */
function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as [string, unknown][]) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(key, String(one));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface OnboardingClientOptions {
  /** The bridge's base URL, e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  /** A bearer token from the bridge's BRIDGE_API_TOKENS. */
  token: string;
  /** Per-request timeout; actions wait for the workflow, so leave room (default 35 s, above the bridge's 30 s). */
  timeoutMs?: number;
  /** An undici dispatcher (connection pool, proxy, MockAgent in tests); defaults to the global one. */
  dispatcher?: Dispatcher;
  /**
   * The secrets public key (`keyId:base64`, the service's SECRETS_PUBLIC_KEY). With it, `start` seals a plain
   * `customer.password` here, so the password never leaves this process in the clear; without it, only a password
   * that is already sealed can be sent. A public key: it can seal, never open.
   */
  secretsPublicKey?: string;
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
  private readonly sealingKey?: SealingKey;

  constructor(private readonly options: OnboardingClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 35_000;
    if (options.secretsPublicKey !== undefined) {
      const parsed = parseSealingKey(options.secretsPublicKey, 'secretsPublicKey');
      if (!parsed.key) throw new Error(`OnboardingClient: ${parsed.problems.join('; ')}`);
      this.sealingKey = parsed.key;
    }
  }

  /**
   * Starts the customer's workflow, or joins it when the same input was sent before (status 'existing'). A plain
   * `customer.password` is checked against Vobiz's policy and sealed first; one that cannot be sealed here is
   * refused with InvalidRequestError before anything is sent.
   */
  start(input: OnboardingRequest): Promise<StartOutcome> {
    const sealed = sealCustomerPassword(input, this.sealingKey);
    if (!sealed.ok) {
      const [first] = sealed.problems;
      return Promise.reject(
        new InvalidRequestError(400, {
          error: 'invalid_input',
          message: `refused before sending: ${sealed.problems.map((p) => `${p.field} ${p.rule}`).join('; ')}`,
          ...(first ? { field: first.field, rule: first.rule } : {}),
          problems: sealed.problems,
        }),
      );
    }
    return this.call('POST', '/onboardings', sealed.request);
  }

  /** One page of onboardings by stage and KYC status, newest first; pass `nextPageToken` back for the next page. */
  list(query: ListOnboardingsQuery = {}): Promise<OnboardingPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query) as [string, string | number | undefined][]) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return this.call('GET', `/onboardings${search ? `?${search}` : ''}`);
  }

  /** Every onboarding matching the filters, page by page. */
  async *listAll(query: Omit<ListOnboardingsQuery, 'pageToken'> = {}): AsyncGenerator<OnboardingPage['onboardings'][number]> {
    let pageToken: string | undefined;
    do {
      const page = await this.list({ ...query, ...(pageToken ? { pageToken } : {}) });
      yield* page.onboardings;
      pageToken = page.nextPageToken;
    } while (pageToken);
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

  /**
   * Releases one of the customer's numbers back to Vobiz (refused for a number not the customer's, one already
   * released, and during offboarding). `alreadyReleased`: Vobiz had released it before (a retry after a lost answer).
   */
  releaseNumber(customerRef: string, e164: string, options?: ActionOptions): Promise<ActionResult<{ e164: string; alreadyReleased: boolean }>> {
    return this.action(customerRef, 'release-number', { e164 }, options);
  }

  /** Tries a blocked step again (stage `blocked`), optionally with corrected customer details or trunk settings. */
  retry(customerRef: string, corrections: RetryArgs = {}, options?: ActionOptions): Promise<ActionResult<{ stage: Stage }>> {
    return this.action(customerRef, 'retry', corrections, options);
  }

  /**
   * Deliberately gives the Vobiz account of a customer blocked on `EmailInUse` to it: `from` is the owner the block
   * names (null when no customer owns the account), refused while that owner still runs (docs/operations.md).
   */
  handOverAccount(customerRef: string, args: HandOverAccountArgs, options?: ActionOptions): Promise<ActionResult<{ stage: Stage }>> {
    return this.action(customerRef, 'hand-over-account', args, options);
  }

  // ---- the Vobiz side, read from Vobiz (through the workers' rate budget), never from workflow state

  /** One page of the customer's Vobiz ledger, newest first (`nextPage` absent on the last). */
  transactions(customerRef: string, query: ListTransactionsParams = {}): Promise<TransactionList> {
    return this.call('GET', `/onboardings/${encodeURIComponent(customerRef)}/transactions${queryString(query)}`);
  }

  /** One page of the customer's call records, with Vobiz's filters. */
  cdrs(customerRef: string, query: ListCdrsParams = {}): Promise<CdrList> {
    return this.call('GET', `/onboardings/${encodeURIComponent(customerRef)}/cdrs${queryString(query)}`);
  }

  /** One page of every customer's call records (each row's `account_id` says whose). */
  partnerCdrs(query: ListCdrsParams = {}): Promise<CdrList> {
    return this.call('GET', `/partner/cdrs${queryString(query)}`);
  }

  /** Every call record of the filtered listing (the customer's, or with `null` every customer's), page after page. */
  async *allCdrs(customerRef: string | null, query: Omit<ListCdrsParams, 'page'> = {}): AsyncGenerator<CdrList['cdrs'][number]> {
    let page: number | undefined = 1;
    while (page !== undefined) {
      const list: CdrList = customerRef === null ? await this.partnerCdrs({ ...query, page }) : await this.cdrs(customerRef, { ...query, page });
      yield* list.cdrs;
      page = list.nextPage;
    }
  }

  numbers(customerRef: string, query: ListNumbersParams = {}): Promise<NumberList> {
    return this.call('GET', `/onboardings/${encodeURIComponent(customerRef)}/numbers${queryString(query)}`);
  }

  /** One page of the numbers on sale at Vobiz. */
  inventory(query: ListInventoryParams = {}): Promise<NumberList> {
    return this.call('GET', `/partner/numbers/inventory${queryString(query)}`);
  }

  balance(customerRef: string): Promise<Balance> {
    return this.call('GET', `/onboardings/${encodeURIComponent(customerRef)}/balance`);
  }

  partner(): Promise<PartnerProfileView> {
    return this.call('GET', '/partner');
  }

  dashboard(): Promise<DashboardView> {
    return this.call('GET', '/partner/dashboard');
  }

  /** Every row of the customer's ledger as CSV, streamed as the bridge reads it from Vobiz. */
  transactionsCsv(customerRef: string, query: Omit<ListTransactionsParams, 'page'> = {}): Promise<Readable> {
    return this.csv(`/onboardings/${encodeURIComponent(customerRef)}/transactions${queryString(query)}`);
  }

  /** Every call record as CSV (the customer's, or with `null` every customer's), streamed. */
  cdrsCsv(customerRef: string | null, query: Omit<ListCdrsParams, 'page'> = {}): Promise<Readable> {
    return this.csv(`${customerRef === null ? '/partner' : `/onboardings/${encodeURIComponent(customerRef)}`}/cdrs${queryString(query)}`);
  }

  private action<R>(customerRef: string, name: string, body: object, options?: ActionOptions): Promise<ActionResult<R>> {
    const headers = options?.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : undefined;
    return this.call('POST', `/onboardings/${encodeURIComponent(customerRef)}/${name}`, body, headers);
  }

  /** A CSV answer's body, as it streams in; an error answer is read and thrown as for JSON calls. */
  private async csv(path: string): Promise<Readable> {
    const response = await this.send('GET', path, undefined, { accept: 'text/csv' });
    if (response.statusCode >= 200 && response.statusCode < 300) return response.body;
    throw await this.failure(response);
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<Dispatcher.ResponseData> {
    try {
      return await request(`${this.baseUrl}${path}`, {
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
  }

  private async failure(response: Dispatcher.ResponseData): Promise<Error> {
    const text = await response.body.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const errorBody: ApiErrorBody = parsed && typeof parsed === 'object' ? parsed : { message: `Onboarding API answered ${response.statusCode}` };
    return errorFor(response.statusCode, errorBody);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T> {
    const response = await this.send(method, path, body, extraHeaders);
    if (response.statusCode < 200 || response.statusCode >= 300) throw await this.failure(response);
    const text = await response.body.text();
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      return undefined as T;
    }
  }
}
