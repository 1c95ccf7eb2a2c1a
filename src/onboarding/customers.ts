/**
 * Finding customers without asking their workflows: the list by stage and KYC status comes from Temporal's
 * visibility store (search attributes, which carry no personal data), and a customer's Vobiz account ID from the
 * `VobizAuthId` search attribute (no worker needed).
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, optionalTsToDate, type Payload } from '@temporalio/common';
import { z } from 'zod';
import { STALL_KINDS } from '../failures/vocabulary.js';
import { workflowIdFor } from '../workflows/input.js';
import { STAGES, WORKFLOW_TYPE, type Stage } from '../workflows/messages.js';
import { AUTH_ID, KYC_STATUS, STAGE, STALLED } from '../workflows/search-attributes.js';

const WORKFLOW_ID_PREFIX = workflowIdFor('');

/** Execution statuses by their proto number (temporal.api.enums.v1.WorkflowExecutionStatus). */
const EXECUTION_STATUSES = ['unspecified', 'running', 'completed', 'failed', 'canceled', 'terminated', 'continued_as_new', 'timed_out', 'paused'] as const;

const MAX_PAGE_SIZE = 1000;

/**
 * The filters of `GET /onboardings` and `cli customers`. Values go into a visibility query, so each is checked
 * against a closed vocabulary or a plain token: nothing a caller sends can change the query's shape.
 */
export const ListOnboardingsQuerySchema = z.object({
  stage: z.enum(STAGES, { error: `must be one of ${STAGES.join(', ')}` }).optional(),
  kycStatus: z
    .string()
    .regex(/^[a-z][a-z_]{0,39}$/, 'must be a KYC status such as kyc_pending or kyc_completed (lowercase letters and _)')
    .optional(),
  stalled: z
    .enum(STALL_KINDS, { error: `must be one of ${STALL_KINDS.join(', ')}` })
    .optional()
    .describe('only customers whose step is retrying by itself for this reason'),
  pageSize: z.coerce
    .number({ error: `must be a whole number 1-${MAX_PAGE_SIZE}` })
    .int(`must be a whole number 1-${MAX_PAGE_SIZE}`)
    .min(1, `must be a whole number 1-${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `must be a whole number 1-${MAX_PAGE_SIZE}`)
    .default(50),
  pageToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{22}$/, 'must be the nextPageToken of a previous page')
    .optional(),
});
export type ListOnboardingsQuery = z.input<typeof ListOnboardingsQuerySchema>;

export const OnboardingSummarySchema = z.object({
  customerRef: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  /** The workflow execution's status in Temporal. */
  status: z.enum(EXECUTION_STATUSES),
  stage: z.enum(STAGES).optional(),
  kycStatus: z.string().optional(),
  authId: z.string().optional(),
  /** Why a step is retrying by itself, when one is. */
  stalled: z.string().optional(),
  startedAt: z.string().optional(),
  closedAt: z.string().optional(),
});
export type OnboardingSummary = z.infer<typeof OnboardingSummarySchema>;

export const OnboardingPageSchema = z.object({
  onboardings: z.array(OnboardingSummarySchema),
  /** Pass as `pageToken` for the next page; absent on the last page. */
  nextPageToken: z.string().optional(),
});
export type OnboardingPage = z.infer<typeof OnboardingPageSchema>;

/** The visibility query for the filters; values are validated by ListOnboardingsQuerySchema before they get here. */
export function visibilityQuery(filters: { stage?: string | undefined; kycStatus?: string | undefined; stalled?: string | undefined }): string {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
  if (filters.stage) clauses.push(`${STAGE.name} = '${filters.stage}'`);
  if (filters.kycStatus) clauses.push(`${KYC_STATUS.name} = '${filters.kycStatus}'`);
  if (filters.stalled) clauses.push(`${STALLED.name} = '${filters.stalled}'`);
  return clauses.join(' AND ');
}

function keyword(fields: Record<string, Payload> | null | undefined, name: string): string | undefined {
  const payload = fields?.[name];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/** The page token was not made by this service for the same filters (typo, another query's, or made up). */
export class InvalidPageTokenError extends Error {
  readonly field = 'pageToken';
  readonly rule = 'must be the nextPageToken of a previous page with the same filters';
  constructor() {
    super('pageToken must be the nextPageToken of a previous page with the same filters');
    this.name = 'InvalidPageTokenError';
  }
}

/**
 * Page tokens carry Temporal's own token plus a checksum binding it to the filters: Temporal answers a garbled
 * token with an internal error the SDK retries until the deadline (a 503 after seconds), so a token that was not
 * made here for the same filters is refused up front instead, naming the field.
 */
function tokenChecksum(serverToken: Uint8Array, query: string): string {
  return createHash('sha256').update(query).update('\n').update(serverToken).digest('base64url').slice(0, 22);
}

function encodePageToken(serverToken: Uint8Array, query: string): string {
  return `${Buffer.from(serverToken).toString('base64url')}.${tokenChecksum(serverToken, query)}`;
}

function decodePageToken(token: string, query: string): Buffer {
  const [body = '', checksum = ''] = token.split('.');
  const serverToken = Buffer.from(body, 'base64url');
  if (serverToken.length === 0 || checksum !== tokenChecksum(serverToken, query)) throw new InvalidPageTokenError();
  return serverToken;
}

type RawExecution = NonNullable<Awaited<ReturnType<Client['workflowService']['listWorkflowExecutions']>>['executions']>[number];

/** Temporal's pages may come back short or even empty (it filters after paging); following them fills ours. */
const MAX_SERVER_PAGES_PER_PAGE = 20;

/** One page of customer workflows, newest first: up to `pageSize` rows, and a token when there may be more. */
export async function listOnboardings(client: Client, query: z.output<typeof ListOnboardingsQuerySchema>): Promise<OnboardingPage> {
  const visibility = visibilityQuery(query);
  let serverToken: Uint8Array | undefined = query.pageToken ? decodePageToken(query.pageToken, visibility) : undefined;
  const executions: RawExecution[] = [];
  for (let i = 0; i < MAX_SERVER_PAGES_PER_PAGE && executions.length < query.pageSize; i++) {
    const response = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query: visibility,
      pageSize: query.pageSize - executions.length,
      ...(serverToken ? { nextPageToken: serverToken } : {}),
    });
    executions.push(...(response.executions ?? []));
    serverToken = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
    if (!serverToken) break;
  }
  const onboardings = executions.map((raw): OnboardingSummary => {
    const workflowId = raw.execution?.workflowId ?? '';
    const fields = raw.searchAttributes?.indexedFields as Record<string, Payload> | undefined;
    const stage = keyword(fields, STAGE.name);
    const kycStatus = keyword(fields, KYC_STATUS.name);
    const authId = keyword(fields, AUTH_ID.name);
    const stalled = keyword(fields, STALLED.name);
    const startedAt = optionalTsToDate(raw.startTime)?.toISOString();
    const closedAt = optionalTsToDate(raw.closeTime)?.toISOString();
    return {
      customerRef: workflowId.startsWith(WORKFLOW_ID_PREFIX) ? workflowId.slice(WORKFLOW_ID_PREFIX.length) : workflowId,
      workflowId,
      runId: raw.execution?.runId ?? '',
      status: EXECUTION_STATUSES[Number(raw.status ?? 0)] ?? 'unspecified',
      ...(stage && (STAGES as readonly string[]).includes(stage) ? { stage: stage as Stage } : {}),
      ...(kycStatus ? { kycStatus } : {}),
      ...(authId ? { authId } : {}),
      ...(stalled ? { stalled } : {}),
      ...(startedAt ? { startedAt } : {}),
      ...(closedAt ? { closedAt } : {}),
    };
  });
  return { onboardings, ...(serverToken ? { nextPageToken: encodePageToken(serverToken, visibility) } : {}) };
}


/** The customer has a workflow but no Vobiz account yet (it is still being created, or creating it failed). */
export class NoVobizAccountYetError extends Error {
  constructor(
    readonly customerRef: string,
    readonly stage: string | undefined,
  ) {
    super(`${customerRef} has no Vobiz account yet (stage ${stage ?? 'unknown'})`);
    this.name = 'NoVobizAccountYetError';
  }
}

/**
 * The customer's Vobiz account ID, from the `VobizAuthId` search attribute (`describe`: needs no worker, works for
 * closed workflows too). The workflow publishes it in the same workflow task that records the account, so the
 * attribute is never behind the state a query would show. Throws WorkflowNotFoundError for an unknown customerRef.
 */
export async function vobizAuthIdOf(client: Client, customerRef: string): Promise<string> {
  const description = await client.workflow.getHandle(workflowIdFor(customerRef)).describe();
  const authId = description.typedSearchAttributes.get(AUTH_ID);
  if (!authId) throw new NoVobizAccountYetError(customerRef, description.typedSearchAttributes.get(STAGE));
  return authId;
}
