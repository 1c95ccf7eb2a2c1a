/**
 * Where the bridge listens and where Vobiz reaches it. Read by the bridge (it listens there) and by the worker (it
 * gives Vobiz the KYC webhook URL when it opens a session). In production the public URL must be given, over
 * https: Vobiz posts customers' KYC results to it.
 */
import type { z } from 'zod';
import { nonEmpty, optionalHttpUrl, port } from './fields.js';
import type { RunMode } from './general.js';

export const BRIDGE_ADDRESS = {
  BRIDGE_HOST: nonEmpty().default('127.0.0.1'),
  BRIDGE_PORT: port(8787),
  BRIDGE_PUBLIC_URL: optionalHttpUrl,
};
type BridgeAddressEnv = z.infer<z.ZodObject<typeof BRIDGE_ADDRESS>> & { NODE_ENV: RunMode };

export interface BridgeAddress {
  host: string;
  port: number;
  /** Base URL others reach the bridge at; the KYC webhook URL given to Vobiz is derived from it. */
  publicUrl: string;
  kycWebhookUrl: string;
}

export const KYC_WEBHOOK_PATH = '/webhooks/vobiz/kyc';

export function bridgeAddress(e: BridgeAddressEnv, problems: string[]): BridgeAddress {
  if (e.NODE_ENV === 'production' && !e.BRIDGE_PUBLIC_URL?.startsWith('https://')) {
    problems.push(
      `BRIDGE_PUBLIC_URL: ${e.BRIDGE_PUBLIC_URL ? 'must be https://' : 'is required, https://,'} when NODE_ENV=production (Vobiz posts KYC webhooks to it)`,
    );
  }
  const publicUrl = e.BRIDGE_PUBLIC_URL ?? `http://${e.BRIDGE_HOST}:${e.BRIDGE_PORT}`;
  return { host: e.BRIDGE_HOST, port: e.BRIDGE_PORT, publicUrl, kycWebhookUrl: `${publicUrl}${KYC_WEBHOOK_PATH}` };
}
