/**
 * Partner API (`/api/v1/partner`, partner credentials): the calls the customer lifecycle makes, one method each, plus
 * an async iterator per paginated list. Every method takes `{ signal }` as its last argument.
 */
import type { PaginateOptions } from './pagination.js';
import { pagedEndpoint, type GetPage, type IterateParams } from './paged-endpoint.js';
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

const ACCOUNTS = pagedEndpoint({
  path: () => `${BASE}/accounts`,
  params: ListAccountsParams,
  page: AccountPage,
  pageSize: 'perPage',
});
const KYC_SESSIONS = pagedEndpoint({
  path: () => `${BASE}/kyc-sessions`,
  params: ListKycSessionsParams,
  page: KycSessionPage,
  pageSize: 'size',
});
const TRANSACTIONS = pagedEndpoint({
  path: (authId: string) => `${BASE}/accounts/${seg(authId)}/transactions`,
  params: ListTransactionsParams,
  page: TransactionPage,
  pageSize: 'perPage',
});
const CDRS = pagedEndpoint({
  path: (authId: string) => `${BASE}/accounts/${seg(authId)}/cdrs`,
  params: ListCdrsParams,
  page: CdrPage,
  pageSize: 'perPage',
});
/** Every customer's call records, partner-wide (docs/vobiz-api.md §5.8: the customer list's filters and envelope). */
const PARTNER_CDRS = pagedEndpoint({
  path: () => `${BASE}/cdrs`,
  params: ListCdrsParams,
  page: CdrPage,
  pageSize: 'perPage',
});
const NUMBERS = pagedEndpoint({
  path: (authId: string) => `${BASE}/accounts/${seg(authId)}/numbers`,
  params: ListNumbersParams,
  page: NumberPage,
  pageSize: 'perPage',
});

export class PartnerApi {
  protected readonly transport: Transport;
  // A #private field: util.inspect and JSON never show it, so a logged client cannot leak the partner token.
  readonly #partner: VobizCredentials;

  // Each page of a paged endpoint goes out through here, with the partner's credentials.
  private readonly getPage: GetPage = (path, schema, query, options) => this.call('GET', path, schema, options, { query });

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

  /** GET /accounts; `search` matches a name or email substring. */
  listAccounts(params: ListAccountsParams = {}, options: CallOptions = {}): Promise<AccountPage> {
    return ACCOUNTS.list(this.getPage, params, options);
  }

  iterateAccounts(params: IterateParams<ListAccountsParams> = {}, options: PaginateOptions = {}): AsyncGenerator<Account> {
    return ACCOUNTS.iterate(this.getPage, params, options);
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

  listKycSessions(params: ListKycSessionsParams = {}, options: CallOptions = {}): Promise<KycSessionPage> {
    return KYC_SESSIONS.list(this.getPage, params, options);
  }

  iterateKycSessions(params: IterateParams<ListKycSessionsParams> = {}, options: PaginateOptions = {}): AsyncGenerator<KycSession> {
    return KYC_SESSIONS.iterate(this.getPage, params, options);
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

  listTransactions(authId: string, params: ListTransactionsParams = {}, options: CallOptions = {}): Promise<TransactionPage> {
    return TRANSACTIONS.list(this.getPage, authId, params, options);
  }

  iterateTransactions(authId: string, params: IterateParams<ListTransactionsParams> = {}, options: PaginateOptions = {}): AsyncGenerator<Transaction> {
    return TRANSACTIONS.iterate(this.getPage, authId, params, options);
  }

  listCdrs(authId: string, params: ListCdrsParams = {}, options: CallOptions = {}): Promise<CdrPage> {
    return CDRS.list(this.getPage, authId, params, options);
  }

  iterateCdrs(authId: string, params: IterateParams<ListCdrsParams> = {}, options: PaginateOptions = {}): AsyncGenerator<Cdr> {
    return CDRS.iterate(this.getPage, authId, params, options);
  }

  /** GET /cdrs: every customer's call records; each row's `account_id` says whose. */
  listPartnerCdrs(params: ListCdrsParams = {}, options: CallOptions = {}): Promise<CdrPage> {
    return PARTNER_CDRS.list(this.getPage, params, options);
  }

  iteratePartnerCdrs(params: IterateParams<ListCdrsParams> = {}, options: PaginateOptions = {}): AsyncGenerator<Cdr> {
    return PARTNER_CDRS.iterate(this.getPage, params, options);
  }

  /** GET /accounts/{id}/cdrs/{uuid}: a bare CDR object (an enveloped `{data}` is accepted too). */
  async getCdr(authId: string, uuid: string, options: CallOptions = {}): Promise<Cdr> {
    return this.call('GET', `${BASE}/accounts/${seg(authId)}/cdrs/${seg(uuid)}`, CdrSingle, options);
  }

  /** GET /accounts/{id}/numbers; `search` matches an E.164 substring. */
  listNumbers(authId: string, params: ListNumbersParams = {}, options: CallOptions = {}): Promise<NumberPage> {
    return NUMBERS.list(this.getPage, authId, params, options);
  }

  iterateNumbers(authId: string, params: IterateParams<ListNumbersParams> = {}, options: PaginateOptions = {}): AsyncGenerator<PhoneNumber> {
    return NUMBERS.iterate(this.getPage, authId, params, options);
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

