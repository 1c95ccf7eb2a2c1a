/**
 * The sandbox outbox (/_sandbox/outbox) answers a browser with a page whose KYC links are clickable, and programs
 * with JSON, as before. The page prints what requests put there (e-mail addresses, the filter), all of it escaped.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxPage } from '../../sandbox/outbox-page.js';
import { createCustomer, rawCall, startTestSandbox, type TestSandbox } from '../../sandbox/testing.js';

/** What Chromium and Firefox send for a page. */
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let t: TestSandbox;
let email: string;
let link: string;

beforeAll(async () => {
  t = await startTestSandbox();
  // A legal address with a character HTML gives meaning to.
  const customer = await createCustomer(t, { email: `o'neil+${Date.now()}@example.com` });
  email = customer.email;
  const session = await t.api('POST', '/api/v1/partner/kyc-sessions', { account_auth_id: customer.authId, expires_in_days: 14 });
  expect(session.status, session.text).toBe(201);
  const outbox = await rawCall<{ emails: { to: string; link: string }[] }>(t.url, 'GET', `/_sandbox/outbox?to=${encodeURIComponent(email)}`);
  link = outbox.body.emails[0]!.link;
});
afterAll(() => t?.close());

describe('the sandbox outbox', () => {
  it('answers a browser with a page of clickable KYC links that open the widget', async () => {
    const page = await rawCall(t.url, 'GET', '/_sandbox/outbox', undefined, { accept: BROWSER });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers.vary).toBe('Accept');
    const href = /<a class="kyc-link" href="([^"]+)">Open the KYC page<\/a>/.exec(page.text)?.[1];
    expect(href).toBe(link);
    const widget = await rawCall(new URL(href!).origin, 'GET', new URL(href!).pathname + new URL(href!).search, undefined, { accept: BROWSER });
    expect(widget.status).toBe(200);
    expect(widget.text).toContain('id="pan-form"');
  });

  it('escapes what requests put on the page: the address, and the filter it echoes', async () => {
    const page = await rawCall(t.url, 'GET', `/_sandbox/outbox?to=${encodeURIComponent('<script>alert(1)</script>')}`, undefined, { accept: BROWSER });
    expect(page.text).not.toContain('<script>');
    expect(page.text).toContain('only to &#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page.text).toContain('id="empty"');

    const all = await rawCall(t.url, 'GET', '/_sandbox/outbox', undefined, { accept: BROWSER });
    expect(all.text).toContain(`<td>${email.replace("'", '&#39;')}</td>`);
    expect(all.text).not.toContain(email);
  });

  it('stays JSON for programs: no Accept, */*, or application/json', async () => {
    const bare = await request(`${t.url}/_sandbox/outbox`); // undici sends no Accept header
    expect(bare.headers['content-type']).toMatch(/^application\/json/);
    expect(((await bare.body.json()) as { emails: { to: string }[] }).emails.map((e) => e.to)).toContain(email);
    for (const accept of ['*/*', 'application/json']) {
      const res = await rawCall<{ emails: { to: string; link: string }[] }>(t.url, 'GET', '/_sandbox/outbox', undefined, { accept });
      expect(res.headers['content-type'], accept).toMatch(/^application\/json/);
      expect(res.body.emails.map((e) => e.to)).toContain(email);
    }
    // The demo's and the tests' client reads it as before.
    expect(await t.admin.widgetLink((await rawCall<{ emails: { session_id: string }[] }>(t.url, 'GET', '/_sandbox/outbox')).body.emails[0]!.session_id)).toBe(link);
  });

  it('makes only http(s) links clickable and escapes every field', () => {
    const html = outboxPage(
      [
        { id: '"x', kind: '<b>', to: 'a&b@example.com', subject: '</summary><script>', body: '<img src=x onerror=alert(1)>', link: 'javascript:alert(1)', session_id: '"><i>', created_at: 'now' },
      ],
      {},
    );
    expect(html).not.toMatch(/<script>|<img|<i>|<b>|href="javascript/);
    expect(html).toContain('<td>—</td></tr>');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });
});
