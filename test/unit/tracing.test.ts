import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBridgeConfig } from '../../src/config/bridge.js';
import { loadCliConfig } from '../../src/config/cli.js';
import { loadWorkerConfig } from '../../src/config/worker.js';
import { startTracing, type Tracing } from '../../src/tracing/provider.js';
import { tracedBundlePath } from '../../src/tracing/temporal.js';
import { problemsOf } from '../support/config-problems.js';

describe('tracing settings (OTEL_*)', () => {
  it('are off unless an endpoint or OTEL_TRACES_EXPORTER=otlp is given, in every process that traces', () => {
    expect(loadWorkerConfig({}).tracing).toBeUndefined();
    expect(loadBridgeConfig({}).tracing).toBeUndefined();
    expect(loadCliConfig({}).tracing).toBeUndefined();
    // A service name or headers alone turn nothing on.
    expect(loadWorkerConfig({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_HEADERS: 'a=b' }).tracing).toBeUndefined();
  });

  it('take the OpenTelemetry meanings: a base endpoint gets /v1/traces, a traces endpoint is used as given, none wins', () => {
    expect(loadWorkerConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing).toEqual({
      serviceName: 'vobiz-lifecycle-worker',
      tracesUrl: 'http://collector:4318/v1/traces',
      headers: {},
    });
    expect(loadBridgeConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otel.example/t', OTEL_SERVICE_NAME: 'bridge-eu' }).tracing).toMatchObject({
      serviceName: 'bridge-eu',
      tracesUrl: 'https://otel.example/t',
    });
    expect(loadCliConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).tracing).toMatchObject({ serviceName: 'vobiz-lifecycle-cli', tracesUrl: 'http://localhost:4318/v1/traces' });
    expect(loadWorkerConfig({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toBeUndefined();
    expect(loadWorkerConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=a%3Db, tenant=eu' }).tracing?.headers).toEqual({
      'x-api-key': 'a=b',
      tenant: 'eu',
    });
  });

  it('refuse what they cannot do by name and rule, never echoing a header value', () => {
    const problems = problemsOf(() =>
      loadWorkerConfig({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).join('\n');
    expect(problems).toMatch(/OTEL_TRACES_EXPORTER: must be otlp or none/);
    expect(problems).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/);
    expect(problems).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf/);
    const headers = problemsOf(() => loadBridgeConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=ok,secret-token-without-name' }));
    expect(headers).toEqual(['OTEL_EXPORTER_OTLP_HEADERS: pair 2 must be name=value (a header name, a URL-encoded value), comma-separated']);
  });

  it('name the traced twin of a prebuilt bundle', () => {
    expect(tracedBundlePath('dist/workflow-bundle.js')).toBe('dist/workflow-bundle.traced.js');
    expect(tracedBundlePath('/app/bundle')).toBe('/app/bundle.traced.js');
  });
});

describe('spans leaving the process', () => {
  let tracing: Tracing | undefined;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });

  it('keep only the listed attributes, an exception event without its message or stack, a status without its message', () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ serviceName: 'unit' }, { exporter });
    const span = tracing.temporalTracer.startSpan('RunActivity:createCustomerAccount', {
      kind: SpanKind.INTERNAL,
      attributes: { temporalWorkflowId: 'customer-c1', 'customer.email': 'asha@example.com', temporalTerminateReason: 'Asha asked' },
    });
    span.recordException(Object.assign(new Error('email asha@example.com is already in use'), { name: 'EmailInUse' }));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'email asha@example.com is already in use' });
    span.end();
    const [exported] = exporter.getFinishedSpans();
    expect(exported!.attributes).toEqual({ temporalWorkflowId: 'customer-c1' });
    expect(exported!.events.map((e) => ({ name: e.name, attributes: e.attributes }))).toEqual([{ name: 'exception', attributes: { 'exception.type': 'EmailInUse' } }]);
    expect(exported!.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(JSON.stringify(exported!.attributes) + JSON.stringify(exported!.events)).not.toContain('asha');
  });

  it('go to the configured OTLP endpoint as protobuf, with the configured headers, when the batch is flushed', async () => {
    const received: { url: string | undefined; type: string | undefined; key: string | undefined; body: Buffer }[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url, type: req.headers['content-type'], key: req.headers['x-api-key'] as string | undefined, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = collector.address() as AddressInfo;
      const config = loadWorkerConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k1' }).tracing!;
      tracing = startTracing(config);
      tracing.tracer.startSpan('GET /api/v1/partner/accounts/{id}').end();
      expect(received).toEqual([]); // batched: nothing is sent per span
      await tracing.shutdown();
      tracing = undefined;
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ url: '/v1/traces', type: 'application/x-protobuf', key: 'k1' });
      expect(received[0]!.body.toString('latin1')).toContain('GET /api/v1/partner/accounts/{id}');
      expect(received[0]!.body.toString('latin1')).toContain('vobiz-lifecycle-worker');
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
