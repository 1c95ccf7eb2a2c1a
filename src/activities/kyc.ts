/**
 * KYC sessions. Opening one is the dangerous call: a second session for the account silently revokes the first
 * (and the link the customer already has). So every session carries `metadata: { workflowId, attempt }`, and
 * before creating, the account's sessions are searched for this attempt's: found, it is adopted.
 *
 * The workflow owns the reminders (it records each one and sends none after completion), so sessions are opened
 * without Vobiz's own reminder_schedule: passing it too would send the customer two e-mails per reminder point.
 */
import { activityInfo, log } from '@temporalio/activity';
import type { KycSession, VobizClient } from '../vobiz/index.js';
import type { KycOutcome } from '../workflows/messages.js';
import { callOptions, type ActivityDeps } from './deps.js';
import { ambiguousWrite, failure, isApiError, lookup, vobizCall } from './failures.js';
import type { KycSessionRef, KycSessionState, OpenKycSessionInput, ResendKycInput } from './types.js';

/** Vobiz's statuses, plus the sandbox's explicit `failed`/`expired` (the real API's are undocumented). */
const OUTCOMES: Record<string, KycOutcome> = {
  kyc_completed: 'completed',
  completed: 'completed',
  failed: 'failed',
  kyc_failed: 'failed',
  expired: 'expired',
  revoked: 'revoked',
};

export function outcomeOf(status: string): KycOutcome | undefined {
  return OUTCOMES[status];
}

async function findAttemptSession(vobiz: VobizClient, input: OpenKycSessionInput): Promise<KycSession | undefined> {
  for await (const session of vobiz.iterateKycSessions({ accountAuthId: input.authId }, callOptions())) {
    const meta = session.metadata ?? {};
    if (meta.workflowId === input.workflowId && Number(meta.attempt) === input.attempt) return session;
  }
  return undefined;
}

export function kycActivities({ vobiz, settings }: ActivityDeps) {
  return {
    async openKycSession(input: OpenKycSessionInput): Promise<KycSessionRef> {
      return vobizCall(async () => {
        const earlier = await lookup(() => findAttemptSession(vobiz, input));
        if (earlier) {
          log.info('Adopted the KYC session an earlier attempt opened', { sessionId: earlier.id, attempt: input.attempt });
          return { sessionId: earlier.id, expiresAt: earlier.expires_at ?? '', status: earlier.status, adopted: true };
        }
        const account = await lookup(() => vobiz.getAccount(input.authId, callOptions()));
        const session = await vobiz.createKycSession(
          {
            accountAuthId: input.authId,
            flowType: 'email',
            ...(account.email ? { customerEmail: account.email } : {}),
            ...(settings.kycWebhookUrl ? { webhookUrl: settings.kycWebhookUrl } : {}),
            expiresInDays: input.expiresInDays,
            reminderSchedule: [],
            metadata: { workflowId: input.workflowId, attempt: input.attempt },
          },
          callOptions(),
        ).catch((err: unknown) => {
          throw ambiguousWrite(err, input.settleDelayMs);
        });
        if (!session.expires_at) {
          throw failure('VobizContractBroken', 'KYC session without expires_at');
        }
        return { sessionId: session.id, expiresAt: session.expires_at, status: session.status, adopted: false };
      });
    },

    async getKycSession({ sessionId }: { sessionId: string }): Promise<KycSessionState> {
      return vobizCall(async () => {
        const session = await vobiz.getKycSession(sessionId, callOptions());
        const outcome = outcomeOf(session.status);
        // verified_data (PAN, Aadhaar details) stays here: only the status reaches the workflow.
        return {
          sessionId,
          status: session.status,
          kycType: session.kyc_type ?? null,
          expiresAt: session.expires_at ?? '',
          ...(outcome ? { outcome } : {}),
        };
      });
    },

    /**
     * Re-sends the KYC e-mail unless the session has ended. Vobiz allows one e-mail per 30 minutes: a 429 means one
     * went out recently (at creation, by an operator, or by this very call whose response was lost), which is
     * what a reminder is for, so a reminder records `recent_email`; an operator is told how long to wait.
     */
    async resendKycEmail({ sessionId, purpose }: ResendKycInput): Promise<{ result: 'sent' | 'recent_email' | 'skipped_session_closed' }> {
      return vobizCall(async () => {
        const session = await vobiz.getKycSession(sessionId, callOptions());
        if (outcomeOf(session.status)) return { result: 'skipped_session_closed' };
        try {
          await vobiz.resendKycSession(sessionId, callOptions());
          return { result: 'sent' };
        } catch (err) {
          if (isApiError(err, 409)) return { result: 'skipped_session_closed' };
          if (isApiError(err, 429)) {
            if (purpose === 'reminder' || activityInfo().attempt > 1) return { result: 'recent_email' };
            const seconds = Math.ceil((err.retryAfterMs ?? 30 * 60_000) / 1000);
            throw failure('KycResendCooldown', `Vobiz sends at most one KYC e-mail per 30 minutes; try again in ${seconds} seconds`, {
              details: [{ status: 429, retryAfterSeconds: seconds }],
            });
          }
          throw err;
        }
      });
    },

    /** Revoking an ended (or unknown) session is a no-op: the outcome we wanted already holds. */
    async revokeKycSession({ sessionId, reason }: { sessionId: string; reason: string }): Promise<{ status: string; alreadyEnded: boolean }> {
      return vobizCall(async () => {
        try {
          await vobiz.revokeKycSession(sessionId, reason, callOptions());
          return { status: 'revoked', alreadyEnded: false };
        } catch (err) {
          if (isApiError(err, 409, 404)) {
            const status = isApiError(err, 404) ? 'unknown' : (await vobiz.getKycSession(sessionId, callOptions())).status;
            return { status, alreadyEnded: true };
          }
          throw err;
        }
      });
    },
  };
}
