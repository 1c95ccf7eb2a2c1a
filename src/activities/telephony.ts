/**
 * Trunk and numbers, with the customer's own credentials (fetched per call; see deps.ts).
 * - Trunk: its description carries `lc:<workflowId>`; an existing trunk with that tag is adopted.
 * - Number purchase: the workflow first picks a number (recorded in history), then buys exactly that number; a
 *   retry that finds it already owned by the customer adopts it, and one that finds it gone reports it taken.
 * - Release and disable are naturally idempotent: already released / disabled / gone counts as done.
 */
import { log } from '@temporalio/activity';
import type { ApplicationFailure } from '@temporalio/common';
import type { CustomerClient, VobizClient } from '../vobiz/index.js';
import { callOptions, customerApi, type ActivityDeps } from './deps.js';
import { ambiguousWrite, failure, isApiError, lookup, vobizCall } from './failures.js';
import type { CreateTrunkInput, EffectInput, PickNumberInput, PurchaseNumberResult, TrunkRef } from './types.js';

/** How many free inventory numbers a pick chooses among (see pickInventoryNumber). */
const PICK_AMONG = 10;

const trunkTag = (workflowId: string) => `lc:${workflowId}`;

async function ownedNumber(customer: CustomerClient, e164: string) {
  for await (const number of customer.iterateNumbers({ search: e164 }, callOptions())) {
    if (number.e164 === e164) return number;
  }
  return undefined;
}

/**
 * Vobiz answers a purchase the customer's wallet cannot pay with a bare 500 ("failed to purchase number", docs/vobiz-api.md
 * §6.3): the refusal says what it means by reading the wallet and the number's price (setup + monthly fee, debited
 * at once). When the wallet covers the price, or either read fails, Vobiz's own answer is all there is to tell.
 */
async function purchaseRefusal(vobiz: VobizClient, customer: CustomerClient, authId: string, e164: string, answer: string): Promise<ApplicationFailure> {
  const facts = await Promise.all([
    vobiz.getAccountBalance(authId, callOptions()),
    (async () => {
      for await (const n of customer.iterateInventoryNumbers({ search: e164 }, callOptions())) if (n.e164 === e164) return n;
      return undefined;
    })(),
  ]).catch(() => undefined);
  const [balance, number] = facts ?? [];
  if (!balance || !number?.setup_fee || !number.monthly_fee) return failure('NumberPurchaseFailed', `${answer} (${e164})`);
  const price = number.setup_fee.add(number.monthly_fee);
  const currency = number.currency ?? balance.currency ?? '';
  const money = (m: { toFixed(d: number): string }) => `${m.toFixed(2)}${currency ? ` ${currency}` : ''}`;
  const details = [{ status: 500, e164, balance: balance.cash_credits.toString(), price: price.toString(), currency }];
  if (!balance.cash_credits.lessThan(price)) {
    return failure('NumberPurchaseFailed', `${answer} (${e164}; the customer's balance ${money(balance.cash_credits)} covers its price ${money(price)}, so the refusal is Vobiz's: try again later)`, { details });
  }
  return failure(
    'NumberPurchaseFailed',
    `Vobiz refused to buy ${e164}: the customer's balance ${money(balance.cash_credits)} does not cover its price ${money(price)} ` +
      `(setup fee ${money(number.setup_fee)} + first month ${money(number.monthly_fee)}); top up the customer's wallet and buy it again`,
    { details },
  );
}

export function telephonyActivities({ vobiz }: ActivityDeps) {
  return {
    async createSipTrunk({ authId, workflowId, trunk, settleDelayMs }: CreateTrunkInput): Promise<TrunkRef> {
      return vobizCall(async () => {
        const customer = await lookup(() => customerApi(vobiz, authId));
        const tag = trunkTag(workflowId);
        const existing = await lookup(async () => {
          for await (const t of customer.iterateTrunks({}, callOptions())) if (t.description?.includes(tag)) return t;
          return undefined;
        });
        if (existing) {
          log.info('Adopted the trunk an earlier attempt created', { trunkId: existing.trunk_id });
          return { trunkId: existing.trunk_id, trunkDomain: existing.trunk_domain ?? '', adopted: true };
        }
        const created = await customer.createTrunk(
          {
            name: trunk.name,
            trunkStatus: trunk.trunk_status,
            secure: trunk.secure,
            trunkDirection: trunk.trunk_direction,
            concurrentCallsLimit: trunk.concurrent_calls_limit,
            cpsLimit: trunk.cps_limit,
            transport: trunk.transport,
            description: tag,
          },
          callOptions(),
        ).catch((err: unknown) => {
          throw ambiguousWrite(err, settleDelayMs);
        });
        return { trunkId: created.trunk_id, trunkDomain: created.trunk_domain ?? `${created.trunk_id}.sip.vobiz.ai`, adopted: false };
      });
    },

    async disableSipTrunk({ authId, trunkId }: { authId: string; trunkId: string }): Promise<{ alreadyDisabled: boolean }> {
      return vobizCall(async () => {
        const customer = await customerApi(vobiz, authId);
        try {
          const trunk = await customer.getTrunk(trunkId, callOptions());
          if (trunk.trunk_status === 'disabled') return { alreadyDisabled: true };
          // PUT is a replace in the prose docs: send the name with the new status.
          await customer.updateTrunk(trunkId, { name: trunk.name ?? 'trunk', trunkStatus: 'disabled' }, callOptions());
          return { alreadyDisabled: false };
        } catch (err) {
          if (isApiError(err, 404)) return { alreadyDisabled: true };
          throw err;
        }
      });
    },

    async pickInventoryNumber({ authId, country, search, exclude }: PickNumberInput): Promise<{ e164: string } | null> {
      return vobizCall(async () => {
        const customer = await customerApi(vobiz, authId);
        // A random one of the first few free numbers, not always the first: customers onboarding at the same time
        // would otherwise all race for the same number, and one could lose every try (seen in the chaos run).
        const candidates: string[] = [];
        for await (const number of customer.iterateInventoryNumbers({ country, ...(search ? { search } : {}) }, callOptions())) {
          if (number.e164 && !exclude.includes(number.e164)) candidates.push(number.e164);
          if (candidates.length >= PICK_AMONG) break;
        }
        const e164 = candidates[Math.floor(Math.random() * candidates.length)];
        return e164 ? { e164 } : null;
      });
    },

    async purchaseNumber({ authId, e164, settleDelayMs }: { authId: string; e164: string } & EffectInput): Promise<PurchaseNumberResult> {
      return vobizCall(async () => {
        const customer = await lookup(() => customerApi(vobiz, authId));
        if (await lookup(() => ownedNumber(customer, e164))) return { status: 'adopted', e164 };
        try {
          await customer.purchaseNumber({ e164 }, callOptions());
          return { status: 'purchased', e164 };
        } catch (err) {
          if (isApiError(err, 404)) {
            // Gone from inventory: ours if our lost earlier request bought it, someone else's otherwise.
            return (await ownedNumber(customer, e164)) ? { status: 'adopted', e164 } : { status: 'unavailable', e164 };
          }
          if (isApiError(err, 500)) {
            // Vobiz answers a purchase it rolled back (typically: balance too low for setup + monthly fee) with 500;
            // but a 500 from a proxy can hide a purchase that committed, so look before calling it failed.
            if (await lookup(() => ownedNumber(customer, e164))) return { status: 'adopted', e164 };
            throw await purchaseRefusal(vobiz, customer, authId, e164, err.message);
          }
          throw ambiguousWrite(err, settleDelayMs);
        }
      });
    },

    async releaseNumber({ authId, e164 }: { authId: string; e164: string }): Promise<{ alreadyReleased: boolean }> {
      return vobizCall(async () => {
        const customer = await customerApi(vobiz, authId);
        const owned = await ownedNumber(customer, e164);
        if (!owned || owned.status === 'pending_release' || owned.released_at) return { alreadyReleased: true };
        try {
          await customer.releaseNumber(e164, {}, callOptions());
          return { alreadyReleased: false };
        } catch (err) {
          if (isApiError(err, 403, 404)) return { alreadyReleased: true };
          throw err;
        }
      });
    },
  };
}
