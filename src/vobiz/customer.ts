/**
 * Customer (account-scoped) API, driven with the customer's own credentials: `/api/v1/{Account|account}/{auth_id}`.
 * Obtain one with `client.customer({ authId, authToken })`; it shares the client's connection pool.
 */
import { paginateByOffset, paginateByPage, type PaginateOptions } from './pagination.js';
import { encodePathSegment as seg, type CallOptions, type Query, type Transport, type VobizCredentials } from './transport.js';
import { validateInput } from './input.js';
import { toSnake } from './schemas/common.js';
import { cdrQuery } from './partner.js';
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
  async listInventoryNumbers(params: ListInventoryParams = {}, options: CallOptions = {}): Promise<NumberPage> {
    const path = `${this.base}/inventory/numbers`;
    const p = validateInput(ListInventoryParams, params, { method: 'GET', path });
    return this.call('GET', path, NumberPage, options, {
      query: { country: p.country, search: p.search, exclude: p.exclude, page: p.page, per_page: p.perPage },
    });
  }

  iterateInventoryNumbers(params: Omit<ListInventoryParams, 'page'> = {}, options: PaginateOptions = {}): AsyncGenerator<PhoneNumber> {
    return paginateByPage(
      async (page, o) => {
        const r = await this.listInventoryNumbers({ ...params, page }, o);
        return { items: r.items, total: r.total };
      },
      { ...options, pageSize: params.perPage },
    );
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
  async listNumbers(params: ListNumbersParams = {}, options: CallOptions = {}): Promise<NumberPage> {
    const path = `${this.base}/numbers`;
    const p = validateInput(ListNumbersParams, params, { method: 'GET', path });
    return this.call('GET', path, NumberPage, options, { query: { page: p.page, per_page: p.perPage, search: p.search } });
  }

  iterateNumbers(params: Omit<ListNumbersParams, 'page'> = {}, options: PaginateOptions = {}): AsyncGenerator<PhoneNumber> {
    return paginateByPage(
      async (page, o) => {
        const r = await this.listNumbers({ ...params, page }, o);
        return { items: r.items, total: r.total };
      },
      { ...options, pageSize: params.perPage },
    );
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

  async listTrunks(params: ListTrunksParams = {}, options: CallOptions = {}): Promise<TrunkPage> {
    const path = `${this.base}/trunks`;
    const p = validateInput(ListTrunksParams, params, { method: 'GET', path });
    return this.call('GET', path, TrunkPage, options, { query: { limit: p.limit, offset: p.offset } });
  }

  iterateTrunks(params: { limit?: number } = {}, options: PaginateOptions = {}): AsyncGenerator<Trunk> {
    return paginateByOffset(
      async (offset, o) => {
        const r = await this.listTrunks({ ...params, offset }, o);
        return { items: r.objects, total: r.meta?.total };
      },
      { ...options, limit: params.limit },
    );
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
  async listCdrs(params: ListCdrsParams = {}, options: CallOptions = {}): Promise<CdrPage> {
    const path = `${this.base}/${this.options.cdrPath}`;
    const p = validateInput(ListCdrsParams, params, { method: 'GET', path });
    return this.call('GET', path, CdrPage, options, { query: cdrQuery(p) });
  }

  iterateCdrs(params: Omit<ListCdrsParams, 'page'> = {}, options: PaginateOptions = {}): AsyncGenerator<Cdr> {
    return paginateByPage(
      async (page, o) => {
        const r = await this.listCdrs({ ...params, page }, o);
        return { items: r.data, hasNext: r.pagination?.has_next, totalPages: r.pagination?.pages, total: r.pagination?.total };
      },
      { ...options, pageSize: params.perPage },
    );
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
