/**
 * How the IRC door carries the service's message kinds: `message` as PRIVMSG, `notice` as NOTICE, and
 * `action` as a PRIVMSG holding CTCP ACTION (`\x01ACTION waves\x01`), which is how IRC clients send `/me`.
 * The service itself never sees CTCP framing for actions.
 * @module
 */
import type { ChatMessage, MessageKind } from '../index.js';

// eslint-disable-next-line no-control-regex
const ACTION = /^\x01ACTION (.*?)\x01?$/s;

/** The IRC command a message kind travels as. */
export type MessageCommand = 'PRIVMSG' | 'NOTICE';

/**
 * The service's kind and text of a PRIVMSG or NOTICE. A PRIVMSG that is one CTCP ACTION with text becomes
 * an `action` (clients may leave out the closing `\x01`); other CTCP stays opaque text of a `message`.
 */
export function kindFromWire(command: MessageCommand, text: string): { kind: MessageKind; text: string } {
  if (command === 'NOTICE') return { kind: 'notice', text };
  const action = ACTION.exec(text);
  if (action && action[1] !== '') return { kind: 'action', text: action[1]! };
  return { kind: 'message', text };
}

/** The command and text that carry `message` on IRC (the inverse of {@link kindFromWire}). */
export function wireOf(message: Pick<ChatMessage, 'kind' | 'text'>): { command: MessageCommand; text: string } {
  switch (message.kind) {
    case 'notice':
      return { command: 'NOTICE', text: message.text };
    case 'action':
      return { command: 'PRIVMSG', text: `\x01ACTION ${message.text}\x01` };
    default:
      return { command: 'PRIVMSG', text: message.text };
  }
}
