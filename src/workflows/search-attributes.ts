/**
 * Search attributes of the customer workflow: for lists and filters in the Web UI and `temporal workflow list`.
 * Search attributes are never encrypted, so none of them carries personal data: the stage, the KYC status and
 * Vobiz's opaque account ID only. Registered on the namespace by `npm start`, the test harness and the
 * docker-compose namespace job.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const STAGE = defineSearchAttributeKey('VobizStage', SearchAttributeType.KEYWORD);
export const KYC_STATUS = defineSearchAttributeKey('VobizKycStatus', SearchAttributeType.KEYWORD);
export const AUTH_ID = defineSearchAttributeKey('VobizAuthId', SearchAttributeType.KEYWORD);
/** Why a customer's step is retrying by itself (`credentials`, `vobiz_unavailable`, …), or empty: for 3 a.m. lists. */
export const STALLED = defineSearchAttributeKey('VobizStalled', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [STAGE, KYC_STATUS, AUTH_ID, STALLED] as const;

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function searchAttributeFlags(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
