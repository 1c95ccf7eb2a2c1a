/** Identifier shapes from the API doc §1, so clients that validate id formats accept the sandbox's. */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export const uuid = (): string => randomUUID();
/** Customer auth id: `MA_` + 8 uppercase alphanumerics. */
export const customerAuthId = (): string => `MA_${pick(UPPER_ALNUM, 8)}`;
/** Customer auth token, shaped like the seed's `sk_live_` + 32 characters. */
export const customerAuthToken = (): string => `sk_live_${pick(LOWER_ALNUM, 32)}`;
/** Transfer id: `txn_` + 12 hex. */
export const transferId = (): string => `txn_${randomBytes(6).toString('hex')}`;
/** KYC widget token: `kst_` + 64 hex. */
export const widgetToken = (): string => `kst_${randomBytes(32).toString('hex')}`;
