/**
 * Counts the gRPC calls a Temporal client makes, by method name, with a connection interceptor: what a component
 * asks of Temporal, measured on the wire (each attempt counted; the SDK's retry interceptor runs outside this one).
 */
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import { inject } from 'vitest';
import { createDataConverter } from '../../src/codec/data-converter.js';
import { DEVELOPMENT_KEY } from '../../src/codec/keys.js';

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

export interface CountedClient {
  client: Client;
  /** Method names (`SignalWorkflowExecution`, …) of the calls made since the last `reset()`. */
  calls: string[];
  reset(): void;
  close(): Promise<void>;
}

/** An encrypting client (as the bridge's) on its own connection to the run's dev server, counting its calls. */
export async function countedClient(namespace: string): Promise<CountedClient> {
  const calls: string[] = [];
  const count: GrpcInterceptor = (options, nextCall) => {
    calls.push(options.method_definition.path.split('/').at(-1) ?? options.method_definition.path);
    return nextCall(options) as ReturnType<GrpcInterceptor>;
  };
  const connection = await Connection.connect({
    address: inject('temporalAddress'),
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), count],
  });
  const client = new Client({ connection, namespace, dataConverter: createDataConverter({ keys: [DEVELOPMENT_KEY] }) });
  return {
    client,
    calls,
    reset: () => void calls.splice(0),
    close: () => connection.close(),
  };
}
