/**
 * Customers by stage, from visibility: running `customerLifecycle` workflows counted per `VobizStage`. Counts are
 * reused for a TTL so frequent scrapes (several Prometheus replicas, a dashboard refresh) don't load the frontend,
 * and concurrent scrapes share one lookup.
 *
 * One `COUNT … GROUP BY VobizStage` where the visibility store supports grouping by a custom keyword (Elasticsearch,
 * and the SQL stores of recent servers); where it refuses, one count per stage instead, remembered for the process.
 */
import type { Client } from '@temporalio/client';
import { STAGES, WORKFLOW_TYPE, type Stage } from '../../workflows/messages.js';
import { STAGE } from '../../workflows/search-attributes.js';

const RUNNING_CUSTOMERS = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

export type StageCounts = Record<Stage, number>;

export class StageCounter {
  private cached: { at: number; counts: Promise<StageCounts> } | undefined;
  private groupBySupported = true;

  constructor(
    private readonly client: Client,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The counts, at most `ttlMs` old; a failed lookup is not cached (the next scrape tries again). */
  counts(): Promise<StageCounts> {
    const at = this.now();
    if (this.cached && at - this.cached.at < this.ttlMs) return this.cached.counts;
    const counts = this.lookup();
    this.cached = { at, counts };
    counts.catch(() => {
      if (this.cached?.counts === counts) this.cached = undefined;
    });
    return counts;
  }

  private async lookup(): Promise<StageCounts> {
    if (this.groupBySupported) {
      try {
        return await this.grouped();
      } catch (err) {
        if (!isInvalidArgument(err)) throw err;
        this.groupBySupported = false;
      }
    }
    return this.perStage();
  }

  private async grouped(): Promise<StageCounts> {
    const result = await this.client.workflow.count(`${RUNNING_CUSTOMERS} GROUP BY ${STAGE.name}`);
    const counts = zeroCounts();
    for (const group of result.groups) {
      const stage = group.groupValues[0];
      if (typeof stage === 'string' && stage in counts) counts[stage as Stage] += group.count;
    }
    return counts;
  }

  private async perStage(): Promise<StageCounts> {
    const entries = await Promise.all(
      STAGES.map(async (stage) => [stage, (await this.client.workflow.count(`${RUNNING_CUSTOMERS} AND ${STAGE.name} = '${stage}'`)).count] as const),
    );
    return Object.fromEntries(entries) as StageCounts;
  }
}

function zeroCounts(): StageCounts {
  return Object.fromEntries(STAGES.map((s) => [s, 0])) as StageCounts;
}

/** gRPC INVALID_ARGUMENT (3): the server parsed the query and refused it (e.g. GROUP BY on this attribute). */
function isInvalidArgument(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  return e?.code === 3 || e?.cause?.code === 3;
}
