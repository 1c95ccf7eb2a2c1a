import { patched } from '@temporalio/workflow';
import { jitteredMs } from '../jitter.js';
import { PATCH } from '../run/patches.js';

/** The wait before the next KYC or usage poll: the interval, spread by jitter (jitter.ts) for workflows on the patched code. */
export function pollDelayMs(intervalMs: number): number {
  return patched(PATCH.pollJitter) ? jitteredMs(intervalMs) : intervalMs;
}
