/**
 * The sandbox at fleet scale: its idle CPU with N open KYC sessions, and what the lookups a fleet hammers cost with N
 * accounts. Not a test: it measures and prints; issue 11 records the figures.
 *
 *   npx tsx bench/sandbox-scale.ts [--accounts 1000] [--idle-seconds 5]
 *
 * 1. Creates N customers (through the partner API) and an open email-flow KYC session for each.
 * 2. Idle CPU: process.cpuUsage over --idle-seconds with nothing but the sandbox's own 1-second ticker running,
 *    as CPU milliseconds per wall second (1000 = one core).
 * 3. Per-request latency (median of 50 calls) of the partner profile (`/me`), an account search by email, the last
 *    page of the account list and a page of open sessions by status (the KYC sweep's query).
 */
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { startTestSandbox, type TestSandbox } from '../sandbox/testing.js';

const { values } = parseArgs({
  options: { accounts: { type: 'string', default: '1000' }, 'idle-seconds': { type: 'string', default: '5' } },
});
const accounts = Number(values.accounts);
const idleSeconds = Number(values['idle-seconds']);

async function median(t: TestSandbox, path: string, runs = 50): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const res = await t.api('GET', path);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text.slice(0, 200)}`);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

// The production ticker period (1 s), not the test kit's 100 ms.
const t = await startTestSandbox({ tickIntervalMs: 1000, maxAccounts: Math.max(1000, accounts) });
try {
  const limit = pLimit(8);
  const created = Date.now();
  const emails = await Promise.all(
    Array.from({ length: accounts }, (_, i) =>
      limit(async () => {
        const email = `bench-${i}@example.com`;
        const res = await t.api<{ auth_id: string }>('POST', '/api/v1/partner/accounts', { name: `Bench ${i}`, email, phone: '+919876543210', password: 'SecurePass123!', country: 'IN' });
        if (res.status !== 201) throw new Error(`create ${i}: ${res.status} ${res.text}`);
        const session = await t.api('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: res.body.auth_id, reminder_schedule: [{ trigger: 'days_before_expiry', value: 2 }] });
        if (session.status !== 201) throw new Error(`session ${i}: ${session.status} ${session.text}`);
        return email;
      }),
    ),
  );
  const setupSeconds = (Date.now() - created) / 1000;

  await new Promise((r) => setTimeout(r, 1500)); // let the last writes and ticks settle
  const before = process.cpuUsage();
  const wallStart = performance.now();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const used = process.cpuUsage(before);
  const idleCpuMsPerSecond = (used.user + used.system) / 1000 / ((performance.now() - wallStart) / 1000);

  const lastPage = Math.ceil(accounts / 100);
  const probe = emails[Math.floor(accounts / 2)] ?? 'bench-0@example.com';
  const results = {
    accounts,
    setupSeconds,
    idleCpuMsPerSecond: Math.round(idleCpuMsPerSecond * 10) / 10,
    medianMs: {
      partnerMe: await median(t, '/api/v1/partner/me'),
      searchByEmail: await median(t, `/api/v1/partner/accounts?search=${encodeURIComponent(probe)}`),
      accountsLastPage: await median(t, `/api/v1/partner/accounts?page=${lastPage}&per_page=100`),
      openSessionsPage: await median(t, `/api/v1/partner/kyc-sessions?status=email_sent&page=${lastPage}&size=100`),
    },
  };
  for (const [k, v] of Object.entries(results.medianMs)) results.medianMs[k as keyof typeof results.medianMs] = Math.round(v * 100) / 100;
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} finally {
  await t.close();
}
