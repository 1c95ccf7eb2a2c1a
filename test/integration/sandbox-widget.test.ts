/* eslint-disable @typescript-eslint/no-unsafe-member-access -- raw JSON responses are inspected field by field */
// The hosted KYC widget completed by a real (headless) browser: the individual path (PAN + DOB → Aadhaar OTP), the
// company path (PAN + entity name → GSTIN) and a magic failing OTP. Chromium is required, never skipped.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer, startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';

const CHROMIUM = '/usr/bin/chromium';
let t: TestSandbox;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (installs Debian's chromium) and re-run the tests.`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t = await startTestSandbox();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function openLink(flow: 'email' | 'redirect'): Promise<{ page: Page; sessionId: string; authId: string }> {
  const c = await createCustomer(t);
  const res = await t.api('POST', '/api/v1/partner/kyc-sessions', flow === 'email'
    ? { account_auth_id: c.authId }
    : { account_auth_id: c.authId, flow_type: 'redirect', redirect_url: 'https://partner.example/kyc-done' });
  const sessionId = res.body.session_id as string;
  const link = flow === 'email' ? await t.admin.widgetLink(sessionId) : (res.body.widget_url as string);
  const page = await browser.newPage();
  await page.goto(link);
  return { page, sessionId, authId: c.authId };
}

// The admin view: the public session plus the sandbox's failure_reason (not a field of Vobiz's session object).
const session = async (id: string) => t.admin.kycSession(id);

describe('KYC widget in a browser', () => {
  it('individual: PAN + DOB, then Aadhaar OTP → kyc_completed', async () => {
    const { page, sessionId, authId } = await openLink('email');
    expect((await session(sessionId)).status).toBe('opened');
    await page.fill('#pan', 'abcpe1234k');
    await page.fill('#dob', '1990-01-31');
    await page.click('#pan-submit');
    await page.waitForSelector('#aadhaar-form');
    expect(await page.textContent('#sandbox-hint')).toContain('123456');
    expect(await session(sessionId)).toMatchObject({ status: 'in_progress', kyc_type: 'individual', verified_data: { pan_number: 'ABCPEXXXXX', completed_steps: ['pan'] } });
    await page.fill('#aadhaar_number', '123412349942');
    await page.fill('#otp', '111111');
    await page.click('#aadhaar-submit');
    expect(await page.textContent('#error')).toContain('Incorrect OTP');
    await page.fill('#aadhaar_number', '123412349942');
    await page.fill('#otp', '123456');
    await page.click('#aadhaar-submit');
    expect(await page.getAttribute('#result', 'data-status')).toBe('kyc_completed');
    expect(await page.content()).not.toContain('123412349942');
    const done = await session(sessionId);
    expect(done).toMatchObject({ status: 'kyc_completed', kyc_type: 'individual' });
    expect(done.verified_data).toMatchObject({ pan_type: 'individual', completed_steps: ['pan', 'aadhaar'], masked_aadhaar: '9942', aadhaar_dob: '31-01-1990' });
    expect((await t.api('GET', `/api/v1/partner/accounts/${authId}`)).body.kyc_status).toBe('completed');
    await page.close();
  });

  it('company: PAN + entity name, then GSTIN → kyc_completed, with a redirect link back', async () => {
    const { page, sessionId, authId } = await openLink('redirect');
    await page.fill('#pan', 'AABCA1234K');
    await page.click('#pan-submit');
    expect(await page.textContent('#error')).toContain('entity name');
    await page.fill('#pan', 'AABCA1234K');
    await page.fill('#entity_name', 'Acme Corp Pvt Ltd');
    await page.click('#pan-submit');
    await page.waitForSelector('#gstin-form');
    await page.fill('#gstin', '29AABCA1234K1Z5');
    await page.click('#gstin-submit');
    expect(await page.getAttribute('#result', 'data-status')).toBe('kyc_completed');
    const href = await page.getAttribute('#continue', 'href');
    expect(href).toContain(`session_id=${sessionId}`);
    expect(href).toContain(`auth_id=${authId}`);
    expect(href).toContain('status=kyc_completed');
    expect((await session(sessionId)).verified_data).toMatchObject({ pan_type: 'company', completed_steps: ['pan', 'gst'], pan_registered_name: 'ACME CORP PVT LTD' });
    await page.close();
  });

  it('magic OTP 000000 fails the session; the link then shows the result, not a form', async () => {
    const { page, sessionId } = await openLink('email');
    await page.fill('#pan', 'BCDPF2345G');
    await page.fill('#dob', '1985-06-15');
    await page.click('#pan-submit');
    await page.fill('#aadhaar_number', '999988887777');
    await page.fill('#otp', '000000');
    await page.click('#aadhaar-submit');
    expect(await page.getAttribute('#result', 'data-status')).toBe('failed');
    expect(await session(sessionId)).toMatchObject({ status: 'failed', failure_reason: 'Aadhaar OTP verification failed' });
    await page.reload();
    expect(await page.getAttribute('#result', 'data-status')).toBe('failed');
    expect(await page.$('#pan-form')).toBeNull();
    await page.close();
  });

  it('magic PAN ending in F fails at the PAN step', async () => {
    const { page, sessionId } = await openLink('email');
    await page.fill('#pan', 'ABCPE1234F');
    await page.fill('#dob', '1990-01-01');
    await page.click('#pan-submit');
    expect(await page.getAttribute('#result', 'data-status')).toBe('failed');
    expect((await session(sessionId)).failure_reason).toMatch(/PAN verification failed/);
    await page.close();
  });
});
