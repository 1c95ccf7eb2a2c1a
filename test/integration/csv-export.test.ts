// An export of 10,000 call records never holds more than a page or so: the CSV writer pulls the next page only when
// it has room, so a stream nobody reads stops reading Vobiz, and the first rows leave the bridge while the sandbox
// still has most pages to serve. (Heap figures for bigger exports: bench/csv-export.ts.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OnboardingClient } from '../../src/client/index.js';
import type { RunningBridge } from '../../src/bridge/server.js';
import { CDR_COLUMNS, csvStream } from '../../src/reads/csv.js';
import { directReads, everyCdr, type VobizReads } from '../../src/reads/vobiz-reads.js';
import { startActiveCustomer, startLifecycleRig, type LifecycleRig } from '../support/lifecycle.js';
import { RIG_READ_TOKEN, startRigBridge } from '../support/rig-bridge.js';

const CALLS = 10_000;
const PAGE = 100;

let rig: LifecycleRig;
let bridge: RunningBridge;
let customerRef: string;
let authId: string;

beforeAll(async () => {
  rig = await startLifecycleRig();
  await rig.startWorker();
  bridge = await startRigBridge(rig);
  // No usage poll while the test counts the sandbox's CDR pages (the poll reads call records too).
  const active = await startActiveCustomer(rig, { monitoring: { cdrPollInterval: '1 hour', lowBalanceThreshold: '100' } });
  customerRef = active.request.customerRef;
  authId = active.state.authId!;
  // Failed calls cost nothing, so the wallet never stops the traffic.
  for (let made = 0; made < CALLS; made += 1000) await rig.sandbox.admin.traffic({ account_auth_id: authId, calls: 1000, mix: { failed: 1 } });
}, 300_000);
afterAll(async () => {
  await bridge?.close();
  await rig?.close();
});

/** CDR pages the sandbox has served since its meter was reset. */
async function pagesServed(): Promise<number> {
  const { byRoute } = await rig.sandbox.admin.requests();
  return Object.entries(byRoute).filter(([route]) => route.startsWith('GET ') && route.endsWith('/cdrs')).reduce((sum, [, n]) => sum + n, 0);
}

it('the CSV writer reads a page only when it has room for it: a paused export stops reading Vobiz', async () => {
  const inner = directReads(rig.vobiz);
  let pages = 0;
  const counting: VobizReads = { ...inner, cdrs: (id, params) => ((pages += 1), inner.cdrs(id, params)) };
  const csv = csvStream(everyCdr(counting, authId, { perPage: PAGE }), CDR_COLUMNS);
  const chunks = csv[Symbol.asyncIterator]();
  let text = String((await chunks.next()).value);
  // Nobody reads for a while: the writer's buffers fill and it stops asking for pages.
  await new Promise((r) => setTimeout(r, 1_000));
  const whilePaused = pages;
  expect(whilePaused).toBeLessThanOrEqual(3);
  for (let chunk = await chunks.next(); !chunk.done; chunk = await chunks.next()) text += String(chunk.value);
  expect(text.trimEnd().split('\n')).toHaveLength(CALLS + 1);
  expect(pages).toBe(CALLS / PAGE);
}, 300_000);

it('through the bridge: the first rows arrive while the sandbox still serves pages, and all 10,000 follow', async () => {
  const api = new OnboardingClient({ baseUrl: bridge.url, token: RIG_READ_TOKEN, timeoutMs: 120_000 });
  await rig.sandbox.admin.resetRequests();
  const body = await api.cdrsCsv(customerRef);
  let servedAtFirstRows: number | undefined;
  let text = '';
  for await (const chunk of body) {
    servedAtFirstRows ??= await pagesServed();
    text += String(chunk);
  }
  const [header, ...rows] = text.trimEnd().split('\n');
  expect(header).toMatch(/^uuid,account_id,/);
  expect(rows).toHaveLength(CALLS);
  expect(new Set(rows.map((r) => r.split(',')[0])).size).toBe(CALLS);
  // Streamed: the rows leave the bridge long before the last of the 100 pages is read.
  expect(servedAtFirstRows).toBeLessThan(CALLS / PAGE / 4);
  expect(await pagesServed()).toBe(CALLS / PAGE);
}, 300_000);
