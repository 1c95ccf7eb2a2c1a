/**
 * What parked customers cost in Vobiz calls. Two parts, because a real day is too long to wait for:
 *
 *  - measured: the sandbox counts every API request (GET /_sandbox/requests) while N customers sit parked and
 *    nothing else happens, over a window of W seconds with the bench's short KYC_SWEEP_INTERVAL; the count is
 *    split by route into the sweep's pages (GET …/kyc-sessions) and everything else (customers' own polls,
 *    reminders), and the sweep's runs report their own figures (kycSweep workflow results);
 *  - per day, at the defaults: the customer's own poll (the start API's kyc.pollInterval default; one session read
 *    each, as the recovered customers' reads show), the sweep's measured calls per run at the default interval
 *    (KYC_SWEEP_INTERVAL), and the KYC reminders (INPUT_DEFAULTS: one resend per reminder point per 14-day session).
 */
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config.js';
import type { RequestReport, SandboxAdminClient } from '../../src/sandbox/admin-client.js';
import { EDGE_DEFAULTS, INPUT_DEFAULTS } from '../../src/workflows/defaults.js';
import { durationMs } from '../../src/workflows/duration.js';
import type { KycSweepResult } from '../../src/workflows/messages.js';
import { fitLine, median, sleep } from './stats.js';

const DAY_MS = 86_400_000;

export interface SweepRun {
  workflowId: string;
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
  /** The window's calls per parked customer, scaled to a day (at the bench's sweep interval). */
  measuredPerCustomerPerDay: number;
}

export const isSweepPage = (route: string) => /^GET \S*\/kyc-sessions$/.test(route);
export const isSessionRead = (route: string) => /^GET \S*\/kyc-sessions\/:[^/]+$/.test(route);

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
  for await (const e of client.workflow.list({ query: `WorkflowType = 'kycSweep' AND ExecutionStatus = 'Completed' AND CloseTime > '${since.toISOString()}'` })) {
    runs.push({ workflowId: e.workflowId, result: await client.workflow.getHandle<() => Promise<KycSweepResult>>(e.workflowId, e.runId).result() });
  }
  return runs;
}

export async function measureIdleCalls(admin: SandboxAdminClient, client: Client, parked: number, windowSeconds: number): Promise<IdleFigures> {
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
    measuredPerCustomerPerDay: (report.total / parked) * (DAY_MS / (windowSeconds * 1000)),
  };
}

export interface DailyCallModel {
  parked: number;
  pollInterval: string;
  sweepInterval: string;
  readsPerConfirmation: number;
  sweepCallsPerRun: number;
  polls: number;
  sweep: number;
  reminders: number;
  total: number;
}

/**
 * A sweep's calls against the open sessions it paged, as a line through every run the bench saw (idle ones with all
 * N open, and those of the recovery with fewer): what a sweep costs with `openSessions` open.
 */
export function sweepCallsFor(runs: readonly SweepRun[], openSessions: number): number {
  const withCustomers = runs.filter((r) => r.result.customersInKyc > 0);
  if (withCustomers.length === 0) return Number.NaN;
  const { slope, intercept } = fitLine(withCustomers.map((r) => ({ x: r.result.openSessions, y: r.result.vobizCalls })));
  if (!Number.isFinite(slope)) return median(withCustomers.map((r) => r.result.vobizCalls));
  return Math.max(0, intercept + slope * openSessions);
}

/** Calls per parked customer per day at the defaults, from the measured cost of a sweep and of a confirmation. */
export function dailyCallsAtDefaults(parked: number, sweepCallsPerRun: number, readsPerConfirmation: number): DailyCallModel {
  const pollInterval = EDGE_DEFAULTS.kyc.pollInterval;
  const sweepIntervalMs = loadConfig({}).worker.kycSweepIntervalMs;
  const polls = (DAY_MS / durationMs(pollInterval)) * readsPerConfirmation;
  const sweep = (sweepCallsPerRun * (DAY_MS / sweepIntervalMs)) / parked;
  const reminders = INPUT_DEFAULTS.kyc.reminderSchedule.length / INPUT_DEFAULTS.kyc.expiresInDays;
  return {
    parked,
    pollInterval,
    sweepInterval: `${sweepIntervalMs / 60_000} minutes`,
    readsPerConfirmation,
    sweepCallsPerRun,
    polls,
    sweep,
    reminders,
    total: polls + sweep + reminders,
  };
}
