/**
 * CTCP (client-to-client protocol): queries and replies carried in PRIVMSG and NOTICE text between `\x01`
 * delimiters, like `\x01ACTION waves\x01`.
 * @module
 */

/** The CTCP delimiter. */
export const X_DELIM = '\x01';

/** What a message's text holds: CTCP messages (tag and data) and the ordinary text around them. */
export interface CTCPExtract {
  extended: Array<[tag: string, data: string]>;
  normal: string;
}

/**
 * Separates the CTCP messages from the ordinary text. An unterminated CTCP message runs to the end of the
 * text, as clients send `\x01ACTION waves` without the closing delimiter.
 *
 * @example ctcpExtract('\x01VERSION\x01') // { extended: [['VERSION', '']], normal: '' }
 */
export function ctcpExtract(text: string): CTCPExtract {
  const extended: Array<[string, string]> = [];
  let normal = '';
  const parts = text.split(X_DELIM);
  parts.forEach((part, i) => {
    if (i % 2 === 0) {
      normal += part;
      return;
    }
    if (part === '') return;
    const space = part.indexOf(' ');
    extended.push(space < 0 ? [part.toUpperCase(), ''] : [part.slice(0, space).toUpperCase(), part.slice(space + 1)]);
  });
  return { extended, normal };
}

/** True when `text` holds a CTCP message. */
export function isCTCP(text: string): boolean {
  return text.includes(X_DELIM);
}

/**
 * The text of CTCP messages, each `\x01TAG data\x01`.
 * @example ctcpQuote([['ACTION', 'waves']]) // '\x01ACTION waves\x01'
 */
export function ctcpQuote(messages: ReadonlyArray<readonly [tag: string, data?: string]>): string {
  return messages.map(([tag, data]) => `${X_DELIM}${tag}${data ? ` ${data.replaceAll(X_DELIM, '')}` : ''}${X_DELIM}`).join('');
}
