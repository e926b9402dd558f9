/**
 * IRCv3 labeled-response: what a command carrying `@label=...` makes the server send back to its sender is
 * gathered while the command runs, then sent labeled: one line with the `label` tag, several in a
 * `labeled-response` batch (or each labeled, for a client without `batch`), none as a labeled `ACK`. A
 * command whose only reply is an echo waiting for the database (echo-message) gets that echo labeled when it
 * comes; other output that comes later (a password check, a history read) is sent unlabeled, as the
 * specification allows.
 * @module
 */
import { IRC_MAX_LABEL_BYTES } from '../../irc/limits.js';
import { escapeTagValue } from '../../irc/tags.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let batchSeq = 0;

/** The label of a command, if it has a usable one (non-empty, at most `IRC_MAX_LABEL_BYTES`). */
export function labelOf(tags: Record<string, string>): string | undefined {
  const label = tags.label;
  if (label === undefined || label === '' || encoder.encode(label).length > IRC_MAX_LABEL_BYTES) return undefined;
  return label;
}

/** `line` (wire bytes, CRLF included) with `tag` (`key=value`, escaped) added in front of its tags. */
export function withTag(line: Uint8Array, tag: string): Uint8Array {
  const text = decoder.decode(line);
  return encoder.encode(text.startsWith('@') ? `@${tag};${text.slice(1)}` : `@${tag} ${text}`);
}

/** `line` with the `label` tag added: an echo that was waiting for the store, the one reply of its command. */
export function withLabel(line: Uint8Array, label: string): Uint8Array {
  return withTag(line, `label=${escapeTagValue(label)}`);
}

/**
 * The labeled form of the lines `out` a command with `label` caused, from server `serverName`. Several lines
 * go in a batch when the client enabled `batch`; otherwise each carries the label.
 */
export function labeledResponse(label: string, out: readonly Uint8Array[], serverName: string, batch: boolean): Uint8Array[] {
  const tag = `label=${escapeTagValue(label)}`;
  if (out.length === 0) return [encoder.encode(`@${tag} :${serverName} ACK\r\n`)];
  if (out.length === 1 || !batch) return out.map((line) => withTag(line, tag));
  const id = `L${(++batchSeq).toString(36)}`;
  return [
    encoder.encode(`@${tag} :${serverName} BATCH +${id} labeled-response\r\n`),
    ...out.map((line) => withTag(line, `batch=${id}`)),
    encoder.encode(`:${serverName} BATCH -${id}\r\n`),
  ];
}
