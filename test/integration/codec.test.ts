// End to end on the shared dev server: a client and worker with the encryption codec run a workflow; the raw
// history, read without the codec, holds no secret; the codec server decodes it over HTTP for an authorised caller.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDataConverter } from '../../src/codec/data-converter.js';
import type { CodecKey } from '../../src/codec/keys.js';
import { startCodecServer, type CodecServer } from '../../src/codec/server.js';
import { createLogger } from '../../src/logging.js';
import { connectClient } from '../../src/temporal/connection.js';
import { codecActivities } from '../fixtures/codec-activities.js';
import { storeCredentials } from '../fixtures/codec-workflows.js';
import { connectDevServer, uniqueTaskQueue, withWorker, type DevServer } from '../support/temporal.js';

const { History } = proto.temporal.api.history.v1;
type RawPayload = proto.temporal.api.common.v1.IPayload;

const workflowsPath = fileURLToPath(new URL('../fixtures/codec-workflows.ts', import.meta.url));
const SECRET = `S3cret-${randomBytes(6).toString('hex')}`;
const TOKEN = 'integration-codec-token';
const UI_ORIGIN = 'http://localhost:8233';
const oldKey: CodecKey = { id: 'it-2025-01', keyMaterial: randomBytes(32) };
const newKey: CodecKey = { id: 'it-2025-06', keyMaterial: randomBytes(32) };

/** Every payload in a history, wherever the event keeps it. */
function payloadsIn(history: proto.temporal.api.history.v1.IHistory): RawPayload[] {
  const found: RawPayload[] = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(visit);
    const obj = value as Record<string, unknown>;
    if (Array.isArray(obj.payloads)) found.push(...(obj.payloads as RawPayload[]));
    else Object.values(obj).forEach(visit);
  };
  visit(history.events);
  return found;
}

const toJson = (p: RawPayload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

describe('payload encryption on a real Temporal server', () => {
  let server: DevServer;
  let codecClient: Client;
  let plainConnection: Connection;
  let codecServer: CodecServer;
  let workflowId: string;
  let result: { acknowledgement: string };

  beforeAll(async () => {
    server = await connectDevServer();
    const address = inject('temporalAddress');
    codecClient = await connectClient({ address, namespace: server.namespace, taskQueue: 'unused' }, { keys: [oldKey] });
    plainConnection = await Connection.connect({ address });
    codecServer = await startCodecServer({
      host: '127.0.0.1',
      port: 0,
      keys: [newKey, oldKey],
      token: TOKEN,
      corsOrigins: [UI_ORIGIN],
      logger: createLogger({ level: 'silent' }),
    });

    const taskQueue = uniqueTaskQueue('codec');
    workflowId = `codec-${taskQueue}`;
    result = await withWorker(
      {
        connection: server.nativeConnection,
        namespace: server.namespace,
        taskQueue,
        workflowsPath,
        activities: codecActivities,
        dataConverter: createDataConverter({ keys: [oldKey] }),
      },
      () =>
        codecClient.workflow.execute(storeCredentials, {
          taskQueue,
          workflowId,
          args: [{ customerRef: 'C-1001', password: SECRET }],
        }),
    );
  });

  afterAll(async () => {
    await codecServer?.close();
    await plainConnection?.close();
    await codecClient?.connection.close();
    await server?.close();
  });

  const rawHistory = async () => {
    const response = await plainConnection.workflowService.getWorkflowExecutionHistory({
      namespace: server.namespace,
      execution: { workflowId },
    });
    return response.history!;
  };

  it('returns the decoded result to the codec client', () => {
    expect(result).toEqual({ acknowledgement: `stored password ${SECRET} for C-1001` });
  });

  it('stores no readable secret in history: every payload is encrypted', async () => {
    const history = await rawHistory();
    const bytes = Buffer.from(History.encode(history).finish());
    // Controls: these are the real history bytes, payloads included.
    expect(bytes.includes(workflowId)).toBe(true);
    expect(bytes.includes('binary/encrypted')).toBe(true);
    expect(bytes.includes(SECRET)).toBe(false);
    expect(bytes.includes('C-1001')).toBe(false);

    const payloads = payloadsIn(history);
    expect(payloads.length).toBeGreaterThanOrEqual(4); // workflow input, activity input, activity result, workflow result
    for (const p of payloads) {
      expect(Buffer.from(p.metadata!.encoding!).toString()).toBe('binary/encrypted');
      expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).toBe(oldKey.id);
    }
  });

  it('still reads old history after a key rotation', async () => {
    const rotated = new Client({
      connection: plainConnection,
      namespace: server.namespace,
      dataConverter: createDataConverter({ keys: [newKey, oldKey] }),
    });
    expect(await rotated.workflow.getHandle(workflowId).result()).toEqual(result);
  });

  it('decodes the history payloads through the codec server for a caller with the token', async () => {
    const body = JSON.stringify({ payloads: payloadsIn(await rawHistory()).map(toJson) });
    const post = (headers: Record<string, string>) =>
      fetch(`${codecServer.url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    expect((await post({})).status).toBe(401);

    const res = await post({ authorization: `Bearer ${TOKEN}`, 'x-namespace': server.namespace, origin: UI_ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const decoded = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    const texts = decoded.payloads.map((p) => Buffer.from(p.data, 'base64').toString());
    expect(texts).toContain(JSON.stringify({ customerRef: 'C-1001', password: SECRET }));
    expect(texts).toContain(JSON.stringify({ acknowledgement: `stored password ${SECRET} for C-1001` }));
    for (const p of decoded.payloads) expect(Buffer.from(p.metadata.encoding!, 'base64').toString()).toBe('json/plain');
  });

  it('answers CORS preflight from the UI origin and not from another origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${codecServer.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.ok).toBe(true);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('x-namespace');
    expect((await preflight('http://attacker.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
