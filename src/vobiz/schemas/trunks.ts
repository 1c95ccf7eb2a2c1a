/** SIP trunks on the customer API (docs/vobiz-api.md §6.4). */
import { z } from 'zod';
import { anyBody, idLike, optBool, optNumber, optString } from './common.js';
import { offsetPages, type PageOf } from './pages.js';

/**
 * Create/update body. The OpenAPI style: `trunkStatus`, `trunkDirection`, `concurrentCallsLimit`…; the
 * prose style (`trunkType`, `maxConcurrentCalls`, `enabled`) is passed through too for accounts that want it.
 */
export const TrunkInput = z.object({
  name: z.string().trim().min(1, 'is required').max(255, 'must be at most 255 characters'),
  trunkStatus: z.enum(['enabled', 'disabled']).optional(),
  secure: z.boolean().optional(),
  trunkDirection: z.enum(['inbound', 'outbound', 'both']).optional(),
  concurrentCallsLimit: z.number().int().min(0, 'must be >= 0').max(1000, 'must be <= 1000').optional(),
  cpsLimit: z.number().int().min(0, 'must be >= 0').max(100, 'must be <= 100').optional(),
  transport: z.enum(['udp', 'tcp', 'tls']).optional(),
  description: z.string().max(500, 'must be at most 500 characters').optional(),
  trunkDomain: z.string().optional(),
  inboundDestination: z.string().max(255).optional(),
  credentialUuid: z.string().optional(),
  ipaclUuid: z.string().optional(),
  primaryUriUuid: z.string().optional(),
  fallbackUriUuid: z.string().optional(),
  recording: z.boolean().optional(),
  enableTranscription: z.boolean().optional(),
  piiRedaction: z.boolean().optional(),
  piiEntityTypes: z.array(z.string()).optional(),
  webhookUrl: z.string().regex(/^https?:\/\//, 'must be an http(s) URL').max(500).optional(),
  webhookMethod: z.enum(['POST', 'GET']).optional(),
  recordingWebhookEnabled: z.boolean().optional(),
  // prose style
  trunkType: z.enum(['INBOUND', 'OUTBOUND']).optional(),
  maxConcurrentCalls: z.number().int().min(0).optional(),
  enabled: z.boolean().optional(),
});
export type TrunkInput = z.input<typeof TrunkInput>;
/** Update: every field optional (OpenAPI); send the full trunk if your account follows the "replace" prose. */
export const TrunkUpdateInput = TrunkInput.partial();
export type TrunkUpdateInput = z.input<typeof TrunkUpdateInput>;

export const ListTrunksParams = z.object({
  limit: z.number().int().min(1, 'must be >= 1').max(100, 'must be <= 100').optional(),
  offset: z.number().int().min(0, 'must be >= 0').optional(),
});
export type ListTrunksParams = z.input<typeof ListTrunksParams>;

/** A trunk, normalised to always carry `trunk_id` (some variants say `id`). `trunk_status` is "active" or "enabled"/"disabled". */
export const Trunk = z
  .looseObject({
    trunk_id: optString,
    id: optString,
    account_id: idLike.nullish(),
    auth_id: optString,
    name: optString,
    trunk_domain: optString,
    trunk_status: optString,
    secure: optBool,
    trunk_direction: optString,
    concurrent_calls_limit: optNumber,
    cps_limit: optNumber,
    transport: optString,
    description: optString,
    recording: optBool,
    enable_transcription: optBool,
    pii_redaction: optBool,
    webhook_url: optString,
    webhook_method: optString,
    created_at: optString,
    updated_at: optString,
  })
  .superRefine((v, ctx) => {
    if (!v.trunk_id && !v.id) ctx.addIssue({ code: 'custom', path: ['trunk_id'], message: 'trunk has neither trunk_id nor id' });
  })
  .transform((v) => ({ ...v, trunk_id: (v.trunk_id ?? v.id) as string }));
export type Trunk = z.output<typeof Trunk>;

export const TrunkPage = offsetPages.of(Trunk);
export type TrunkPage = PageOf<typeof TrunkPage>;

/** 204 (empty) or 200 with a string/object body. */
export const Deleted = anyBody;
