/**
 * Checks of what a process finds on Temporal: the server answers, the namespace has the search attributes the
 * workflows write, the KYC sweep's schedule exists, and (for the doctor) workers poll both task queues. Raw
 * service calls, so a schedule written under other codec keys is still described (the codec check says that).
 */
import { Connection, type Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { kycSweepScheduleId } from '../temporal/kyc-sweep-schedule.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { vobizTaskQueue } from '../workflows/task-queues.js';
import { errorText, fail, ok, warn, type Check, type CheckDeadline } from './run.js';

const { IndexedValueType, TaskQueueType } = proto.temporal.api.enums.v1;
const GRPC_NOT_FOUND = 5;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNIMPLEMENTED = 12;

const grpcCode = (err: unknown): number | undefined => {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'number') return code;
  }
  return undefined;
};

/**
 * Every call within the check's deadline: the SDK retries an unreachable server until the deadline, and only the
 * deadline (not an abort) also ends its retry timer, so nothing calls a connection closed after the checks.
 */
const within = <T>(client: Client, { deadline }: CheckDeadline, fn: () => Promise<T>) => client.connection.withDeadline(deadline, fn);

export interface TemporalWhere {
  client: Client;
  namespace: string;
  taskQueue: string;
}

/** Where the client connects, for the fix (a worker's NativeConnection-backed rigs may not say). */
const addressOf = (client: Client): string => (client.connection instanceof Connection ? client.connection.options.address : 'TEMPORAL_ADDRESS');

/** `fix`: how this process chose the address, when it knows better (the CLI: TEMPORAL_ADDRESS or the dev port). */
export function temporalReachable({ client }: TemporalWhere, fix?: string): Check {
  const address = addressOf(client);
  return {
    name: 'temporal',
    fixOnError: fix ?? `check TEMPORAL_ADDRESS (${address}) and its TLS / API-key settings (TEMPORAL_TLS*, TEMPORAL_API_KEY); npm start runs a dev server on TEMPORAL_DEV_PORT`,
    async run(time) {
      try {
        const info = await within(client, time, () => client.workflowService.getSystemInfo({}));
        return ok(`${address} answers (server ${info.serverVersion || 'version not reported'})`);
      } catch (err) {
        return fail(`${address} does not answer: ${errorText(err)}`, this.fixOnError!);
      }
    },
  };
}

export function namespaceReady({ client, namespace }: TemporalWhere): Check {
  const names = SEARCH_ATTRIBUTES.map((key) => key.name);
  const register = (missing: string[]) =>
    `register ${missing.join(', ')} (Keyword) on namespace ${namespace}: \`temporal operator search-attribute create --namespace ${namespace} ${missing.map((n) => `--name ${n} --type Keyword`).join(' ')}\` (compose: deploy/temporal/create-namespace.sh; Temporal Cloud: its UI or tcld)`;
  return {
    name: 'namespace',
    needs: ['temporal'],
    fixOnError: `check TEMPORAL_NAMESPACE (${namespace}) and that this identity may read it`,
    async run(time) {
      try {
        await within(client, time, () => client.workflowService.describeNamespace({ namespace }));
      } catch (err) {
        if (grpcCode(err) === GRPC_NOT_FOUND) {
          return fail(`namespace ${namespace} does not exist`, `create it (\`temporal operator namespace create --namespace ${namespace}\`), or set TEMPORAL_NAMESPACE to the one the workers use`);
        }
        throw err;
      }
      const missing = await missingSearchAttributes(client, namespace, names, time);
      if (missing.length > 0) return fail(`namespace ${namespace} lacks the search attribute(s) ${missing.join(', ')}: every customer workflow fails to record its stage`, register(missing));
      return ok(`namespace ${namespace} with ${names.join(', ')}`);
    },
  };
}

/** Search attributes not registered as Keyword; where listing them is not allowed (some Cloud roles), a query per attribute tells. */
async function missingSearchAttributes(client: Client, namespace: string, names: readonly string[], time: CheckDeadline): Promise<string[]> {
  try {
    const { customAttributes } = await within(client, time, () => client.connection.operatorService.listSearchAttributes({ namespace }));
    return names.filter((name) => customAttributes?.[name] !== IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  } catch (err) {
    const code = grpcCode(err);
    if (code !== GRPC_PERMISSION_DENIED && code !== GRPC_UNIMPLEMENTED) throw err;
  }
  const missing: string[] = [];
  for (const name of names) {
    try {
      await within(client, time, () => client.workflowService.countWorkflowExecutions({ namespace, query: `${name} = "startup-check"` }));
    } catch (err) {
      if (grpcCode(err) === 3 /* INVALID_ARGUMENT: not defined */) missing.push(name);
      else throw err;
    }
  }
  return missing;
}

export function kycSweepSchedule({ client, namespace, taskQueue }: TemporalWhere): Check {
  const scheduleId = kycSweepScheduleId(taskQueue);
  return {
    name: 'kyc_sweep_schedule',
    needs: ['namespace'],
    async run(time) {
      let described;
      try {
        described = await within(client, time, () => client.workflowService.describeSchedule({ namespace, scheduleId }));
      } catch (err) {
        if (grpcCode(err) !== GRPC_NOT_FOUND) throw err;
        return fail(
          `no schedule ${scheduleId}: a lost KYC webhook waits for its customer's own poll (48 hours)`,
          `start a worker on task queue ${taskQueue} (every worker creates it at start; its log says why it could not), or set TEMPORAL_TASK_QUEUE to the workers' queue`,
        );
      }
      const state = described.schedule?.state;
      const every = described.schedule?.spec?.interval?.[0]?.interval?.seconds;
      const interval = every === undefined || every === null ? 'interval unknown' : `every ${Number(every)} s`;
      if (state?.paused) {
        return warn(`${scheduleId} is paused (${state.notes || 'no note'}): lost KYC webhooks wait for each customer's own poll`, `\`temporal schedule toggle --schedule-id ${scheduleId} --unpause --reason …\` when the pause is over`);
      }
      return ok(`${scheduleId}, ${interval}`);
    },
  };
}

/** The doctor's view: some worker polls the customers' queue for workflows and the Vobiz queue for activities. */
export function workersPolling({ client, namespace, taskQueue }: TemporalWhere): Check {
  const queues = [
    { name: taskQueue, taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW },
    { name: vobizTaskQueue(taskQueue), taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY },
  ];
  return {
    name: 'workers',
    needs: ['namespace'],
    async run(time) {
      const counts = await Promise.all(
        queues.map(async (q) => {
          const { pollers } = await within(client, time, () =>
            client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: q.name }, taskQueueType: q.taskQueueType }),
          );
          return { queue: q.name, pollers: pollers?.length ?? 0 };
        }),
      );
      const detail = counts.map((c) => `${c.pollers} poller(s) on ${c.queue}`).join(', ');
      const idle = counts.filter((c) => c.pollers === 0).map((c) => c.queue);
      if (idle.length > 0) {
        return fail(`${detail}: nobody runs the customers' ${idle.length === 2 ? 'workflows and Vobiz calls' : idle[0] === taskQueue ? 'workflows' : 'Vobiz calls'}`, `start a worker (npm run worker; npm start runs one) with TEMPORAL_TASK_QUEUE=${taskQueue} on namespace ${namespace}`);
      }
      return ok(detail);
    },
  };
}
