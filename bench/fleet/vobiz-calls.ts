/**
 * What parked customers cost in Vobiz calls. Two parts, because a real day is too long to wait for:
 *
 *  - measured: the sandbox counts every API request (GET /_sandbox/requests) while N customers sit parked and
 *    nothing else happens, over a window of W seconds with the bench's short KYC_SWEEP_INTERVAL; the count is
 *    split by route into the sweep's pages (GET …/kyc-sessions) and everything else (customers' own polls,
 *    reminders), and the sweep's runs report their own figures (kycSweep workflow results);
 *  - per day, at the defaults: the customer's own poll (the start API's kyc.pollInterval default; one session read
 *    each, as the recovered customers' reads show), the sweep's measured cost of a totals-only run and of a paging
 *    run at the default KYC_SWEEP_INTERVAL and KYC_SWEEP_FULL_PAGING_EVERY, and the KYC reminders (INPUT_DEFAULTS:
 *    one resend per reminder point per 14-day session).
 */
import { listExecutions } from './customers.js';
import type { Client } from '@temporalio/client';
import { loadWorkerConfig } from '../../src/config/worker.js';
import type { RequestReport, SandboxAdminClient } from '../../sandbox/admin-client.js';
import { EDGE_DEFAULTS, INPUT_DEFAULTS } from '../../src/workflows/defaults.js';
import { durationMs } from '../../src/workflows/duration.js';
import type { kycSweep } from '../../src/workflows/kyc-sweep.js';
import type { KycSweepResult } from '../../src/workflows/messages.js';
import { median, sleep } from './stats.js';

const DAY_MS = 86_400_000;

export interface SweepRun {
  workflowId: string;
  startedAt: string;
  result: KycSweepResult;
}

export interface IdleFigures {
  windowSeconds: number;
  parked: number;
  total: number;
  sweepPages: number;
  other: number;
  byRoute: Record<string, number>;
  sweepRuns: SweepRun[];
  /** A full paging with the N sessions open, after the window, and how long it took from start to result. */
  fullPaging: SweepRun & { seconds: number };
  /** The window's calls per parked customer, scaled to a day (at the bench's sweep interval). */
  measuredPerCustomerPerDay: number;
}

export const isSweepPage = (route: string) => /^GET \S*\/kyc-sessions$/.test(route);
const isSessionRead = (route: string) => /^GET \S*\/kyc-sessions\/:[^/]+$/.test(route);

export function splitByRoute(report: RequestReport): { sweepPages: number; sessionReads: number; other: number } {
  let sweepPages = 0;
  let sessionReads = 0;
  for (const [route, n] of Object.entries(report.byRoute)) {
    if (isSweepPage(route)) sweepPages += n;
    else if (isSessionRead(route)) sessionReads += n;
  }
  return { sweepPages, sessionReads, other: report.total - sweepPages - sessionReads };
}

/** The KYC sweep runs that closed since `since`, with their results (the figures each sweep reports itself). */
export async function sweepRunsSince(client: Client, since: Date): Promise<SweepRun[]> {
  const runs: SweepRun[] = [];
  for (const e of await listExecutions(client, `WorkflowType = 'kycSweep' AND ExecutionStatus = 'Completed' AND CloseTime > '${since.toISOString()}'`)) {
    runs.push({ workflowId: e.workflowId, startedAt: e.startTime.toISOString(), result: await client.workflow.getHandle<typeof kycSweep>(e.workflowId, e.runId).result() });
  }
  return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/**
 * One sweep run started by the bench beside the schedule's, told to page every open session (its safety net at 0):
 * what a full paging costs with N open, which the schedule's runs show only once every few hours.
 */
async function fullPagingSweep(client: Client, taskQueue: string): Promise<SweepRun & { seconds: number }> {
  const workflowId = `bench-full-paging-${Date.now()}`;
  const began = performance.now();
  const handle = await client.workflow.start<typeof kycSweep>('kycSweep', { taskQueue, workflowId, args: [{ fullPagingEveryMs: 0 }] });
  const result = await handle.result();
  const seconds = (performance.now() - began) / 1000;
  const { startTime } = await handle.describe();
  return { workflowId, startedAt: startTime.toISOString(), result, seconds };
}

export async function measureIdleCalls(admin: SandboxAdminClient, client: Client, parked: number, windowSeconds: number, taskQueue: string): Promise<IdleFigures> {
  await admin.resetRequests();
  const since = new Date();
  await sleep(windowSeconds * 1000);
  const report = await admin.requests();
  const { sweepPages, sessionReads, other } = splitByRoute(report);
  return {
    windowSeconds,
    parked,
    total: report.total,
    sweepPages,
    other: other + sessionReads,
    byRoute: report.byRoute,
    sweepRuns: await sweepRunsSince(client, since),
    fullPaging: await fullPagingSweep(client, taskQueue),
    measuredPerCustomerPerDay: (report.total / parked) * (DAY_MS / (windowSeconds * 1000)),
  };
}

export interface DailyCallModel {
  parked: number;
  pollInterval: string;
  sweepInterval: string;
  fullPagingEvery: string;
  readsPerConfirmation: number;
  /** A sweep that reads only the open totals (measured: the median of such runs). */
  steadySweepCalls: number;
  /** A sweep that pages every open session, with `parked` open. */
  pagingSweepCalls: number;
  polls: number;
  sweep: number;
  reminders: number;
  total: number;
}

/** The sweep's page size (src/workflows/kyc-sweep.ts: 100, the most Vobiz allows). */
const SWEEP_PAGE_SIZE = 100;

/**
 * What the sweep costs: a totals-only run (measured: the median of the bench's such runs), and a paging run with
 * `open` sessions open: the totals' first pages plus the rest of the pages, ⌈open/100⌉ − 1 more (all the bench's
 * sessions share one status). `pagingCheck` compares that formula with the bench's own full paging of N.
 */
export function sweepCosts(runs: readonly SweepRun[], fullPaging: SweepRun): { steady: number; paging: (open: number) => number; pagingCheck: { open: number; measured: number; formula: number } } {
  const steady = median(runs.filter((r) => r.result.customersInKyc > 0 && !r.result.paged).map((r) => r.result.vobizCalls));
  const totals = Number.isFinite(steady) ? steady : 4;
  const paging = (open: number) => totals + Math.max(0, Math.ceil(open / SWEEP_PAGE_SIZE) - 1);
  const open = fullPaging.result.openSessions;
  return { steady: totals, paging, pagingCheck: { open, measured: fullPaging.result.vobizCalls, formula: paging(open) } };
}

/**
 * Calls per parked customer per day at the defaults: the customer's own last-resort poll; the sweep's totals every
 * KYC_SWEEP_INTERVAL and its full paging every KYC_SWEEP_FULL_PAGING_EVERY (no webhook lost: a loss adds one
 * paging), shared by the `parked` customers; the reminders of a session that stays open its whole life.
 */
export function dailyCallsAtDefaults(parked: number, costs: { steady: number; paging: (open: number) => number }, readsPerConfirmation: number): DailyCallModel {
  const pollInterval = EDGE_DEFAULTS.kyc.pollInterval;
  const { kycSweepIntervalMs, kycSweepFullPagingEveryMs } = loadWorkerConfig({}).worker;
  const pagingSweepCalls = costs.paging(parked);
  const polls = (DAY_MS / durationMs(pollInterval)) * readsPerConfirmation;
  const sweep = (costs.steady * (DAY_MS / kycSweepIntervalMs) + pagingSweepCalls * (DAY_MS / kycSweepFullPagingEveryMs)) / parked;
  const reminders = INPUT_DEFAULTS.kyc.reminderSchedule.length / INPUT_DEFAULTS.kyc.expiresInDays;
  return {
    parked,
    pollInterval,
    sweepInterval: `${kycSweepIntervalMs / 60_000} minutes`,
    fullPagingEvery: `${kycSweepFullPagingEveryMs / 3_600_000} hours`,
    readsPerConfirmation,
    steadySweepCalls: costs.steady,
    pagingSweepCalls,
    polls,
    sweep,
    reminders,
    total: polls + sweep + reminders,
  };
}
