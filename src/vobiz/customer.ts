/**
 * Customer (account-scoped) API, driven with the customer's own credentials: `/api/v1/{Account|account}/{auth_id}`.
 * Obtain one with `client.customer({ authId, authToken })`; it shares the client's connection pool.
 */
import type { PaginateOptions } from './pagination.js';
import { pagedEndpoint, type GetPage, type IterateParams } from './paged-endpoint.js';
import { encodePathSegment as seg, type CallOptions, type Query, type Transport, type VobizCredentials } from './transport.js';
import { validateInput } from './input.js';
import { toSnake } from './schemas/common.js';
import { CdrPage, ListCdrsParams, type Cdr } from './schemas/cdr.js';
import {
  ListInventoryParams,
  ListNumbersParams,
  NumberPage,
  PurchaseNumberInput,
  PurchasedNumber,
  ReleasedNumber,
  type PhoneNumber,
} from './schemas/numbers.js';
import { Deleted, ListTrunksParams, Trunk, TrunkInput, TrunkPage, TrunkUpdateInput } from './schemas/trunks.js';
import { Concurrency, CustomerProfile } from './schemas/profile.js';
import type { z } from 'zod';

// Each takes the account's base path (`/api/v1/{Account|account}/{auth_id}`).
const INVENTORY = pagedEndpoint({
  path: (base: string) => `${base}/inventory/numbers`,
  params: ListInventoryParams,
  page: NumberPage,
  pageSize: 'perPage',
});
const NUMBERS = pagedEndpoint({
  path: (base: string) => `${base}/numbers`,
  params: ListNumbersParams,
  page: NumberPage,
  pageSize: 'perPage',
});
const TRUNKS = pagedEndpoint({
  path: (base: string) => `${base}/trunks`,
  params: ListTrunksParams,
  page: TrunkPage,
  pageSize: 'limit',
});
const CDRS = pagedEndpoint({
  path: (base: string, cdrPath: CustomerClientOptions['cdrPath']) => `${base}/${cdrPath}`,
  params: ListCdrsParams,
  page: CdrPage,
  pageSize: 'perPage',
});

export interface CustomerClientOptions {
  /** `Account` (reference pages) or `account` (partner flow page). */
  pathStyle: 'Account' | 'account';
  /** `cdr` (reference pages) or `cdrs` (partner flow page). */
  cdrPath: 'cdr' | 'cdrs';
}

export class CustomerClient {
  readonly authId: string;
  private readonly base: string;

  private readonly transport: Transport;
  private readonly options: CustomerClientOptions;
  // #private: util.inspect and JSON never show it, so a logged CustomerClient cannot leak the customer's token.
  readonly #credentials: VobizCredentials;
  // Each page of a paged endpoint goes out through here, with the customer's credentials.
  private readonly getPage: GetPage = (path, schema, query, options) => this.call('GET', path, schema, options, { query });

  constructor(transport: Transport, credentials: VobizCredentials, options: CustomerClientOptions) {
    this.transport = transport;
    this.options = options;
    this.#credentials = credentials;
    this.authId = credentials.authId;
    this.base = `/api/v1/${options.pathStyle}/${seg(credentials.authId)}`;
  }

  // ---- the account

  /** GET /api/v1/auth/me: the account these credentials belong to (`auth_secret` is not kept). */
  async getProfile(options: CallOptions = {}): Promise<CustomerProfile> {
    return this.call('GET', '/api/v1/auth/me', CustomerProfile, options);
  }

  /** GET /concurrency: calls in progress against the account's limit. */
  async getConcurrency(options: CallOptions = {}): Promise<Concurrency> {
    return this.call('GET', `${this.base}/concurrency`, Concurrency, options);
  }

  // ---- numbers

  /** GET /inventory/numbers: numbers available to buy. */
  listInventoryNumbers(params: ListInventoryParams = {}, options: CallOptions = {}): Promise<NumberPage> {
    return INVENTORY.list(this.getPage, this.base, params, options);
  }

  iterateInventoryNumbers(params: IterateParams<ListInventoryParams> = {}, options: PaginateOptions = {}): AsyncGenerator<PhoneNumber> {
    return INVENTORY.iterate(this.getPage, this.base, params, options);
  }

  /**
   * POST /numbers/purchase-from-inventory (literal `+` in the body). Starts a monthly charge; not idempotent: on a
   * lost response, list the account's numbers before repeating.
   */
  async purchaseNumber(input: PurchaseNumberInput, options: CallOptions = {}): Promise<PurchasedNumber> {
    const path = `${this.base}/numbers/purchase-from-inventory`;
    const body = validateInput(PurchaseNumberInput, input, { method: 'POST', path });
    return this.call('POST', path, PurchasedNumber, options, { body: toSnake(body) });
  }

  /** GET /numbers: numbers the account owns. */
  listNumbers(params: ListNumbersParams = {}, options: CallOptions = {}): Promise<NumberPage> {
    return NUMBERS.list(this.getPage, this.base, params, options);
  }

  iterateNumbers(params: IterateParams<ListNumbersParams> = {}, options: PaginateOptions = {}): AsyncGenerator<PhoneNumber> {
    return NUMBERS.iterate(this.getPage, this.base, params, options);
  }

  /** DELETE /numbers/{%2Be164}[?immediate=true]: release; `immediate` cannot be cancelled. */
  async releaseNumber(e164: string, params: { immediate?: boolean } = {}, options: CallOptions = {}): Promise<ReleasedNumber> {
    return this.call('DELETE', `${this.base}/numbers/${seg(e164)}`, ReleasedNumber, options, {
      query: { immediate: params.immediate ? 'true' : undefined },
    });
  }

  // ---- SIP trunks

  /** POST /trunks (201, or 200). Not idempotent: on a lost response, list trunks by name before repeating. */
  async createTrunk(input: TrunkInput, options: CallOptions = {}): Promise<Trunk> {
    const path = `${this.base}/trunks`;
    const body = validateInput(TrunkInput, input, { method: 'POST', path });
    return this.call('POST', path, Trunk, options, { body: toSnake(body) });
  }

  listTrunks(params: ListTrunksParams = {}, options: CallOptions = {}): Promise<TrunkPage> {
    return TRUNKS.list(this.getPage, this.base, params, options);
  }

  iterateTrunks(params: IterateParams<ListTrunksParams, 'offset'> = {}, options: PaginateOptions = {}): AsyncGenerator<Trunk> {
    return TRUNKS.iterate(this.getPage, this.base, params, options);
  }

  async getTrunk(trunkId: string, options: CallOptions = {}): Promise<Trunk> {
    return this.call('GET', `${this.base}/trunks/${seg(trunkId)}`, Trunk, options);
  }

  /** PUT /trunks/{id}: partial per the OpenAPI; send every field if the account follows the "replace" prose. */
  async updateTrunk(trunkId: string, input: TrunkUpdateInput, options: CallOptions = {}): Promise<Trunk> {
    const path = `${this.base}/trunks/${seg(trunkId)}`;
    const body = validateInput(TrunkUpdateInput, input, { method: 'PUT', path });
    return this.call('PUT', path, Trunk, options, { body: toSnake(body) });
  }

  /** DELETE /trunks/{id} (204 or 200): cascades to credentials, ACLs, URIs and active calls; 409 if calls are active. */
  async deleteTrunk(trunkId: string, options: CallOptions = {}): Promise<void> {
    await this.call('DELETE', `${this.base}/trunks/${seg(trunkId)}`, Deleted, options);
  }

  // ---- CDRs

  /** GET /cdr (or /cdrs, per the client's `customerCdrPath`). */
  listCdrs(params: ListCdrsParams = {}, options: CallOptions = {}): Promise<CdrPage> {
    return CDRS.list(this.getPage, this.base, this.options.cdrPath, params, options);
  }

  iterateCdrs(params: IterateParams<ListCdrsParams> = {}, options: PaginateOptions = {}): AsyncGenerator<Cdr> {
    return CDRS.iterate(this.getPage, this.base, this.options.cdrPath, params, options);
  }

  private call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    schema: S,
    options: CallOptions,
    extra: { body?: unknown; query?: Query } = {},
  ): Promise<z.output<S>> {
    return this.transport.request({ method, path, schema, credentials: this.#credentials, signal: options.signal, ...extra });
  }

  /** Never print the token (console.log, util.inspect, JSON). */
  toJSON(): Record<string, unknown> {
    return { authId: this.authId };
  }
}
