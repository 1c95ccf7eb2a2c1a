/**
 * `VobizClient`: the partner API plus `customer(creds)` for the account-scoped API, over one shared keep-alive pool.
 *
 *   const client = VobizClient.fromConfig(config.vobiz);
 *   const acct = await client.createAccount({...}, { signal });
 *   const customer = client.customer({ authId: acct.auth_id, authToken: acct.auth_token });
 *   await customer.createTrunk({ name: 'main' }, { signal });
 *   await client.close();
 *
 * The client knows nothing of Temporal: it throws the typed errors of errors.ts and leaves retries to the caller.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import type { VobizConfig } from '../config/vobiz.js';
import { CustomerClient } from './customer.js';
import { PartnerApi } from './partner.js';
import type { VobizObserver } from './observer.js';
import { Transport, type VobizCredentials } from './transport.js';

export interface VobizClientOptions {
  baseUrl: string;
  partnerAuthId: string;
  partnerAuthToken: string;
  /** `Account` (reference pages, default) or `account` (partner flow page) in customer paths. */
  customerPathStyle?: 'Account' | 'account';
  /** `cdr` (reference pages, default) or `cdrs` (partner flow page) for the customer CDR list. */
  customerCdrPath?: 'cdr' | 'cdrs';
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** For tests: an undici dispatcher (e.g. `MockAgent`) instead of the client's own pool. */
  dispatcher?: Dispatcher;
  /** The partner's rate budget: at most this many requests from this client in any one second (unset: no limit). */
  maxRequestsPerSecond?: number;
  /** Told about every call and rate-budget wait, e.g. to record metrics (the worker's `vobizMetrics`). */
  observer?: VobizObserver;
  /** Traces every call (src/tracing: a configured process's tracer); unset, no span is made. */
  tracer?: Tracer;
}

export class VobizClient extends PartnerApi {
  readonly partnerAuthId: string;
  /** Where this client calls (the start-up checks name it). */
  readonly baseUrl: string;
  private readonly customerOptions: { pathStyle: 'Account' | 'account'; cdrPath: 'cdr' | 'cdrs' };

  constructor(options: VobizClientOptions) {
    const transport = new Transport({
      baseUrl: options.baseUrl,
      connectTimeoutMs: options.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.maxRequestsPerSecond ? { maxRequestsPerSecond: options.maxRequestsPerSecond } : {}),
      ...(options.observer ? { observer: options.observer } : {}),
      ...(options.tracer ? { tracer: options.tracer } : {}),
    });
    super(transport, { authId: options.partnerAuthId, authToken: options.partnerAuthToken });
    this.partnerAuthId = options.partnerAuthId;
    this.baseUrl = options.baseUrl;
    this.customerOptions = { pathStyle: options.customerPathStyle ?? 'Account', cdrPath: options.customerCdrPath ?? 'cdr' };
  }

  static fromConfig(config: VobizConfig, extra: Pick<VobizClientOptions, 'dispatcher' | 'customerCdrPath' | 'observer' | 'tracer'> = {}): VobizClient {
    return new VobizClient({
      baseUrl: config.baseUrl,
      partnerAuthId: config.partnerAuthId,
      partnerAuthToken: config.partnerAuthToken,
      customerPathStyle: config.customerPathStyle,
      connectTimeoutMs: config.connectTimeoutMs,
      headersTimeoutMs: config.headersTimeoutMs,
      bodyTimeoutMs: config.bodyTimeoutMs,
      ...(config.maxRequestsPerSecond ? { maxRequestsPerSecond: config.maxRequestsPerSecond } : {}),
      ...extra,
    });
  }

  /** The customer API with that customer's own credentials (from createAccount or getAccount). */
  customer(credentials: VobizCredentials): CustomerClient {
    return new CustomerClient(this.transport, { authId: credentials.authId, authToken: credentials.authToken }, this.customerOptions);
  }

  /** Closes the connection pool; in-flight requests finish first. */
  close(): Promise<void> {
    return this.transport.close();
  }

  /** Never print the partner token. */
  toJSON(): Record<string, unknown> {
    return { partnerAuthId: this.partnerAuthId };
  }
}
