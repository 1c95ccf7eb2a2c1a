/** Partner KYC sessions (docs/vobiz-api.md §5.10). */
import { z } from 'zod';
import { looseRecord, optString, page } from './common.js';
import { sizedPages, type PageOf } from './pages.js';

const KYC_STATUSES = ['email_sent', 'link_ready', 'opened', 'in_progress', 'kyc_completed', 'revoked'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

const ReminderSchedule = z.array(
  z.object({
    trigger: z.literal('days_before_expiry', { error: 'must be "days_before_expiry"' }),
    value: z.number().int('must be a whole number').min(0, 'must be >= 0'),
  }),
);

export const CreateKycSessionInput = z
  .object({
    accountAuthId: z.string().min(1, 'is required'),
    flowType: z.enum(['email', 'redirect']).optional(),
    customerEmail: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address').optional(),
    redirectUrl: z.string().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
    webhookUrl: z.string().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
    expiresInDays: z.number().int('must be a whole number').min(1, 'must be >= 1').max(365, 'must be <= 365').optional(),
    reminderSchedule: ReminderSchedule.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.flowType === 'redirect' && !v.redirectUrl) {
      ctx.addIssue({ code: 'custom', path: ['redirectUrl'], message: 'is required for the redirect flow' });
    }
  });
export type CreateKycSessionInput = z.input<typeof CreateKycSessionInput>;

export const ListKycSessionsParams = z.object({
  page: page.optional(),
  size: z.number().int().min(1, 'must be >= 1').max(100, 'must be <= 100').optional(),
  status: z.enum(KYC_STATUSES).optional(),
  accountAuthId: z.string().optional(),
});
export type ListKycSessionsParams = z.input<typeof ListKycSessionsParams>;

/**
 * A KYC session, normalised: POST answers `session_id`, GET answers `id`; webhooks and sub-account pages say
 * `session_status` where the partner pages say `status`. The output always has both `id` and `status`.
 */
export const KycSession = z
  .looseObject({
    id: optString,
    session_id: optString,
    status: optString,
    session_status: optString,
    account_auth_id: optString,
    customer_email: optString,
    email_dispatched_to: optString,
    kyc_type: optString,
    flow_type: optString,
    expires_at: optString,
    first_opened_at: optString,
    completed_at: optString,
    webhook_url: optString,
    redirect_url: optString,
    widget_url: optString,
    kyc_link: optString,
    reminder_schedule: z.array(z.looseObject({ trigger: optString, value: z.number().nullish() })).nullish(),
    // `Any` in Vobiz's SDK model: an object in every documented example, anything else becomes null.
    metadata: looseRecord,
    verified_data: looseRecord,
    message: optString,
    created_at: optString,
    updated_at: optString,
  })
  .superRefine((v, ctx) => {
    if (!v.id && !v.session_id) ctx.addIssue({ code: 'custom', path: ['id'], message: 'session has neither id nor session_id' });
    if (!v.status && !v.session_status) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'session has neither status nor session_status' });
    }
  })
  .transform((v) => ({ ...v, id: (v.id ?? v.session_id) as string, status: (v.status ?? v.session_status) as KycStatus | (string & {}) }));
export type KycSession = z.output<typeof KycSession>;

export const KycSessionPage = sizedPages('sessions').of(KycSession);
export type KycSessionPage = PageOf<typeof KycSessionPage>;

/** 200 {message:"Session revoked", session_id}; normalised to carry `id` too. */
export const RevokedKycSession = z
  .looseObject({ message: optString, session_id: optString, id: optString, status: optString })
  .nullish()
  .transform((v) => ({ ...(v ?? {}), id: v?.id ?? v?.session_id ?? undefined }));
export type RevokedKycSession = z.output<typeof RevokedKycSession>;
