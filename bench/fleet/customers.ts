/**
 * The bench's customers: onboarding requests sent through the start API (POST /onboardings on the bridge, the
 * password sealed as every edge must: dev/chaos/start-api-body.ts), and what visibility says about them.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { OPEN_KYC_STATUSES } from '../../src/activities/kyc-sweep.js';
import { startApiBody } from '../../dev/chaos/start-api-body.js';
import type { OnboardingRequest } from '../../src/workflows/input.js';
import { workflowIdFor } from '../../src/workflows/input.js';
import { AUTH_ID } from '../../src/workflows/search-attributes.js';
import { BENCH_API_TOKEN } from './system.js';

/** A bench customer's e-mail: where the sandbox sends its KYC link. */
export const benchEmail = (customerRef: string) => `${customerRef}@example.com`;

/** A customer with the start API's defaults for everything the bench does not need to set (KYC poll interval included). */
export function onboardingRequest(customerRef: string, index: number): OnboardingRequest {
  return {
    customerRef,
    customer: {
      name: `Bench Customer ${index}`,
      email: benchEmail(customerRef),
      phone: `+9198${String(10_000_000 + (index % 90_000_000)).slice(-8)}`,
      password: 'Bench-Passw0rd!',
      country: 'IN',
    },
    funding: { amount: 100, currency: 'INR', description: 'Opening balance' },
    kyc: {},
    telephony: { trunk: { name: 'Bench trunk' } },
  };
}

/** Starts one onboarding through the start API; retries a 5xx or a refused connection a few times. */
export async function startOnboarding(bridgeUrl: string, request: OnboardingRequest): Promise<void> {
  const body = JSON.stringify(startApiBody(request));
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${bridgeUrl}/onboardings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_TOKEN}` },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (res.status === 200 || res.status === 201) return;
      if (res.status < 500 || attempt >= 5) throw new Error(`the start API answered ${res.status}: ${text.slice(0, 300)}`);
    } catch (err) {
      if (attempt >= 5) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
  }
}

/** Starts every request, `concurrency` at a time, the n-th through `bridgeUrl(n)`. */
export async function startOnboardings(bridgeUrl: (n: number) => string, requests: readonly OnboardingRequest[], concurrency: number): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(requests.map((r, n) => limit(() => startOnboarding(bridgeUrl(n), r))));
}

/**
 * Visibility query for the running customers whose ref starts with `refPrefix`, in `stage` when given; with
 * `sessionOpen`, only those whose KYC session is open (stage kyc is published before the session is opened).
 */
export function customersQuery(refPrefix: string, stage?: string, workflowType = 'customerLifecycle', sessionOpen = false): string {
  const open = OPEN_KYC_STATUSES.map((s) => `'${s}'`).join(', ');
  return (
    `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${workflowIdFor(refPrefix)}'` +
    `${stage ? ` AND VobizStage = '${stage}'` : ''}${sessionOpen ? ` AND VobizKycStatus IN (${open})` : ''}`
  );
}

export async function countCustomers(client: Client, refPrefix: string, stage?: string, workflowType?: string, sessionOpen?: boolean): Promise<number> {
  return (await client.workflow.count(customersQuery(refPrefix, stage, workflowType, sessionOpen))).count;
}

export interface ParkedCustomer {
  workflowId: string;
  authId: string;
}

/**
 * Every execution a visibility query matches, in pages of 1,000. A list the cluster does not answer (seen right after
 * parking 10,000 customers on 2 cores: "Failed to list workflows") is tried again from the start, up to 6 times.
 */
export async function listExecutions(client: Client, query: string): Promise<WorkflowExecutionInfo[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const executions: WorkflowExecutionInfo[] = [];
      for await (const execution of client.workflow.list({ query, pageSize: 1_000 })) executions.push(execution);
      return executions;
    } catch (err) {
      if (attempt >= 6) throw err;
      const cause = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
      process.stderr.write(`listing ${query} failed (${cause}); trying again in 10 s (${attempt}/6)\n`);
      await sleep(10_000);
    }
  }
}

/** The customers parked in KYC with their Vobiz account (the bridge checks a webhook's account against it). */
export async function listParked(client: Client, refPrefix: string): Promise<ParkedCustomer[]> {
  const parked: ParkedCustomer[] = [];
  for (const execution of await listExecutions(client, customersQuery(refPrefix, 'kyc'))) {
    const authId = execution.typedSearchAttributes.get(AUTH_ID);
    if (authId) parked.push({ workflowId: execution.workflowId, authId });
  }
  return parked.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
}
