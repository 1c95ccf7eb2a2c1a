/**
 * The outbox as a page for a person (GET /_sandbox/outbox from a browser; programs get JSON): newest first, each
 * KYC e-mail's link clickable, the e-mail itself one click away. What it prints comes from requests (customers'
 * names and e-mail addresses, subjects), so every value is escaped, and only an http(s) link becomes a link.
 */
import { escapeHtml as esc } from './html.js';
import type { OutboxEmail, OutboxFilter } from './outbox.js';

function httpLink(link: string | null): string | undefined {
  if (!link) return undefined;
  try {
    const url = new URL(link);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function row(email: OutboxEmail): string {
  const link = httpLink(email.link);
  return `<tr data-id="${esc(email.id)}"${email.session_id ? ` data-session="${esc(email.session_id)}"` : ''}>
<td>${esc(email.created_at)}</td><td>${esc(email.to)}</td><td>${esc(email.kind)}</td>
<td><details><summary>${esc(email.subject)}</summary><pre>${esc(email.body)}</pre></details></td>
<td>${link ? `<a class="kyc-link" href="${esc(link)}">Open the KYC page</a>` : '—'}</td></tr>`;
}

export function outboxPage(emails: OutboxEmail[], filter: OutboxFilter): string {
  const filters = [filter.to ? `to ${esc(filter.to)}` : '', filter.sessionId ? `session ${esc(filter.sessionId)}` : ''].filter(Boolean).join(', ');
  const rows = [...emails].reverse().map(row).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Outbox · Vobiz sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid #ddd}pre{white-space:pre-wrap;margin:.4rem 0}</style>
</head><body><h1>Sandbox outbox</h1>
<p>The e-mails the sandbox "sent" instead of a mail server (KYC links, re-sends, reminders), newest first${filters ? `; only ${filters} (<a href="?">all</a>)` : ''}.
A KYC link opens the widget as the customer would. Programs get this list as JSON (the default without <code>Accept: text/html</code>).</p>
${emails.length === 0 ? '<p id="empty">No e-mails yet: start an onboarding and its KYC e-mail appears here.</p>' : `<table id="outbox"><thead><tr><th>sent</th><th>to</th><th>kind</th><th>subject</th><th>link</th></tr></thead>
<tbody>
${rows}
</tbody></table>`}
</body></html>`;
}
