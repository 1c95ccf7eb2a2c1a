/**
 * Customers by stage, from visibility: running `customerLifecycle` workflows counted per `VobizStage`. Counts are
 * reused for a TTL so frequent scrapes (several Prometheus replicas, a dashboard refresh) don't load the frontend,
 * and concurrent scrapes share one lookup.
 *
 * One count per stage (12 small calls per TTL): `COUNT … GROUP BY VobizStage` would be one, but the servers this
 * project runs refuse it ("'GROUP BY' clause is only supported for ExecutionStatus": the dev server 1.32 and the
 * PostgreSQL cluster 1.30.1, both checked).
 */
import type { Client } from '@temporalio/client';
import { STAGES, WORKFLOW_TYPE, type Stage } from '../../workflows/messages.js';
import { STAGE } from '../../workflows/search-attributes.js';

const RUNNING_CUSTOMERS = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

type StageCounts = Record<Stage, number>;

export class StageCounter {
  private cached: { at: number; counts: Promise<StageCounts> } | undefined;

  constructor(
    private readonly client: Client,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The counts, at most `ttlMs` old; a failed lookup is not cached (the next scrape tries again). */
  counts(): Promise<StageCounts> {
    const at = this.now();
    if (this.cached && at - this.cached.at < this.ttlMs) return this.cached.counts;
    const counts = this.perStage();
    this.cached = { at, counts };
    counts.catch(() => {
      if (this.cached?.counts === counts) this.cached = undefined;
    });
    return counts;
  }

  private async perStage(): Promise<StageCounts> {
    const entries = await Promise.all(
      STAGES.map(async (stage) => [stage, (await this.client.workflow.count(`${RUNNING_CUSTOMERS} AND ${STAGE.name} = '${stage}'`)).count] as const),
    );
    return Object.fromEntries(entries) as StageCounts;
  }
}
