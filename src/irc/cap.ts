/**
 * IRCv3 capability negotiation (CAP LS 302 / REQ / ACK / NAK / END, plus cap-notify's NEW and DEL) and SASL
 * PLAIN, as the client runs them while registering.
 * @module
 */
import type { IRCMessage } from './message.js';
import { saslPlainPayloads } from './sasl.js';

/** What negotiation needs from the client. */
export interface CapHost {
  /** Capabilities to ask for when offered. */
  capabilities: readonly string[];
  /** SASL PLAIN credentials, when the client should log in. */
  sasl?: { username: string; password: string } | undefined;
  sendCommand(command: string, ...params: string[]): void;
  saslSucceeded(account: string | undefined): void;
  saslFailed(reason: string): void;
}

/** Where negotiation stands. */
export type CapState = 'idle' | 'ls' | 'req' | 'sasl' | 'done';

/** Parses a capability list (`a b=c`) into name → value. */
function parseCaps(list: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list.split(' ')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    out.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
  }
  return out;
}

/** One connection's capability negotiation. */
export class CapNegotiation {
  state: CapState = 'idle';
  /** What the server offers, with values (`sasl` → `PLAIN,EXTERNAL`). */
  readonly offered = new Map<string, string>();
  /** What the server acknowledged. */
  readonly enabled = new Set<string>();
  #pending = new Set<string>();
  #account: string | undefined;

  constructor(readonly host: CapHost) {}

  /** Sends `CAP LS 302`, which holds registration until `CAP END`. */
  start(): void {
    this.state = 'ls';
    this.host.sendCommand('CAP', 'LS', '302');
  }

  /** Registration finished without negotiation (the server ignored CAP). */
  abandon(): void {
    this.state = 'done';
  }

  /** Handles a CAP message from the server. */
  capReceived(msg: IRCMessage): void {
    const sub = (msg.params[1] ?? '').toUpperCase();
    const more = msg.params.length > 3 && msg.params[2] === '*';
    const list = parseCaps(msg.params[msg.params.length - 1] ?? '');
    switch (sub) {
      case 'LS':
        for (const [k, v] of list) this.offered.set(k, v);
        if (!more && this.state === 'ls') this.#request();
        break;
      case 'ACK':
        for (const name of list.keys()) {
          if (name.startsWith('-')) this.enabled.delete(name.slice(1));
          else this.enabled.add(name);
          this.#pending.delete(name);
        }
        if (this.state === 'req' && this.#pending.size === 0) this.#afterAck();
        break;
      case 'NAK':
        for (const name of list.keys()) this.#pending.delete(name);
        if (this.state === 'req' && this.#pending.size === 0) this.#afterAck();
        break;
      case 'NEW': {
        for (const [k, v] of list) this.offered.set(k, v);
        const wanted = [...list.keys()].filter((k) => this.host.capabilities.includes(k) && !this.enabled.has(k));
        if (this.state === 'done' && wanted.length > 0) this.host.sendCommand('CAP', 'REQ', wanted.join(' '));
        break;
      }
      case 'DEL':
        for (const name of list.keys()) {
          this.offered.delete(name);
          this.enabled.delete(name);
        }
        break;
    }
  }

  /** Handles `AUTHENTICATE +`: the server is ready for the credentials. */
  authenticateReceived(msg: IRCMessage): void {
    const sasl = this.host.sasl;
    if (this.state !== 'sasl' || msg.params[0] !== '+' || !sasl) return;
    for (const chunk of saslPlainPayloads(sasl.username, sasl.password)) this.host.sendCommand('AUTHENTICATE', chunk);
  }

  /** RPL_LOGGEDIN: remembers the account name for `saslSucceeded`. */
  loggedIn(account: string | undefined): void {
    this.#account = account;
  }

  /** The SASL exchange ended (903 success; 902, 904–907 failure). */
  saslFinished(success: boolean, reason: string): void {
    if (this.state !== 'sasl') return;
    this.#end();
    if (success) this.host.saslSucceeded(this.#account);
    else this.host.saslFailed(reason);
  }

  #wanted(): string[] {
    const wanted = this.host.capabilities.filter((c) => this.offered.has(c) && c !== 'sasl');
    const mechs = this.offered.get('sasl');
    if (this.host.sasl && mechs !== undefined && (mechs === '' || mechs.split(',').includes('PLAIN'))) wanted.push('sasl');
    return wanted;
  }

  #request(): void {
    const wanted = this.#wanted();
    if (wanted.length === 0) {
      if (this.host.sasl) this.host.saslFailed('the server does not offer SASL PLAIN');
      this.#end();
      return;
    }
    this.state = 'req';
    this.#pending = new Set(wanted);
    this.host.sendCommand('CAP', 'REQ', wanted.join(' '));
  }

  #afterAck(): void {
    if (this.host.sasl && this.enabled.has('sasl')) {
      this.state = 'sasl';
      this.host.sendCommand('AUTHENTICATE', 'PLAIN');
      return;
    }
    if (this.host.sasl) this.host.saslFailed('the server refused the sasl capability');
    this.#end();
  }

  #end(): void {
    this.state = 'done';
    this.host.sendCommand('CAP', 'END');
  }
}
