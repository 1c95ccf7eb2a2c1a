/* eslint-disable @typescript-eslint/no-explicit-any -- raw test responses are inspected field by field */
/**
 * Test kit: a sandbox on an ephemeral port with a fresh temporary database, its admin client, and a tiny raw HTTP
 * helper that returns status, headers and parsed body (tests of error shapes need the raw response, not a client).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startSandbox, type RunningSandbox, type SandboxOptions } from './server.js';
import { SandboxAdminClient } from './admin-client.js';

export const TEST_PARTNER = { authId: 'PA_SANDBOX1', authToken: 'test-partner-token' } as const;

export interface RawResponse<T = any> { status: number; headers: Record<string, string | string[] | undefined>; body: T; text: string }

export interface TestSandbox {
  sandbox: RunningSandbox;
  url: string;
  dbPath: string;
  admin: SandboxAdminClient;
  partnerHeaders: Record<string, string>;
  /** Raw call; `auth` defaults to the partner's headers. */
  api<T = any>(method: string, path: string, body?: unknown, auth?: Record<string, string>): Promise<RawResponse<T>>;
  /** Stops the server; `keepDb` leaves the file for a restart test. */
  close(keepDb?: boolean): Promise<void>;
}

export async function startTestSandbox(overrides: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'vobiz-sandbox-'));
  const dbPath = overrides.dbPath ?? join(dir, 'sandbox.sqlite');
  const sandbox = await startSandbox({
    port: 0, dbPath, partnerAuthId: TEST_PARTNER.authId, partnerAuthToken: TEST_PARTNER.authToken, partnerBalance: 100_000,
    webhookInitialBackoffMs: 50, webhookMaxAttempts: 4, tickIntervalMs: 100, ...overrides,
  });
  const partnerHeaders = { 'x-auth-id': TEST_PARTNER.authId, 'x-auth-token': overrides.partnerAuthToken ?? TEST_PARTNER.authToken };
  return {
    sandbox, url: sandbox.url, dbPath, admin: new SandboxAdminClient(sandbox.url), partnerHeaders,
    api: (method, path, body, auth) => rawCall(sandbox.url, method, path, body, auth ?? partnerHeaders),
    close: async (keepDb = false) => {
      await sandbox.close();
      if (!keepDb) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function rawCall<T = any>(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse<T>> {
  const res = await request(`${baseUrl}${path}`, {
    method: method as 'GET',
    headers: { accept: 'application/json', ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* HTML or empty */
  }
  return { status: res.statusCode, headers: res.headers, body: parsed as T, text };
}

/** Creates a customer with the seed's fields (unique email) and returns its creds. */
export async function createCustomer(t: TestSandbox, overrides: Record<string, unknown> = {}): Promise<{ authId: string; authToken: string; email: string; headers: Record<string, string> }> {
  const email = `cust-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const res = await t.api('POST', '/api/v1/partner/accounts', { name: 'John Doe', email, phone: '+919876543210', password: 'SecurePass123!', company: 'Acme Corp', country: 'IN', ...overrides });
  if (res.status !== 201) throw new Error(`create customer failed: ${res.status} ${res.text}`);
  const b = res.body as { auth_id: string; auth_token: string; email: string };
  return { authId: b.auth_id, authToken: b.auth_token, email: b.email, headers: { 'x-auth-id': b.auth_id, 'x-auth-token': b.auth_token } };
}
