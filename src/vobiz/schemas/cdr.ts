/** Call detail records, partner and customer views (docs/vobiz-api.md §5.8, §6.2). */
import { z } from 'zod';
import { ISO_DATE, idLike, optBool, optCount, optMoney, optNumber, optString, page, perPage } from './common.js';
import { cdrPages, type PageOf } from './pages.js';

/** `no-answer` is the older docs' spelling; the current one is `no_answer`. */
export const CDR_STATUSES = ['answered', 'failed', 'busy', 'no_answer', 'no-answer'] as const;

export const ListCdrsParams = z
  .object({
    page: page.optional(),
    perPage: perPage(100).optional(),
    callDirection: z.enum(['inbound', 'outbound']).optional(),
    status: z.enum(CDR_STATUSES).optional(),
    hangupCause: z.string().optional(),
    minDuration: z.number().int().min(0, 'must be >= 0').optional(),
    maxDuration: z.number().int().min(0, 'must be >= 0').optional(),
    startDate: ISO_DATE.optional(),
    endDate: ISO_DATE.optional(),
    fromNumber: z.string().optional(),
    toNumber: z.string().optional(),
    context: z.string().optional(),
    /** Free text across the number fields (older partner docs). */
    search: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    // The customer API requires the two together; the partner API documents them as a pair too.
    if (Boolean(v.startDate) !== Boolean(v.endDate)) {
      ctx.addIssue({ code: 'custom', path: [v.startDate ? 'endDate' : 'startDate'], message: 'startDate and endDate go together' });
    }
  });
export type ListCdrsParams = z.input<typeof ListCdrsParams>;

/**
 * A call record. Its identity is `uuid` (the docs, the SDK models); the PyPI SDK's README reads `call_id` instead,
 * so a row that carries only `call_id` gets it as its `uuid`. `status` (the README's too) is not a documented row
 * field: it passes through when a row has it (docs/sandbox.md, "SDK models vs prose docs").
 */
export const Cdr = z
  .looseObject({
    id: idLike.nullish(),
    uuid: optString,
    call_id: optString,
    account_id: idLike.nullish(),
    call_direction: optString,
    caller_id_name: optString,
    caller_id_number: optString,
    destination_number: optString,
    context: optString,
    // trunk_id, campaign_id, carrier_ip, customer_endpoint, terminated_to, failure_code/reason: `Any` in one SDK model
    // or another; not declared, so they pass through as they come.
    duration: optNumber,
    billsec: optNumber,
    ring_time: optNumber,
    start_time: optString,
    answer_time: optString,
    end_time: optString,
    cost: optMoney,
    streaming_cost: optMoney,
    total_cost: optMoney,
    currency: optString,
    hangup_cause: optString,
    hangup_cause_code: z.union([z.number(), z.string()]).nullish(),
    hangup_cause_name: optString,
    hangup_disposition: optString,
    hangup_source: optString,
    created_at: optString,
  })
  .superRefine((v, ctx) => {
    if (!v.uuid && !v.call_id) ctx.addIssue({ code: 'custom', path: ['uuid'], message: 'call record has neither uuid nor call_id' });
  })
  .transform((v) => ({ ...v, uuid: (v.uuid ?? v.call_id) as string }));
export type Cdr = z.output<typeof Cdr>;

export const CdrPage = cdrPages.of(Cdr, {
  success: optBool,
  account_id: idLike.nullish(),
  account_auth_id: optString,
  count: optCount,
  summary: z.looseObject({ total_cost: optMoney }).nullish(),
});
export type CdrPage = PageOf<typeof CdrPage>;

/** Partner GET /cdrs/{uuid} is a bare CDR; the customer `/cdr/{id}` wraps it in `{data, success}`. Accept both. */
export const CdrSingle = z.union([z.looseObject({ data: Cdr, success: optBool }).transform((v) => v.data), Cdr]);
