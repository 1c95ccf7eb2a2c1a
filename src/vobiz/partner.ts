/**
 * Partner API (`/api/v1/partner`, partner credentials): the calls of the seed flow, one method each, plus an async
 * iterator per paginated list. Every method takes `{ signal }` as its last argument.
 */
import { paginateByPage, type PaginateOptions } from './pagination.js';
import { encodePathSegment as seg, type CallOptions, type Query, type Transport, type VobizCredentials } from './transport.js';
import { validateInput } from './input.js';
import { anyBody, toSnake } from './schemas/common.js';
import type { z } from 'zod';
import {
  Account,
  AccountBalance,
  AccountPage,
  CreateAccountInput,
  CreatedAccount,
  Dashboard,
  ListAccountsParams,
  PartnerProfile,
  Transfer,
  TransferBalanceInput,
} from './schemas/accounts.js';
import {
  CreateKycSessionInput,
  KycSession,
  KycSessionPage,
  ListKycSessionsParams,
  RevokedKycSession,
} from './schemas/kyc.js';
import { ListTransactionsParams, TransactionPage, type Transaction } from './schemas/transactions.js';
import { CdrPage, CdrSingle, ListCdrsParams, type Cdr } from './schemas/cdr.js';
import { ListNumbersParams, NumberPage, type PhoneNumber } from './schemas/numbers.js';

const BASE = '/api/v1/partner';

export class PartnerApi {
  protected readonly transport: Transport;
  // A #private field: util.inspect and JSON never show it, so a logged client cannot leak the partner token.
  readonly #partner: VobizCredentials;

  constructor(transport: Transport, partner: VobizCredentials) {
    this.transport = transport;
    this.#partner = partner;
  }

  // ---- accounts

  /** POST /accounts (201). Not idempotent: on a lost response, look the account up by email before repeating. */
  async createAccount(input: CreateAccountInput, options: CallOptions = {}): Promise<CreatedAccount> {
    const path = `${BASE}/accounts`;
    const body = validateInput(CreateAccountInput, input, { method: 'POST', path });
    return this.call('POST', path, CreatedAccount, options, { body: toSnake(body) });
  }

  async listAccounts(params: ListAccountsParams = {}, options: CallOptions = {}): Promise<AccountPage> {
    const path = `${BASE}/accounts`;
    const p = validateInput(ListAccountsParams, params, { method: 'GET', path });
    return this.call('GET', path, AccountPage, options, { query: { page: p.page, per_page: p.perPage, search: p.search } });
  }

  iterateAccounts(params: Omit<ListAccountsParams, 'page'> = {}, options: PaginateOptions = {}): AsyncGenerator<Account> {
    return paginateByPage(
      async (page, o) => {
        const r = await this.listAccounts({ ...params, page }, o);
        return { items: r.accounts, total: r.total };
      },
      { ...options, pageSize: params.perPage },
    );
  }

  /** GET /accounts/{id}: the full account, including the customer's real `auth_token`. */
  async getAccount(authId: string, options: CallOptions = {}): Promise<Account> {
    return this.call('GET', `${BASE}/accounts/${seg(authId)}`, Account, options);
  }

  async getAccountBalance(authId: string, options: CallOptions = {}): Promise<AccountBalance> {
    return this.call('GET', `${BASE}/accounts/${seg(authId)}/balance`, AccountBalance, options);
  }

  /**
   * POST /accounts/{id}/transfer-balance. IRREVERSIBLE and without idempotency: if this throws with
   * `mayHaveCommitted`, look for the transfer in the customer's transactions before repeating it.
   */
  async transferBalance(authId: string, input: TransferBalanceInput, options: CallOptions = {}): Promise<Transfer> {
    const path = `${BASE}/accounts/${seg(authId)}/transfer-balance`;
    const body = validateInput(TransferBalanceInput, input, { method: 'POST', path });
    return this.call('POST', path, Transfer, options, {
      body: { amount: body.amount.toNumber(), currency: body.currency, ...(body.description !== undefined ? { description: body.description } : {}) },
    });
  }

  // ---- KYC sessions

  /** POST /kyc-sessions (201). Creating a session silently revokes the account's previous one. */
  async createKycSession(input: CreateKycSessionInput, options: CallOptions = {}): Promise<KycSession> {
    const path = `${BASE}/kyc-sessions`;
    const body = validateInput(CreateKycSessionInput, input, { method: 'POST', path });
    return this.call('POST', path, KycSession, options, { body: toSnake(body) });
  }

  async listKycSessions(params: ListKycSessionsParams = {}, options: CallOptions = {}): Promise<KycSessionPage> {
    const path = `${BASE}/kyc-sessions`;
    const p = validateInput(ListKycSessionsParams, params, { method: 'GET', path });
    return this.call('GET', path, KycSessionPage, options, {
      query: { page: p.page, size: p.size, status: p.status, account_auth_id: p.accountAuthId },
    });
  }

  iterateKycSessions(params: Omit<ListKycSessionsParams, 'page'> = {}, options: PaginateOptions = {}): AsyncGenerator<KycSession> {
    return paginateByPage(
      async (page, o) => {
        const r = await this.listKycSessions({ ...params, page }, o);
        return { items: r.sessions, total: r.total };
      },
      { ...options, pageSize: params.size },
    );
  }

  async getKycSession(id: string, options: CallOptions = {}): Promise<KycSession> {
    return this.call('GET', `${BASE}/kyc-sessions/${seg(id)}`, KycSession, options);
  }

  /** POST /kyc-sessions/{id}/resend. 429 within the 30-minute cooldown (`retryAfterMs` says how long). */
  async resendKycSession(id: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.call('POST', `${BASE}/kyc-sessions/${seg(id)}/resend`, anyBody, options);
  }

  /** DELETE /kyc-sessions/{id} with a JSON body `{reason}`; terminal. 409 if already terminal. */
  async revokeKycSession(id: string, reason?: string, options: CallOptions = {}): Promise<RevokedKycSession> {
    return this.call('DELETE', `${BASE}/kyc-sessions/${seg(id)}`, RevokedKycSession, options, {
      body: reason === undefined ? {} : { reason },
    });
  }

  // ---- ledger, CDRs, numbers

  async listTransactions(authId: string, params: ListTransactionsParams = {}, options: CallOptions = {}): Promise<TransactionPage> {
    const path = `${BASE}/accounts/${seg(authId)}/transactions`;
    const p = validateInput(ListTransactionsParams, params, { method: 'GET', path });
    return this.call('GET', path, TransactionPage, options, {
      query: { page: p.page, per_page: p.perPage, from_date: p.fromDate, to_date: p.toDate, transaction_type: p.transactionType },
    });
  }

  iterateTransactions(
    authId: string,
    params: Omit<ListTransactionsParams, 'page'> = {},
    options: PaginateOptions = {},
  ): AsyncGenerator<Transaction> {
    return paginateByPage(
      async (page, o) => {
        const r = await this.listTransactions(authId, { ...params, page }, o);
        return { items: r.transactions, total: r.total, totalPages: r.total_pages };
      },
      { ...options, pageSize: params.perPage },
    );
  }

  async listCdrs(authId: string, params: ListCdrsParams = {}, options: CallOptions = {}): Promise<CdrPage> {
    const path = `${BASE}/accounts/${seg(authId)}/cdrs`;
    const p = validateInput(ListCdrsParams, params, { method: 'GET', path });
    return this.call('GET', path, CdrPage, options, { query: cdrQuery(p) });
  }

  iterateCdrs(authId: string, params: Omit<ListCdrsParams, 'page'> = {}, options: PaginateOptions = {}): AsyncGenerator<Cdr> {
    return paginateByPage(
      async (page, o) => {
        const r = await this.listCdrs(authId, { ...params, page }, o);
        return { items: r.data, hasNext: r.pagination?.has_next, totalPages: r.pagination?.pages, total: r.pagination?.total };
      },
      { ...options, pageSize: params.perPage },
    );
  }

  /** GET /accounts/{id}/cdrs/{uuid}: a bare CDR object (an enveloped `{data}` is accepted too). */
  async getCdr(authId: string, uuid: string, options: CallOptions = {}): Promise<Cdr> {
    return this.call('GET', `${BASE}/accounts/${seg(authId)}/cdrs/${seg(uuid)}`, CdrSingle, options);
  }

  async listNumbers(authId: string, params: ListNumbersParams = {}, options: CallOptions = {}): Promise<NumberPage> {
    const path = `${BASE}/accounts/${seg(authId)}/numbers`;
    const p = validateInput(ListNumbersParams, params, { method: 'GET', path });
    return this.call('GET', path, NumberPage, options, { query: { page: p.page, per_page: p.perPage, search: p.search } });
  }

  iterateNumbers(authId: string, params: Omit<ListNumbersParams, 'page'> = {}, options: PaginateOptions = {}): AsyncGenerator<PhoneNumber> {
    return paginateByPage(
      async (page, o) => {
        const r = await this.listNumbers(authId, { ...params, page }, o);
        return { items: r.items, total: r.total };
      },
      { ...options, pageSize: params.perPage },
    );
  }

  // ---- profile

  async me(options: CallOptions = {}): Promise<PartnerProfile> {
    return this.call('GET', `${BASE}/me`, PartnerProfile, options);
  }

  async dashboard(options: CallOptions = {}): Promise<Dashboard> {
    return this.call('GET', `${BASE}/dashboard`, Dashboard, options);
  }

  private call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    schema: S,
    options: CallOptions,
    extra: { body?: unknown; query?: Query } = {},
  ): Promise<z.output<S>> {
    return this.transport.request({ method, path, schema, credentials: this.#partner, signal: options.signal, ...extra });
  }
}

/** Snake_case query for both CDR views. */
export function cdrQuery(p: ListCdrsParams & Record<string, unknown>): Record<string, string | number | undefined> {
  return {
    page: p.page,
    per_page: p.perPage,
    call_direction: p.callDirection,
    status: p.status,
    hangup_cause: p.hangupCause,
    min_duration: p.minDuration,
    start_date: p.startDate,
    end_date: p.endDate,
    from_number: p.fromNumber,
    to_number: p.toNumber,
    context: p.context,
  };
}
