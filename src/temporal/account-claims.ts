/**
 * Account claims on Temporal (src/workflows/account-claim-contract.ts): who owns the Vobiz account of an e-mail.
 *
 * The claim's workflow ID is `vobiz-account-claim-<HMAC-SHA256(ACCOUNT_CLAIM_KEY, e-mail)>`: stable for one address,
 * and without the key nobody can test which addresses have claims (a plain hash of an e-mail is guessable from a
 * list of addresses, and workflow IDs are visible to everyone who can read the namespace). The owner is read from
 * the claim's memo with describe(), which needs no worker.
 */
import { createHash, createHmac } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  ACCOUNT_CLAIM_ID_PREFIX,
  ACCOUNT_CLAIM_MEMO_OWNER,
  ACCOUNT_CLAIM_WORKFLOW_TYPE,
  handOverAccountClaimUpdate,
  releaseAccountClaimUpdate,
  type AccountClaimInput,
} from '../workflows/account-claim-contract.js';
import { WORKFLOW_TYPE } from '../workflows/messages.js';
import { AUTH_ID } from '../workflows/search-attributes.js';

/** The HMAC key of claim IDs. It must never change: a claim made under another key is invisible (docs/operations.md). */
export interface AccountClaimKey {
  readonly id: string;
  /** Named so the logger redacts it if the key object is ever logged. */
  readonly keyMaterial: Buffer;
}

/**
 * Used only when NODE_ENV is development or test and no key is configured, so `npm start` needs no setup. Derived
 * from a public string, so it hides nothing: config refuses it when NODE_ENV=production.
 */
export const DEVELOPMENT_ACCOUNT_CLAIM_KEY: AccountClaimKey = Object.freeze({
  id: 'insecure-dev-claim-key',
  keyMaterial: createHash('sha256').update('vobiz-lifecycle INSECURE development account-claim key, local use only').digest(),
});

/** The workflow ID of the claim on `email` (trimmed, case-insensitive, as Vobiz compares addresses). */
function accountClaimId(key: AccountClaimKey, email: string): string {
  const mac = createHmac('sha256', key.keyMaterial).update(`vobiz-account-claim:v1:${email.trim().toLowerCase()}`).digest('hex');
  return `${ACCOUNT_CLAIM_ID_PREFIX}${mac.slice(0, 40)}`;
}

interface AccountClaimsOptions {
  client: Client;
  /** The customers' task queue: claims run beside the customer workflows. */
  taskQueue: string;
  key: AccountClaimKey;
}

/** A customer workflow that recorded a Vobiz account in its `VobizAuthId` search attribute. */
interface AccountHolder {
  workflowId: string;
  running: boolean;
}

export class AccountClaims {
  constructor(private readonly options: AccountClaimsOptions) {}

  idFor(email: string): string {
    return accountClaimId(this.options.key, email);
  }

  /** The owner's workflow ID while the claim runs; undefined when nobody claims the e-mail (never, or released). */
  async owner(claimId: string): Promise<string | undefined> {
    try {
      const description = await this.options.client.workflow.getHandle(claimId).describe();
      if (description.status.name !== 'RUNNING') return undefined;
      const owner = description.memo?.[ACCOUNT_CLAIM_MEMO_OWNER];
      if (typeof owner !== 'string') throw new Error(`Account claim ${claimId} runs without an owner in its memo`);
      return owner;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * Claims the e-mail for `owner` unless somebody holds it; returns whoever owns it afterwards, and whether this call
   * made the claim (`started`). Temporal starts at most one running workflow per ID, so of two customers claiming at
   * the same instant exactly one wins.
   */
  async take(claimId: string, owner: string): Promise<{ owner: string; started: boolean }> {
    const input: AccountClaimInput = { owner };
    try {
      await this.options.client.workflow.start(ACCOUNT_CLAIM_WORKFLOW_TYPE, {
        workflowId: claimId,
        taskQueue: this.options.taskQueue,
        args: [input],
        memo: { [ACCOUNT_CLAIM_MEMO_OWNER]: owner },
        // A running claim is never joined or replaced; a released one (closed) may be claimed again.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        staticSummary: 'Vobiz account claim',
      });
      return { owner, started: true };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const current = await this.owner(claimId);
      if (!current) throw new Error(`Account claim ${claimId} was taken and released while it was being claimed; try again`);
      return { owner: current, started: false };
    }
  }

  /** Gives up `owner`'s claim (only the owner's may be released); a claim already gone counts as released. */
  async release(claimId: string, owner: string, reason: string): Promise<void> {
    try {
      await this.options.client.workflow.getHandle(claimId).executeUpdate(releaseAccountClaimUpdate, { args: [{ owner, reason }] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return;
      throw err;
    }
  }

  /** Moves the claim from `from` to `to`: the claim's validator refuses it unless `from` is the current owner. */
  async handOver(claimId: string, from: string, to: string, reason: string): Promise<void> {
    await this.options.client.workflow.getHandle(claimId).executeUpdate(handOverAccountClaimUpdate, { args: [{ from, to, reason }] });
  }

  /**
   * Customer workflows that recorded `authId` (visibility: running ones, and closed ones within the namespace's
   * retention). Accounts created before claims existed have no claim; this is how their holder is found.
   */
  async holdersOf(authId: string): Promise<AccountHolder[]> {
    const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ${AUTH_ID.name} = '${authId.replace(/[^A-Za-z0-9_-]/g, '')}'`;
    const holders: AccountHolder[] = [];
    for await (const execution of this.options.client.workflow.list({ query })) {
      holders.push({ workflowId: execution.workflowId, running: execution.status.name === 'RUNNING' });
      if (holders.length >= 20) break;
    }
    return holders;
  }

  /** Whether the customer workflow `workflowId` is running (an owner still in business) or closed / gone. */
  async isRunning(workflowId: string): Promise<boolean> {
    try {
      return (await this.options.client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
}
