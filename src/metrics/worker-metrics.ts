/**
 * The worker's own metrics, beside the SDK's on the same Prometheus endpoint (WORKER_METRICS_ADDRESS).
 *
 * - Vobiz calls and rate-budget waits are recorded on the *process* meter (`Runtime.instance().metricMeter`) by the
 *   Vobiz client's observer: the client is shared by every activity (and the KYC sweep), knows nothing of Temporal,
 *   and a call's route/status/latency is a property of the HTTP call, not of the activity that made it. An activity
 *   context meter would need the client to find `Context.current()` from inside its transport.
 * - Retries are counted by an activity interceptor, labelled with the activity type and task queue.
 * - Workflow-side series (KYC outcomes, time to active) are emitted by the workflow's meter (src/workflows/
 *   lifecycle-metrics.ts), which the SDK silences during replay.
 *
 * Names carry their unit (`_ms`, `_seconds`) and the `vobiz_` prefix; counters have no `_total` suffix, as the
 * SDK's own metrics on this endpoint (the exporter is left at its default).
 */
import type { MetricMeter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { TIME_TO_ACTIVE_METRIC } from '../workflows/lifecycle-metrics.js';
import type { VobizObserver } from '../vobiz/observer.js';

const VOBIZ_REQUEST_LATENCY = 'vobiz_api_request_latency_ms';
const RATE_BUDGET_WAIT = 'vobiz_api_rate_budget_wait_ms';
const RATE_LIMIT_RETRY_AFTER = 'vobiz_api_rate_limited_retry_after_ms';
const ACTIVITY_RETRIES = 'vobiz_activity_retries';

/** Histogram buckets for the exporter (its defaults suit none of these ranges). */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [VOBIZ_REQUEST_LATENCY]: [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000],
  [RATE_BUDGET_WAIT]: [10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000],
  [RATE_LIMIT_RETRY_AFTER]: [1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 1_800_000, 3_600_000],
  // Minutes (an instant KYC) to weeks (a customer who takes the whole session's life to finish it).
  [TIME_TO_ACTIVE_METRIC]: [60, 300, 900, 1_800, 3_600, 4 * 3_600, 12 * 3_600, 86_400, 2 * 86_400, 4 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400],
};

/** Records every Vobiz call (route template, method, status, latency), 429s' Retry-After and rate-budget waits. */
export function vobizMetricsObserver(meter: MetricMeter): VobizObserver {
  const latency = meter.createHistogram(VOBIZ_REQUEST_LATENCY, 'float', 'ms', 'Vobiz API calls by route template, method and status (or timeout/network_error/cancelled), and their latency');
  const retryAfter = meter.createHistogram(RATE_LIMIT_RETRY_AFTER, 'float', 'ms', 'Retry-After Vobiz asked for on 429 responses, by route template');
  const budgetWait = meter.createHistogram(RATE_BUDGET_WAIT, 'float', 'ms', 'How long requests waited for their turn in this process\'s rate budget (VOBIZ_MAX_REQUESTS_PER_SECOND)');
  return {
    call({ method, route, status, durationMs, retryAfterMs }) {
      latency.record(durationMs, { method, route, status: String(status) });
      if (retryAfterMs !== undefined) retryAfter.record(retryAfterMs, { route });
    },
    rateBudgetWait(waitMs) {
      budgetWait.record(waitMs);
    },
  };
}

/**
 * Counts activity attempts after the first, by activity type and task queue. On the process meter with the SDK's
 * snake_case label names (the activity context's meter tags `activityType`/`taskQueue`, which would not join the
 * SDK's `temporal_activity_*` series in a query).
 */
export function countActivityRetries(meter: MetricMeter): ActivityInterceptorsFactory {
  const retries = meter.createCounter(ACTIVITY_RETRIES, 'attempts', 'Activity attempts after the first (retries), by activity type');
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        if (ctx.info.attempt > 1) retries.add(1, { activity_type: ctx.info.activityType, task_queue: ctx.info.taskQueue });
        return next(input);
      },
    },
  });
}
