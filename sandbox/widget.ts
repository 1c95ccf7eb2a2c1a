/**
 * The hosted KYC widget: plain server-rendered HTML forms that a person (or a headless browser) completes.
 * Element ids and names are stable: #pan-form (#pan, #dob, #entity_name), #aadhaar-form (#aadhaar_number, #otp),
 * #gstin-form (#gstin), #result (data-status), #error, #continue.
 *
 * Magic values (documented in docs/sandbox.md):
 *  - PAN ending in F → kyc.failed "PAN verification failed: PAN not found in Income Tax records"
 *  - a name containing MISMATCH → kyc.failed "Name mismatch between PAN records and the name entered"
 *  - Aadhaar OTP 000000 → kyc.failed "Aadhaar OTP verification failed"; the sandbox OTP is 123456 (other values: retry)
 *  - a GSTIN whose embedded PAN differs from the PAN → kyc.failed "GSTIN is not registered to this PAN"
 * Submitted secrets (OTP, full Aadhaar) are never echoed back into a page.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxContext } from './context.js';
import { complete, fail, findSessionByToken, isTerminal, markOpened, maskPan, recordPan, type SessionDoc } from './kyc.js';
import { findCustomer } from './accounts.js';
import { escapeHtml as esc } from './html.js';

const SANDBOX_OTP = '123456';
const FAIL_OTP = '000000';
const PAN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;
const GSTIN = /^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Vobiz KYC (sandbox)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;padding:.4rem;font-size:1rem}button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem}.hint{background:#fff7d6;padding:.5rem;border-radius:4px}
#error{color:#b00020}</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

const errorBlock = (error?: string) => (error ? `<p id="error" role="alert">${esc(error)}</p>` : '');

function panForm(token: string, error?: string): string {
  return page('Verify your identity', `${errorBlock(error)}
<p>Enter your PAN. The 4th character decides the path: <b>P</b> individual (date of birth, then Aadhaar OTP), <b>C</b> company (entity name, then GSTIN).</p>
<form id="pan-form" method="post" action="/kyc/verify/pan">
<input type="hidden" name="token" value="${esc(token)}">
<label for="pan">PAN</label><input id="pan" name="pan" maxlength="10" autocomplete="off" required>
<label for="dob">Date of birth (individuals, YYYY-MM-DD)</label><input id="dob" name="dob" placeholder="1990-01-31">
<label for="entity_name">Entity name (companies)</label><input id="entity_name" name="entity_name">
<button id="pan-submit" type="submit">Continue</button></form>`);
}

function aadhaarForm(token: string, doc: SessionDoc, error?: string): string {
  return page('Aadhaar verification (DigiLocker)', `${errorBlock(error)}
<p>PAN ${esc(maskPan(doc.pan ?? ''))} accepted. Verify your Aadhaar with the one-time password sent to your Aadhaar-linked mobile.</p>
<p class="hint" id="sandbox-hint">Sandbox: the OTP is <b>${SANDBOX_OTP}</b> (enter ${FAIL_OTP} to simulate a failed verification).</p>
<form id="aadhaar-form" method="post" action="/kyc/verify/aadhaar">
<input type="hidden" name="token" value="${esc(token)}">
<label for="aadhaar_number">Aadhaar number (12 digits)</label><input id="aadhaar_number" name="aadhaar_number" maxlength="14" autocomplete="off" required>
<label for="otp">OTP</label><input id="otp" name="otp" maxlength="6" autocomplete="one-time-code" required>
<button id="aadhaar-submit" type="submit">Verify</button></form>`);
}

function gstinForm(token: string, doc: SessionDoc, error?: string): string {
  return page('GST verification', `${errorBlock(error)}
<p>PAN ${esc(maskPan(doc.pan ?? ''))} accepted for ${esc(doc.entity_name ?? '')}. Enter the company's GSTIN (15 characters).</p>
<form id="gstin-form" method="post" action="/kyc/verify/gstin">
<input type="hidden" name="token" value="${esc(token)}">
<label for="gstin">GSTIN</label><input id="gstin" name="gstin" maxlength="15" autocomplete="off" required>
<button id="gstin-submit" type="submit">Verify</button></form>`);
}

function resultPage(doc: SessionDoc): string {
  const ok = doc.status === 'kyc_completed';
  const title = ok ? 'Verification complete' : doc.status === 'failed' ? 'Verification failed' : 'This link is no longer valid';
  const detail = ok
    ? '<p>Thank you. Your identity has been verified.</p>'
    : doc.status === 'failed'
      ? `<p id="reason">${esc(doc.failure_reason ?? '')}</p><p>Please contact your provider for a new verification link.</p>`
      : `<p>This verification session is ${esc(doc.status)}.</p>`;
  let link = '';
  if (doc.redirect_url) {
    const u = new URL(doc.redirect_url);
    u.searchParams.set('session_id', doc.id);
    u.searchParams.set('status', doc.status);
    u.searchParams.set('auth_id', doc.account_auth_id);
    link = `<p><a id="continue" href="${esc(u.toString())}">Continue</a></p>`;
  }
  return page(title, `<div id="result" data-status="${esc(doc.status)}">${detail}</div>${link}`);
}

function render(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

function step(token: string, doc: SessionDoc, error?: string): string {
  if (isTerminal(doc.status)) return resultPage(doc);
  if (doc.widget_step === 'aadhaar') return aadhaarForm(token, doc, error);
  if (doc.widget_step === 'gstin') return gstinForm(token, doc, error);
  return panForm(token, error);
}

type Form = Record<string, string | undefined>;

function registeredName(doc: SessionDoc): string {
  const name = doc.verified_data?.pan_registered_name;
  return typeof name === 'string' ? name : '';
}

export function widgetRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance) => {
    /** The session for a token, or a 404 page; expiry is applied first so an expired link never shows a form. */
    const load = (token: string | undefined, reply: FastifyReply): SessionDoc | undefined => {
      ctx.runDueWork();
      const doc = token && /^kst_[0-9a-f]{64}$/.test(token) ? findSessionByToken(ctx, token) : undefined;
      if (!doc) {
        void render(reply, page('Link not found', '<div id="result" data-status="not_found"><p>This verification link is invalid.</p></div>'), 404);
        return undefined;
      }
      return doc;
    };

    app.get<{ Querystring: { token?: string } }>('/kyc/verify', async (req, reply) => {
      const token = req.query.token;
      const doc = load(token, reply);
      if (!doc || !token) return reply;
      const opened = markOpened(ctx, doc);
      return render(reply, step(token, opened), isTerminal(opened.status) ? 410 : 200);
    });

    app.post<{ Body: Form }>('/kyc/verify/pan', async (req, reply) => {
      const token = req.body?.token;
      const doc = load(token, reply);
      if (!doc || !token) return reply;
      if (isTerminal(doc.status) || doc.widget_step !== 'pan') return render(reply, step(token, doc), isTerminal(doc.status) ? 410 : 409);
      const pan = (req.body.pan ?? '').trim().toUpperCase();
      if (!PAN.test(pan)) return render(reply, panForm(token, 'PAN must be 10 characters: 5 letters, 4 digits, 1 letter (e.g. ABCPE1234K).'), 422);
      const kind = pan[3];
      if (kind !== 'P' && kind !== 'C') return render(reply, panForm(token, 'Only individual (4th character P) and company (4th character C) PANs can be verified here.'), 422);
      const customer = findCustomer(ctx, doc.account_auth_id);
      let registeredName = (customer?.doc.name ?? '').toUpperCase();
      let dob: string | undefined;
      let entityName: string | undefined;
      if (kind === 'P') {
        dob = (req.body.dob ?? '').trim();
        if (!/^\d{4}-\d{2}-\d{2}$/.test(dob) || Number.isNaN(Date.parse(dob))) return render(reply, panForm(token, 'Enter your date of birth as YYYY-MM-DD.'), 422);
      } else {
        entityName = (req.body.entity_name ?? '').trim();
        if (!entityName) return render(reply, panForm(token, 'Enter the entity name registered with this PAN.'), 422);
        registeredName = entityName.toUpperCase();
      }
      const started = recordPan(ctx, doc, pan, { ...(dob ? { dob } : {}), ...(entityName ? { entityName } : {}) }, registeredName);
      if (pan.endsWith('F')) return render(reply, resultPage(fail(ctx, started, 'PAN verification failed: PAN not found in Income Tax records')));
      if (/mismatch/i.test(entityName ?? '') || /mismatch/i.test(customer?.doc.name ?? '')) {
        return render(reply, resultPage(fail(ctx, { ...started, verified_data: { ...started.verified_data, pan_name_match: false } }, 'Name mismatch between PAN records and the name entered')));
      }
      return render(reply, step(token, started));
    });

    app.post<{ Body: Form }>('/kyc/verify/aadhaar', async (req, reply) => {
      const token = req.body?.token;
      const doc = load(token, reply);
      if (!doc || !token) return reply;
      if (isTerminal(doc.status) || doc.widget_step !== 'aadhaar') return render(reply, step(token, doc), isTerminal(doc.status) ? 410 : 409);
      const aadhaar = (req.body.aadhaar_number ?? '').replace(/\s/g, '');
      const otp = (req.body.otp ?? '').trim();
      if (!/^\d{12}$/.test(aadhaar)) return render(reply, aadhaarForm(token, doc, 'Aadhaar number must be 12 digits.'), 422);
      if (otp === FAIL_OTP) return render(reply, resultPage(fail(ctx, doc, 'Aadhaar OTP verification failed')));
      if (otp !== SANDBOX_OTP) return render(reply, aadhaarForm(token, doc, 'Incorrect OTP. Please try again.'), 422);
      const name = registeredName(doc);
      const [y, m, d] = (doc.dob ?? '').split('-');
      const done = complete(ctx, doc, {
        ...doc.verified_data, pan_type: 'individual', pan_number: maskPan(doc.pan ?? ''), pan_name_match: true, pan_registered_name: name,
        completed_steps: ['pan', 'aadhaar'], aadhaar_name: name, aadhaar_dob: `${d}-${m}-${y}`, masked_aadhaar: aadhaar.slice(-4),
        gender: 'MALE', address: 'Bengaluru, Karnataka 560001',
      }, 'individual');
      return render(reply, resultPage(done));
    });

    app.post<{ Body: Form }>('/kyc/verify/gstin', async (req, reply) => {
      const token = req.body?.token;
      const doc = load(token, reply);
      if (!doc || !token) return reply;
      if (isTerminal(doc.status) || doc.widget_step !== 'gstin') return render(reply, step(token, doc), isTerminal(doc.status) ? 410 : 409);
      const gstin = (req.body.gstin ?? '').trim().toUpperCase();
      if (!GSTIN.test(gstin)) return render(reply, gstinForm(token, doc, 'GSTIN must be 15 characters, e.g. 29ABCCE1234K1Z5.'), 422);
      if (gstin.slice(2, 12) !== doc.pan) return render(reply, resultPage(fail(ctx, doc, 'GSTIN is not registered to this PAN')));
      const done = complete(ctx, doc, {
        pan_type: 'company', pan_number: maskPan(doc.pan ?? ''), pan_name_match: true, completed_steps: ['pan', 'gst'],
        pan_registered_name: registeredName(doc), gstin: `${gstin.slice(0, 2)}XXXXXXXXXX${gstin.slice(12)}`,
      }, 'company');
      return render(reply, resultPage(done));
    });
  };
}
