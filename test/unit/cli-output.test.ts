// What the CLI prints never carries a raw control or bidi character, whatever the data's origin: tables, records,
// plain text and JSON show them as visible escapes, and a table still lines up around them.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput, renderRecord, renderTable } from '../../src/cli/output.js';

// ESC ] 0 ; … BEL retitles the terminal; ESC [ 2 J clears it; CSI (U+009B) is the one-character ESC [; U+202E
// reverses what follows; CR returns to the start of the line and overwrites it.
const HOSTILE = 'Asha\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eelpmaxE\rX';
// Any raw control or bidi character but the line feed.
// eslint-disable-next-line no-control-regex -- the test looks for exactly these characters
const RAW = new RegExp('[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]');

function capture(json: boolean) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: '', err: '' };
  stdout.on('data', (c: Buffer) => (chunks.out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (chunks.err += c.toString('utf8')));
  return { out: createOutput(json, stdout, stderr), chunks };
}

describe('CLI output escapes what it prints', () => {
  it('table cells and headers: escapes shown, columns still aligned', () => {
    const text = renderTable([{ name: HOSTILE, ref: 'acme-1' }], [
      { header: 'name', value: (r) => r.name },
      { header: 'customerRef', value: (r) => r.ref },
    ]);
    expect(text).not.toMatch(RAW);
    expect(text).toContain('Asha\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202eelpmaxE\\x0dX');
    const widths = new Set(text.split('\n').map((line) => line.length));
    expect(widths.size).toBe(1);
  });

  it('records, and multi-line cells keep their line breaks', () => {
    const text = renderRecord([
      ['stage', `blocked (${HOSTILE})`],
      [`field\u001b[8m`, 'line one\nline two'],
    ]);
    expect(text).not.toMatch(RAW);
    expect(text).toContain('field\\x1b[8m');
    expect(text).toMatch(/line one[^\n]*\n[^\n]*line two/);
  });

  it('plain text and notes are escaped; JSON stays valid JSON with the same value', () => {
    const text = capture(false);
    text.out.data({}, () => `offboard done for acme-1: ${HOSTILE}`);
    text.out.note(`more: ${HOSTILE}`);
    expect(text.chunks.out).not.toMatch(RAW);
    expect(text.chunks.err).not.toMatch(RAW);
    expect(text.chunks.out).toContain('\\x1b]0;pwned');

    const json = capture(true);
    json.out.data({ name: HOSTILE }, () => 'unused');
    expect(json.chunks.out).not.toMatch(RAW);
    expect(json.chunks.out).toContain('\\u202e');
    expect((JSON.parse(json.chunks.out) as { name: string }).name).toBe(HOSTILE);
  });
});
