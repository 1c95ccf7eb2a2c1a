/**
 * What the partner and its services read from Vobiz, the one source of truth for it (never workflow state): a
 * customer's ledger, call records, numbers and balance; every customer's call records; the numbers on sale; the
 * partner's profile and dashboard. One page per call, as Vobiz pages it.
 *
 * Two ways to the same reads: `directReads` calls Vobiz with the partner credentials (the CLI, and the worker's read
 * activities); the bridge, which holds no Vobiz credentials, runs those activities on the Vobiz task queue, inside
 * the partner's rate budget (src/bridge/activity-reads.ts).
 */
import { paginate } from '../vobiz/pagination.js';
import {
  CdrPage,
  NumberPage,
  TransactionPage,
  type AccountBalance,
  type CallOptions,
  type Cdr,
  type CustomerClient,
  type Dashboard,
  type ListCdrsParams,
  type ListInventoryParams,
  type ListNumbersParams,
  type ListTransactionsParams,
  type PartnerProfile,
  type PhoneNumber,
  type Transaction,
  type VobizClient,
} from '../vobiz/index.js';

export interface VobizReads {
  transactions(authId: string, params: ListTransactionsParams): Promise<TransactionPage>;
  /** One customer's call records, or every customer's when `authId` is null. */
  cdrs(authId: string | null, params: ListCdrsParams): Promise<CdrPage>;
  numbers(authId: string, params: ListNumbersParams): Promise<NumberPage>;
  /** Numbers on sale (Vobiz's inventory: the same pool for every account). */
  inventory(params: ListInventoryParams): Promise<NumberPage>;
  balance(authId: string): Promise<AccountBalance>;
  partner(): Promise<PartnerProfile>;
  dashboard(): Promise<Dashboard>;
}

/** Vobiz lists its inventory only to an account (the customer API); a partner with no customer has none to ask through. */
export class NoCustomerAccountError extends Error {
  constructor() {
    super("the partner has no active customer account to read Vobiz's number inventory through (Vobiz lists it to an account only)");
    this.name = 'NoCustomerAccountError';
  }
}

/** Accounts looked at for one that can read the inventory: the first active one of the first page. */
const VIEWER_CANDIDATES = 20;

/**
 * The inventory is customer-scoped at Vobiz (`GET /Account/{id}/inventory/numbers`, no partner route), and the same
 * for every account (`status=active`, no owner): read it as the partner's first active customer, whose token the
 * partner API hands out (kept in this call's memory only).
 */
async function inventoryViewer(vobiz: VobizClient, options: CallOptions): Promise<CustomerClient> {
  const { accounts } = await vobiz.listAccounts({ perPage: VIEWER_CANDIDATES }, options);
  const viewer = accounts.find((a) => a.is_active !== false && a.enabled !== false);
  if (!viewer) throw new NoCustomerAccountError();
  const account = await vobiz.getAccount(viewer.auth_id, options);
  if (!account.auth_token || account.auth_token === '<redacted>') throw new Error(`Vobiz did not return the credentials of ${viewer.auth_id}`);
  return vobiz.customer({ authId: viewer.auth_id, authToken: account.auth_token });
}

export function directReads(vobiz: VobizClient, options: CallOptions = {}): VobizReads {
  return {
    transactions: (authId, params) => vobiz.listTransactions(authId, params, options),
    cdrs: (authId, params) => (authId === null ? vobiz.listPartnerCdrs(params, options) : vobiz.listCdrs(authId, params, options)),
    numbers: (authId, params) => vobiz.listNumbers(authId, params, options),
    inventory: async (params) => (await inventoryViewer(vobiz, options)).listInventoryNumbers(params, options),
    balance: (authId) => vobiz.getAccountBalance(authId, options),
    partner: () => vobiz.me(options),
    dashboard: () => vobiz.dashboard(options),
  };
}

// ---- every row of a listing, a page at a time: a page is read only when the one before it has been taken

type Paged<P> = Omit<P, 'page'>;

export function everyTransaction(reads: VobizReads, authId: string, params: Paged<ListTransactionsParams>): AsyncGenerator<Transaction> {
  return paginate(async (page) => TransactionPage.info(await reads.transactions(authId, { ...params, page })), { cursor: 'page', pageSize: params.perPage });
}

export function everyCdr(reads: VobizReads, authId: string | null, params: Paged<ListCdrsParams>): AsyncGenerator<Cdr> {
  return paginate(async (page) => CdrPage.info(await reads.cdrs(authId, { ...params, page })), { cursor: 'page', pageSize: params.perPage });
}

export function everyNumber(reads: VobizReads, authId: string, params: Paged<ListNumbersParams>): AsyncGenerator<PhoneNumber> {
  return paginate(async (page) => NumberPage.info(await reads.numbers(authId, { ...params, page })), { cursor: 'page', pageSize: params.perPage });
}

export function everyInventoryNumber(reads: VobizReads, params: Paged<ListInventoryParams>): AsyncGenerator<PhoneNumber> {
  return paginate(async (page) => NumberPage.info(await reads.inventory({ ...params, page })), { cursor: 'page', pageSize: params.perPage });
}
