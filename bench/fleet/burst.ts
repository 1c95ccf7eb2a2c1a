/**
 * What the partner's rate budget (VOBIZ_MAX_REQUESTS_PER_SECOND) does to a burst of onboardings: the workers are
 * restarted at each budget, B onboardings start at once and are taken to `active` (KYC completed as each one waits
 * there), and the sandbox counts every Vobiz request meanwhile. Reported: the time, the calls an onboarding makes
 * (by route), the least time the budget allows for them (calls / budget), and whether the budget held — the most
 * requests the sandbox saw in any one-second window, across every worker, against the budget.
 */
import type { SandboxAdminClient } from '../../sandbox/admin-client.js';
import { oneRound, type OnboardingContext } from './onboarding.js';
import type { FleetSystem } from './system.js';
import { isSweepPage } from './vobiz-calls.js';

export interface BurstFigures {
  rps: number;
  onboardings: number;
  workers: number;
  seconds: number;
  /** Vobiz requests the onboardings made (the sweep's pages during the burst left out). */
  calls: number;
  callsPerOnboarding: number;
  byRoutePerOnboarding: Record<string, number>;
  /** calls / rps: no burst of this size can take less at this budget. */
  budgetMinimumSeconds: number;
  /** The most requests (all of them, the sweep's too) that reached the sandbox in any one-second window. */
  maxInAnySecond: number;
  held: boolean;
}

export async function measureBursts(
  system: FleetSystem,
  ctx: OnboardingContext & { admin: SandboxAdminClient },
  runId: string,
  size: number,
  rates: readonly number[],
  runRps: number,
  log: (line: string) => void,
): Promise<BurstFigures[]> {
  const figures: BurstFigures[] = [];
  try {
    for (const rps of rates) {
      // Every worker at this budget: Temporal's task-queue rate is the last poller's, each process's pacer its own.
      await system.restartWorkers({ env: { VOBIZ_MAX_REQUESTS_PER_SECOND: String(rps) } });
      await ctx.quiet();
      await ctx.admin.resetRequests();
      const round = await oneRound(ctx, 'lifecycle', `bench-${runId}-b${rps}-`, size);
      const report = await ctx.admin.requests();
      const byRoute = Object.fromEntries(Object.entries(report.byRoute).filter(([route]) => !isSweepPage(route)));
      const calls = Object.values(byRoute).reduce((a, b) => a + b, 0);
      const burst: BurstFigures = {
        rps,
        onboardings: size,
        workers: system.workers.length,
        seconds: round.seconds,
        calls,
        callsPerOnboarding: calls / size,
        byRoutePerOnboarding: Object.fromEntries(Object.entries(byRoute).map(([route, n]) => [route, n / size])),
        budgetMinimumSeconds: calls / rps,
        maxInAnySecond: report.maxInAnySecond,
        held: report.maxInAnySecond <= rps,
      };
      figures.push(burst);
      log(
        `burst of ${size} at ${rps} rps: ${burst.seconds.toFixed(1)} s (${burst.callsPerOnboarding.toFixed(1)} calls each, budget minimum ${burst.budgetMinimumSeconds.toFixed(1)} s); ` +
          `at most ${burst.maxInAnySecond} requests in one second (${burst.held ? 'held' : 'OVER the budget'})`,
      );
    }
  } finally {
    await system.restartWorkers({ env: { VOBIZ_MAX_REQUESTS_PER_SECOND: String(runRps) } });
  }
  return figures;
}
