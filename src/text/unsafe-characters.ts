/**
 * Characters free text must not carry, and how the CLI shows them when data carries them anyway. Pure (no
 * imports): the edge's input rules (src/workflows/input.ts) and the CLI's output (src/cli/output.ts) share it.
 *
 * - C0 controls (U+0000-U+001F), DEL (U+007F) and C1 controls (U+0080-U+009F): a terminal obeys them. ESC (and the
 *   C1 CSI/OSC) starts an escape sequence that recolours, moves the cursor, rewrites the window title or clears
 *   the screen, so a customer name could rewrite what an operator reads; CR and BS overwrite what was printed.
 * - Unicode bidirectional controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates, U+200E/U+200F
 *   marks, U+061C the Arabic letter mark): they reorder how text is shown without changing what it is, so a name
 *   can display as another ("Trojan Source", CVE-2021-42574).
 */

const CONTROL = '\\u0000-\\u001f\\u007f-\\u009f';
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[${CONTROL}${BIDI}]`);
const UNSAFE_ALL = new RegExp(`[${CONTROL}${BIDI}]`, 'g');
const UNSAFE_BUT_NEWLINE = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f${BIDI}]`, 'g');
/** What JSON.stringify leaves raw: it escapes C0 controls inside strings itself, and its own line breaks are layout. */
const RAW_IN_JSON = new RegExp(`[\\u007f-\\u009f${BIDI}]`, 'g');

export const UNSAFE_TEXT_RULE =
  'must not contain control characters (U+0000-U+001F, U+007F-U+009F) or Unicode bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)';

export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE.test(text);
}

/** `\x1b` for a control character, `\u202e` for a bidi control: visible, and inert on any terminal. */
function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * The text with every unsafe character written out as an escape (ESC → `\x1b`, U+202E → `\u202e`). With
 * `keepNewlines`, a line feed stays one: tables lay out multi-line cells themselves, and a line feed moves nothing
 * that was already printed.
 */
export function escapeUnsafeCharacters(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(options.keepNewlines ? UNSAFE_BUT_NEWLINE : UNSAFE_ALL, visible);
}

/**
 * JSON as `JSON.stringify` writes it, with the characters it leaves raw (C1 controls, bidi controls) escaped as
 * `\uXXXX` too: the same JSON value, safe to print.
 */
export function escapeJsonText(json: string): string {
  return json.replace(RAW_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
