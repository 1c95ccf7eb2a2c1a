/** Phone numbers: partner read-only view, customer inventory/purchase/release (docs/vobiz-api.md §5.9, §6.3). */
import { z } from 'zod';
import { E164, anyBody, idLike, optBool, optMoney, optString, page, perPage } from './common.js';
import { itemPages, type PageOf } from './pages.js';

export const ListNumbersParams = z.object({ page: page.optional(), perPage: perPage(100).optional(), search: z.string().optional() });
export type ListNumbersParams = z.input<typeof ListNumbersParams>;

export const ListInventoryParams = z.object({
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO-3166 alpha-2 code such as IN').optional(),
  search: z.string().optional(),
  /** E.164 prefixes with the country code (e.g. "9180"); repeated on the wire. */
  exclude: z.array(z.string()).optional(),
  page: page.optional(),
  perPage: perPage(100).optional(),
});
export type ListInventoryParams = z.input<typeof ListInventoryParams>;

export const PurchaseNumberInput = z.object({ e164: E164, currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code').optional() });
export type PurchaseNumberInput = z.input<typeof PurchaseNumberInput>;

export const PhoneNumber = z.looseObject({
  id: idLike.nullish(),
  account_id: idLike.nullish(),
  e164: z.string(),
  country: optString,
  region: optString,
  status: optString,
  source: optString,
  capabilities: z.looseObject({}).nullish(),
  voice_enabled: optBool,
  setup_fee: optMoney,
  monthly_fee: optMoney,
  currency: optString,
  trunk_group_id: optString,
  application_id: optString,
  purchased_at: optString,
  released_at: optString,
  created_at: optString,
  updated_at: optString,
});
export type PhoneNumber = z.output<typeof PhoneNumber>;

export const NumberPage = itemPages.of(PhoneNumber, { account_auth_id: optString });
export type NumberPage = PageOf<typeof NumberPage>;

/** 200 {message, number:{…}}; `number` is optional in case a variant returns the number's fields at top level. */
export const PurchasedNumber = z.looseObject({ message: optString, number: PhoneNumber.nullish() });
export type PurchasedNumber = z.output<typeof PurchasedNumber>;

/** Standard release: {cancel_url, cooldown_ends_at, message, note, release_fee, status:"pending_release"}; may be empty. */
export const ReleasedNumber = anyBody.pipe(
  z.looseObject({
    message: optString,
    status: optString,
    cancel_url: optString,
    cooldown_ends_at: optString,
    note: optString,
    release_fee: optMoney,
  }),
);
export type ReleasedNumber = z.output<typeof ReleasedNumber>;
