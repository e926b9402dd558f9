/**
 * The values of the IMAP grammar (RFC 3501 §4, §9) as the command parser hands them on.
 * @module
 */

/** One value of an IMAP command: an atom (flags, sequence sets, fetch attributes), a string, or a list. */
export type IMAPValue =
  | { readonly type: 'atom'; readonly value: string }
  | { readonly type: 'string'; readonly value: Uint8Array; readonly literal: boolean }
  | { readonly type: 'list'; readonly items: readonly IMAPValue[] };

/** One parsed command: `tag NAME args...`; `name` is upper-cased (for `UID FETCH` it is `UID`). */
export interface IMAPCommand {
  readonly tag: string;
  readonly name: string;
  readonly args: readonly IMAPValue[];
}

/** The text of an atom or a string (latin1 for raw bytes, UTF-8 decoded when `utf8`); undefined for a list. */
export function valueText(value: IMAPValue | undefined, utf8 = true): string | undefined {
  if (value === undefined || value.type === 'list') return undefined;
  if (value.type === 'atom') return value.value;
  return utf8 ? new TextDecoder().decode(value.value) : String.fromCharCode(...value.value);
}

/** Quotes `text` as an IMAP quoted string, or as a literal when it holds CR, LF, NUL or 8-bit text (a quoted string is 7-bit). */
export function quoteString(text: string): string {
  if (/[\r\n\0\u0080-\uffff]/.test(text)) return `{${Buffer.byteLength(text)}}\r\n${text}`;
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
