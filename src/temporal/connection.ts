/**
 * Temporal connections from config, the same for a local dev server, a self-hosted cluster (mTLS) and Temporal
 * Cloud (mTLS or API key).
 *
 * Every client made here encrypts payloads (the codec is a required argument, so no caller can forget it). The
 * worker's connection carries no converter; the worker passes `createDataConverter(config.codec)` to Worker.create.
 */
import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createDataConverter } from '../codec/data-converter.js';
import type { CodecConfig } from '../config/codec-keys.js';
import type { TemporalConfig } from '../config/temporal.js';


function connectionOptions(config: TemporalConfig) {
  return {
    address: config.address,
    ...(config.tls ? { tls: config.tls } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  };
}

interface ConnectClientOptions {
  /** How long to wait for the server before giving up (the SDK's default is 10 s; the CLI wants a fast answer). */
  connectTimeoutMs?: number;
  /** The client's interceptors: tracing's (src/tracing/temporal.ts) when it is configured, else none. */
  interceptors?: ClientInterceptors;
}

/** A client for starting, signalling and querying workflows (bridge, CLI, demo, tests); payloads encrypted. */
export async function connectClient(config: TemporalConfig, codec: Pick<CodecConfig, 'keys'>, options: ConnectClientOptions = {}): Promise<Client> {
  const connection = await Connection.connect({
    ...connectionOptions(config),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeout: options.connectTimeoutMs } : {}),
  });
  return new Client({
    connection,
    namespace: config.namespace,
    dataConverter: createDataConverter(codec),
    ...(options.interceptors ? { interceptors: options.interceptors } : {}),
  });
}

/**
 * A client whose connection is made on its first call, so a process can start (and say what it found) while
 * Temporal is unreachable: the doctor, whose first check is exactly whether Temporal answers.
 */
export function lazyClient(config: TemporalConfig, codec: Pick<CodecConfig, 'keys'>, options: ConnectClientOptions = {}): Client {
  const connection = Connection.lazy({
    ...connectionOptions(config),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeout: options.connectTimeoutMs } : {}),
  });
  return new Client({ connection, namespace: config.namespace, dataConverter: createDataConverter(codec) });
}

/** The worker's native connection. */
export function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
