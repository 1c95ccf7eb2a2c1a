/**
 * `npm run demo`: one customer from nothing to `active`, end to end, on the embedded defaults.
 *
 *  1. Uses the system `npm start` runs if its bridge answers; otherwise starts the same stack itself (and stops
 *     it at the end).
 *  2. Starts an onboarding for a fresh customerRef through the bridge's start API (the typed client of src/client).
 *  3. Prints each stage as the workflow reaches it.
 *  4. At `kyc`, completes KYC as the customer would: opens the widget link from the sandbox's e-mail outbox and
 *     submits its forms over HTTP (PAN, date of birth, Aadhaar + OTP). The sandbox then sends its signed webhook
 *     to the bridge, which signals the workflow; the workflow confirms with the API and creates the trunk.
 *  5. Prints the summary (auth id, funding, KYC, trunk) and exits 0; exits 1 with the reason on failure or after
 *     DEMO_TIMEOUT_SECONDS (default 180).
 *
 * Links (the Web UI, the sandbox's outbox) are printed only where they outlive the demo: on a system that was
 * already running, or with `--keep`, which leaves the stack the demo started running until Ctrl-C.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { OnboardingClient, type LifecycleState, type OnboardingRequest } from '../src/client/index.js';
import { loadLocalConfig, LOCAL_PROCESS, type LocalConfig } from './config.js';
import { applyDotEnvOrExit } from '../src/config/dotenv.js';
import { ConfigError, EXIT_CONFIG } from '../src/config/problems.js';
import { sealingKeyLine } from '../src/secrets/keys.js';
import { createLogger } from '../src/logging.js';
import { SandboxAdminClient } from '../sandbox/admin-client.js';
import { sleep } from './processes.js';
import { StackAbortedError, startStack, type RunningStack } from './stack.js';
import { FORCE_AFTER_MS, localStackOptions } from './start.js';

export interface DemoOptions {
  env?: NodeJS.ProcessEnv;
  /** Progress lines (default: stdout). */
  print?: (line: string) => void;
  /** Aborting stops the demo (and the stack it started). */
  signal?: AbortSignal;
  /** Start the self-hosted cluster on PostgreSQL (`--cluster`) instead of the dev server, if nothing runs yet. */
  cluster?: boolean;
  /** `--keep`: once the customer is active, leave the stack the demo started running until `signal` aborts. */
  keep?: boolean;
}

const FAILED_STAGES = new Set(['kyc_failed', 'kyc_expired', 'kyc_revoked', 'failed', 'offboarding', 'offboarded']);

/** The customer in the demo: fictional, with the sandbox's documented test PAN path (4th letter P: individual). */
export function demoRequest(customerRef: string): OnboardingRequest {
  const n = customerRef.replace(/[^a-z0-9]/gi, '').toLowerCase();
  return {
    customerRef,
    customer: {
      name: 'Asha Demo',
      email: `asha.${n}@example.com`,
      phone: '+919800000001',
      password: 'Demo-Passw0rd!',
      company: 'Acme Demo Pvt Ltd',
      country: 'IN',
    },
    funding: { amount: 500, currency: 'INR', description: 'Opening balance' },
    // The webhook moves it; the poll (at the edge's lower bound) is only the fallback for a lost delivery.
    kyc: { expiresInDays: 14, maxAttempts: 3, pollInterval: '5 minutes' },
    telephony: {
      trunk: { name: 'Demo SIP trunk', trunk_status: 'enabled', secure: false, trunk_direction: 'outbound', concurrent_calls_limit: 10, cps_limit: 5, transport: 'udp' },
    },
    monitoring: { cdrPollInterval: '1 minute', lowBalanceThreshold: '100' },
    advanced: { effectSettleDelay: '2 seconds' },
  };
}

async function bridgeAnswers(url: string): Promise<boolean> {
  try {
    const res = await request(`${url}/healthz`, { headersTimeout: 1_000, bodyTimeout: 1_000 });
    await res.body.dump();
    return res.statusCode === 200;
  } catch {
    return false;
  }
}

/** Fills in the hosted widget like a person with a browser would, by posting its HTML forms. */
async function completeKycInWidget(admin: SandboxAdminClient, sessionId: string, print: (line: string) => void): Promise<void> {
  let link: string | undefined;
  for (let i = 0; i < 20 && !link; i++) {
    link = await admin.widgetLink(sessionId).catch(() => undefined);
    if (!link) await sleep(250);
  }
  if (!link) throw new Error(`no KYC e-mail with a widget link for session ${sessionId} in the sandbox outbox`);
  const url = new URL(link);
  const token = url.searchParams.get('token') ?? '';
  print(`         customer opens the KYC link from the e-mail: ${url.origin}${url.pathname}?token=kst_…`);

  const page = await request(link);
  const html = await page.body.text();
  if (page.statusCode !== 200 || !html.includes('id="pan-form"')) throw new Error(`widget page answered ${page.statusCode} without the PAN form`);

  const post = async (path: string, form: Record<string, string>, expect: string) => {
    const res = await request(`${url.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, ...form }).toString(),
    });
    const body = await res.body.text();
    if (res.statusCode !== 200 || !body.includes(expect)) {
      const error = /id="error"[^>]*>([^<]*)/.exec(body)?.[1] ?? /id="reason">([^<]*)/.exec(body)?.[1] ?? `HTTP ${res.statusCode}`;
      throw new Error(`widget step ${path} did not reach ${expect}: ${error}`);
    }
  };
  await post('/kyc/verify/pan', { pan: 'ABCPE1234K', dob: '1990-01-31', entity_name: '' }, 'id="aadhaar-form"');
  print('         PAN ABCPE1234K and date of birth accepted; Aadhaar with the sandbox OTP 123456 …');
  await post('/kyc/verify/aadhaar', { aadhaar_number: '123412341234', otp: '123456' }, 'data-status="kyc_completed"');
  print('         widget says "Verification complete"; the sandbox now sends its signed kyc.completed webhook to the bridge');
}

/** Resolves 'stopped' once `signal` aborts (Ctrl-C), or with what died if a process of the stack exits first. */
async function keptUntil(stack: RunningStack, signal: AbortSignal | undefined): Promise<string> {
  if (!signal) throw new Error('--keep needs a signal that ends the wait (Ctrl-C in the demo process)');
  if (signal.aborted) return 'stopped';
  const stopped = new Promise<string>((resolveStopped) => signal.addEventListener('abort', () => resolveStopped('stopped'), { once: true }));
  return Promise.race([stopped, stack.childExited]);
}

/** Runs the demo; resolves with the process exit code. */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;

  let config: LocalConfig;
  try {
    // The demo's own stack is quiet unless LOG_LEVEL says otherwise: the progress lines are the output.
    config = loadLocalConfig({ ...env, LOG_LEVEL: env.LOG_LEVEL || 'warn' });
  } catch (err) {
    if (err instanceof ConfigError) {
      print(err.message);
      return EXIT_CONFIG;
    }
    throw err;
  }

  let stack: RunningStack | undefined;
  let bridgeUrl = config.bridge.publicUrl;
  let sandboxUrl = config.vobiz.baseUrl;
  let webUiUrl = config.bridge.webUiUrl;
  try {
    if (await bridgeAnswers(bridgeUrl)) {
      print(`[${elapsed()}] using the system already running (bridge ${bridgeUrl}, sandbox ${sandboxUrl})`);
    } else {
      const temporal = options.cluster ? 'Temporal server on PostgreSQL' : 'Temporal dev server';
      print(`[${elapsed()}] nothing answers on ${bridgeUrl}: starting the local stack (${temporal}, codec server, sandbox, bridge, worker) …`);
      const logger = createLogger({ level: config.logLevel, name: 'demo' });
      const stackOptions = localStackOptions(config, logger, env, { cluster: options.cluster ?? false, command: `npm run demo${options.cluster ? ' -- --cluster' : ''}` });
      stack = await startStack({ ...stackOptions, ...(options.signal ? { signal: options.signal } : {}) });
      bridgeUrl = stack.bridge.url;
      sandboxUrl = stack.vobizUrl;
      webUiUrl = stack.temporal.uiUrl ?? webUiUrl;
      print(`[${elapsed()}] stack up: Temporal ${stack.temporal.address}, bridge ${bridgeUrl}, sandbox ${sandboxUrl}, worker pid ${stack.workers[0]?.pid}`);
    }
    const admin = new SandboxAdminClient(sandboxUrl);
    try {
      await admin.health();
    } catch {
      throw new Error(`the demo completes KYC in the Vobiz sandbox, but ${sandboxUrl} is not a sandbox (VOBIZ_BASE_URL points at real Vobiz?)`);
    }

    const customerRef = `demo-${Date.now()}`;
    // The client seals the demo customer's password with the secrets public key before it leaves this process.
    const onboarding = new OnboardingClient({
      baseUrl: bridgeUrl,
      token: config.bridge.apiTokens[0] ?? 'dev-bridge-token',
      ...(config.secrets.sealingKey ? { secretsPublicKey: sealingKeyLine(config.secrets.sealingKey) } : {}),
    });
    // Links into a stack the demo stops at the end would be dead by the time anyone clicks them.
    const linksOutliveDemo = !stack || Boolean(options.keep);
    const outcome = await onboarding.start(demoRequest(customerRef));
    print(`[${elapsed()}] started onboarding ${customerRef} through the bridge's start API: workflow ${outcome.workflowId} (${outcome.status})`);
    if (linksOutliveDemo) print(`         Web UI: ${outcome.webUiUrl}`);

    const deadline = started + config.dev.demoTimeoutMs;
    let lastStage: string | undefined;
    let kycDoneFor: string | undefined;
    let webhookSeen = false;
    let state: LifecycleState | undefined;
    while (Date.now() < deadline) {
      if (options.signal?.aborted) throw new StackAbortedError();
      try {
        state = await onboarding.getStatus(customerRef);
      } catch {
        await sleep(500); // the workflow's first task may not have run yet
        continue;
      }
      if (state.stage !== lastStage) {
        lastStage = state.stage;
        print(`[${elapsed()}] stage: ${state.stage}${state.authId ? `  (account ${state.authId})` : ''}${state.reason ? `  reason: ${state.reason}` : ''}`);
      }
      if (FAILED_STAGES.has(state.stage)) throw new Error(`the onboarding stopped at stage ${state.stage}${state.reason ? `: ${state.reason}` : ''}`);
      const session = state.kyc.attempts.at(-1);
      if (state.stage === 'kyc' && session && !session.outcome && kycDoneFor !== session.sessionId) {
        print(`[${elapsed()}] KYC session ${session.sessionId} is open; completing it through the sandbox's widget page over HTTP`);
        await completeKycInWidget(admin, session.sessionId, print);
        kycDoneFor = session.sessionId;
      }
      if (!webhookSeen && state.kyc.eventsSeen > 0) {
        webhookSeen = true;
        print(`[${elapsed()}] the bridge verified the webhook and signalled the workflow (events seen: ${state.kyc.eventsSeen})`);
      }
      if (state.stage === 'active' && state.telephony.trunkDomain) break;
      await sleep(500);
    }
    if (state?.stage !== 'active' || !state.telephony.trunkDomain) {
      throw new Error(`timed out after ${Math.round(config.dev.demoTimeoutMs / 1000)} s waiting for stage active (last stage: ${state?.stage ?? 'unknown'}); raise DEMO_TIMEOUT_SECONDS or check the logs`);
    }
    print('');
    print(`Customer ${customerRef} is active`);
    print(`  auth id        ${state.authId}`);
    print(`  funding        ${state.funding?.amount} ${state.funding?.currency} (transaction ${state.funding?.transactionId})`);
    print(`  KYC            ${state.kyc.status ?? 'completed'} (attempt ${state.kyc.attempts.length}, webhook events ${state.kyc.eventsSeen})`);
    print(`  trunk          ${state.telephony.trunkId} → ${state.telephony.trunkDomain}`);
    print(`  done in ${elapsed().trim()}`);
    if (!linksOutliveDemo) {
      print('');
      print('No links: the stack the demo started stops now, its Web UI with it. `npm run demo -- --keep` leaves it running (or run the demo beside `npm start`).');
      return 0;
    }
    print('');
    print(`  Web UI         ${outcome.webUiUrl}`);
    print(`  all customers  ${webUiUrl}/namespaces/${config.temporal.namespace}/workflows`);
    print(`  KYC e-mails    ${sandboxUrl}/_sandbox/outbox`);
    if (!stack) return 0;
    print('');
    print('The stack stays up (--keep): onboard more with `npm run onboard -- examples/onboarding.json`. Ctrl-C stops it.');
    const ended = await keptUntil(stack, options.signal);
    if (ended !== 'stopped') print(`\n${ended}: stopping the rest`);
    return ended === 'stopped' ? 0 : 1;
  } catch (err) {
    if (err instanceof StackAbortedError) {
      print('demo interrupted');
      return 130;
    }
    print(`\ndemo failed: ${(err as Error).message}`);
    return 1;
  } finally {
    if (stack) {
      print('stopping the stack the demo started …');
      await stack.stop();
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const aborter = new AbortController();
  let interruptedAt = 0;
  const onSignal = () => {
    if (interruptedAt && Date.now() - interruptedAt >= FORCE_AFTER_MS) process.exit(130); // a real second Ctrl-C
    if (interruptedAt) return; // the same Ctrl-C relayed by tsx/npm
    interruptedAt = Date.now();
    aborter.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  applyDotEnvOrExit(LOCAL_PROCESS);
  const args = process.argv.slice(2);
  void runDemo({ signal: aborter.signal, cluster: args.includes('--cluster'), keep: args.includes('--keep') }).then((code) => process.exit(code));
}
