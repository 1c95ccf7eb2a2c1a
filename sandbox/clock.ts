/**
 * Sandbox time: real time plus an offset kept in the database.
 *
 * KYC expiry (days), reminders (days before expiry), the 30-minute resend cooldown and the 24 h number-release window
 * are far too slow for tests and demos, so an operator advances the clock instead of waiting. The offset is
 * persisted so a restart does not travel back in time. Everything that compares against "now" uses this clock;
 * only webhook retry backoff uses wall-clock time, because it is about real sockets.
 */
import type { SandboxDb } from './db.js';

const OFFSET_KEY = 'clock_offset_ms';

export class Clock {
  private offsetMs: number;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly db: SandboxDb) {
    this.offsetMs = Number(db.getMeta(OFFSET_KEY) ?? '0');
  }

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** ISO-8601 UTC without milliseconds, the format of the seed's examples ("2026-03-25T10:00:00Z"). */
  iso(ms: number = this.nowMs()): string {
    return isoSeconds(ms);
  }

  get offset(): number {
    return this.offsetMs;
  }

  advance(seconds: number): void {
    this.offsetMs += Math.round(seconds * 1000);
    this.db.setMeta(OFFSET_KEY, String(this.offsetMs));
    for (const listener of this.listeners) listener();
  }

  /** Called after every clock change, so due expiries and reminders fire at once rather than at the next tick. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const DAY_MS = 24 * 60 * 60 * 1000;
