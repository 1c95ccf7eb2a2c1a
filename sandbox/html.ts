/** HTML text for the sandbox's pages (the KYC widget, the outbox): every value printed into a page goes through this. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
