/**
 * Small pieces of the client's stanzas: roster items read from a query, IQ error replies, SASL's base64.
 * @module
 */
import { Element, el } from '../element.js';
import { NS } from '../namespaces.js';

/** A roster item (RFC 6121 §2.1.2). */
export interface RosterItem {
  jid: string;
  name: string | undefined;
  subscription: string;
  groups: string[];
}

export function b64(data: Uint8Array): string {
  return data.length === 0 ? '=' : Buffer.from(data).toString('base64');
}

export function unb64(text: string): Uint8Array {
  const t = text.trim();
  return t === '=' ? new Uint8Array() : Buffer.from(t, 'base64');
}

export function rosterItems(query: Element | undefined): RosterItem[] {
  return (query?.elements('item') ?? []).map((i) => ({
    jid: i.getAttribute('jid') ?? '',
    name: i.getAttribute('name'),
    subscription: i.getAttribute('subscription') ?? 'none',
    groups: i.elements('group').map((g) => g.text),
  }));
}

/** An `error` reply to a request, with a defined condition (RFC 6120 §8.3). */
export function errorReply(request: Element, condition: string, type = 'cancel'): Element {
  return el('iq', NS.CLIENT, { type: 'error', id: request.getAttribute('id'), to: request.getAttribute('from') }, el('error', '', { type }, el(condition, NS.STANZA_ERRORS)));
}

