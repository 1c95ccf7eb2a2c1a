/**
 * Traces (OpenTelemetry), read by every process that makes spans (worker, bridge, CLI) with the OpenTelemetry
 * variables' own names and meanings. Off unless configured: an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER=otlp turns it on, OTEL_TRACES_EXPORTER=none keeps it
 * off whatever else is set. Unlike the specification's default (otlp to localhost), nothing is exported, and no
 * interceptor runs, until one of them says so.
 */
import { z } from 'zod';
import { optionalHttpUrl, optionalString } from './fields.js';
import { readSecret } from './private-files.js';

/** OTLP over HTTP with protobuf bodies, the specification's default protocol and the only one these processes speak. */
const PROTOCOL = 'http/protobuf';
/** Where OTLP/HTTP collectors take traces by default (the specification's localhost endpoint). */
const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

const protocol = optionalString.pipe(z.literal(PROTOCOL, { error: `must be ${PROTOCOL} (the only OTLP protocol this service exports with)` }).optional());

export const TRACING = {
  OTEL_TRACES_EXPORTER: optionalString.pipe(z.enum(['otlp', 'none'], { error: 'must be otlp or none (traces are exported by OTLP only)' }).optional()),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalHttpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalHttpUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
  // The collector's credentials, when it wants any: a secret, so it has a *_FILE form too.
  OTEL_EXPORTER_OTLP_HEADERS: optionalString,
  OTEL_EXPORTER_OTLP_HEADERS_FILE: optionalString,
  OTEL_SERVICE_NAME: optionalString,
};

export interface TracingConfig {
  /** `service.name` on every span this process exports. */
  serviceName: string;
  /** Where spans are POSTed (OTLP/HTTP, protobuf). */
  tracesUrl: string;
  /** Extra request headers for the collector (OTEL_EXPORTER_OTLP_HEADERS), e.g. its API key. */
  headers: Record<string, string>;
}

type TracingEnv = z.infer<z.ZodObject<typeof TRACING>>;

/** The process's tracing, or undefined when it is off (the default). `serviceName` is the role's default name. */
export function tracing(e: TracingEnv, serviceName: string, problems: string[]): TracingConfig | undefined {
  const endpointGiven = Boolean(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (e.OTEL_TRACES_EXPORTER === 'none' || (e.OTEL_TRACES_EXPORTER === undefined && !endpointGiven)) return undefined;
  return {
    serviceName: e.OTEL_SERVICE_NAME ?? serviceName,
    // A signal-specific endpoint is used as given; the general one is a base the signal's path is added to.
    tracesUrl: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${e.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_OTLP_ENDPOINT}/v1/traces`,
    headers: otlpHeaders(readSecret(e, 'OTEL_EXPORTER_OTLP_HEADERS', problems), problems),
  };
}

/** `key=value,key2=value2`, values URL-encoded (the specification's format); a malformed pair is named by position, never echoed. */
function otlpHeaders(value: string | undefined, problems: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const pairs = (value ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  for (const [i, pair] of pairs.entries()) {
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      decoded = undefined;
    }
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key) || decoded === undefined) {
      problems.push(`OTEL_EXPORTER_OTLP_HEADERS: pair ${i + 1} must be name=value (a header name, a URL-encoded value), comma-separated`);
      continue;
    }
    headers[key] = decoded;
  }
  return headers;
}
