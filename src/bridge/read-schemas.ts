/**
 * The Vobiz reads' answers as the start API sends them (JSON: amounts as Vobiz's exact decimal strings), for the
 * OpenAPI document and the typed client. Rows keep Vobiz's own field names and every field Vobiz sent; the schemas
 * name the ones the docs promise.
 */
import { z } from 'zod';

const amount = z.string().describe("an exact decimal, five places (Vobiz's precision), e.g. 500.00000");
const text = z.string().nullish();

const position = {
  page: z.number().describe('this page (from 1)'),
  perPage: z.number().optional().describe("the page size asked for (Vobiz's default when absent)"),
  total: z.number().optional().describe('rows across every page, when Vobiz says'),
  nextPage: z.number().optional().describe('the next page; absent on the last'),
};

export const TransactionRowSchema = z
  .looseObject({
    id: z.string(),
    type: text.describe('credit | debit'),
    amount,
    currency: text,
    description: text,
    reference: text,
    reference_type: text,
    status: text,
    created_at: text,
    processed_at: text,
  })
  .meta({ id: 'Transaction' });

export const CdrRowSchema = z
  .looseObject({
    uuid: z.string().describe("the call's id"),
    account_id: z.union([z.string(), z.number()]).nullish().describe("the customer's Vobiz account"),
    call_direction: text,
    caller_id_name: text,
    caller_id_number: text,
    destination_number: text,
    start_time: text,
    answer_time: text,
    end_time: text,
    duration: z.number().nullish(),
    billsec: z.number().nullish(),
    hangup_cause: text,
    cost: amount.nullish(),
    total_cost: amount.nullish(),
    currency: text,
  })
  .meta({ id: 'Cdr' });

export const PhoneNumberRowSchema = z
  .looseObject({ e164: z.string(), country: text, region: text, status: text, setup_fee: amount.nullish(), monthly_fee: amount.nullish(), currency: text })
  .meta({ id: 'PhoneNumber' });

const summary = z.record(z.string(), z.unknown()).nullish().describe("Vobiz's summary of the whole filtered listing");

export const TransactionListSchema = z
  .object({ authId: z.string(), transactions: z.array(TransactionRowSchema), ...position, summary })
  .meta({ id: 'TransactionList' });
export const CdrListSchema = z
  .object({ authId: z.string().optional().describe('absent on the partner-wide list'), cdrs: z.array(CdrRowSchema), ...position, summary })
  .meta({ id: 'CdrList' });
export const NumberListSchema = z
  .object({ authId: z.string().optional().describe('absent on the inventory'), numbers: z.array(PhoneNumberRowSchema), ...position })
  .meta({ id: 'NumberList' });
export const BalanceSchema = z
  .looseObject({ auth_id: text, cash_credits: amount, currency: text, updated_at: text })
  .meta({ id: 'Balance' });
export const PartnerProfileSchema = z
  .looseObject({ auth_id: text, name: text, balance: amount.nullish(), currency: text, max_accounts: z.number().nullish(), account_count: z.number().nullish() })
  .meta({ id: 'PartnerProfile', description: "Vobiz's GET /partner/me, as Vobiz sent it" });
export const DashboardSchema = z
  .looseObject({ total_balance: amount.nullish(), currency: text })
  .meta({ id: 'PartnerDashboard', description: "Vobiz's GET /partner/dashboard, in whichever of its documented shapes" });

export type TransactionList = z.infer<typeof TransactionListSchema>;
export type CdrList = z.infer<typeof CdrListSchema>;
export type NumberList = z.infer<typeof NumberListSchema>;
export type Balance = z.infer<typeof BalanceSchema>;
export type PartnerProfileView = z.infer<typeof PartnerProfileSchema>;
export type DashboardView = z.infer<typeof DashboardSchema>;
