/**
 * How the worker tells its start-up checks (src/checks/worker.ts). A failing check does not stop the worker:
 * customers stall visibly, as they would anyway, and nothing strands; the worker says so loudly instead (an error
 * line per failing check, and the gauge `vobiz_startup_check{check,result}` on its metrics endpoint).
 */
import type { MetricMeter } from '@temporalio/common';
import { CHECK_STATUSES, type CheckResult } from '../checks/results.js';
import type { Logger } from '../logging.js';

/**
 * Logs each result (error for a failure, warn for a warning, one info line when all pass) and sets the gauge:
 * 1 on the check's current result, 0 on the others, so `vobiz_startup_check{result="fail"} == 1` names what fails.
 */
export function reportStartupChecks(results: readonly CheckResult[], logger: Logger, meter: MetricMeter): void {
  const gauge = meter.createGauge('vobiz_startup_check', 'int', '', 'Start-up checks of this worker: 1 on each check\'s current result (ok, warn, fail, skipped), 0 on the others');
  for (const r of results) {
    for (const status of CHECK_STATUSES) gauge.set(r.status === status ? 1 : 0, { check: r.name, result: status });
    if (r.status === 'fail') logger.error({ check: r.name, detail: r.detail, fix: r.fix }, `Start-up check failed: ${r.name}`);
    else if (r.status === 'warn') logger.warn({ check: r.name, detail: r.detail, fix: r.fix }, `Start-up check warns: ${r.name}`);
    else if (r.status === 'skipped') logger.warn({ check: r.name, detail: r.detail }, `Start-up check skipped: ${r.name}`);
  }
  if (results.every((r) => r.status === 'ok')) logger.info({ checks: results.map((r) => r.name) }, 'Start-up checks passed');
}
