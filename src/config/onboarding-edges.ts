/**
 * Settings every edge that starts or steers onboardings reads: the bridge's start API and the operator CLI. Rules
 * for what an onboarding may ask for belong here, so both edges apply the same ones.
 */
import type { z } from 'zod';
import { optionalHttpUrl, optionalPort } from './fields.js';

export const ONBOARDING_EDGES = {
  // Unset: the dev server's Web UI, on TEMPORAL_DEV_UI_PORT (default TEMPORAL_DEV_PORT + 1000).
  BRIDGE_WEB_UI_URL: optionalHttpUrl,
  TEMPORAL_DEV_UI_PORT: optionalPort,
};
type OnboardingEdgesEnv = z.infer<z.ZodObject<typeof ONBOARDING_EDGES>> & { TEMPORAL_DEV_PORT: number };

export interface OnboardingEdgeConfig {
  /** Temporal Web UI base, for the workflow links the start API and the CLI print. */
  webUiUrl: string;
}

export function onboardingEdges(e: OnboardingEdgesEnv): OnboardingEdgeConfig {
  return { webUiUrl: e.BRIDGE_WEB_UI_URL ?? `http://localhost:${e.TEMPORAL_DEV_UI_PORT ?? e.TEMPORAL_DEV_PORT + 1000}` };
}
