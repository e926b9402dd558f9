/**
 * The server side of SMTP AUTH's SASL exchanges (RFC 4954): PLAIN (RFC 4616) and LOGIN, as a small state
 * machine the server feeds the client's lines to.
 * @module
 */
import { decodeBase64, decodePlain } from '../account.js';

/** What to do after a client line. */
export type AuthStep =
  | { kind: 'challenge'; text: string }
  | { kind: 'done'; username: string; password: string }
  | { kind: 'cancelled' }
  | { kind: 'malformed' };

const USERNAME = Buffer.from('Username:').toString('base64');
const PASSWORD = Buffer.from('Password:').toString('base64');

/** One AUTH exchange, from the `AUTH` command to the credentials. */
export class SMTPAuthExchange {
  #username: string | null = null;

  private constructor(
    readonly mechanism: 'PLAIN' | 'LOGIN',
    readonly initial: string | undefined,
  ) {}

  /** An exchange for `AUTH <arg>`, or the reason the mechanism is refused. */
  static start(arg: string): SMTPAuthExchange | string {
    const [mech = '', initial, extra] = arg.split(' ');
    if (extra !== undefined) return 'Syntax: AUTH mechanism [initial-response]';
    const m = mech.toUpperCase();
    if (m !== 'PLAIN' && m !== 'LOGIN') return `Unsupported mechanism ${JSON.stringify(mech.slice(0, 20))}: use PLAIN or LOGIN`;
    return new SMTPAuthExchange(m, initial);
  }

  /** The first step: using the initial response if the client sent one, else the first challenge. */
  begin(): AuthStep {
    if (this.initial === undefined) return { kind: 'challenge', text: this.mechanism === 'PLAIN' ? '' : USERNAME };
    // RFC 4954 §4: "=" is an empty initial response.
    return this.respond(this.initial === '=' ? '' : this.initial);
  }

  /** The next step after the client's line. */
  respond(line: string): AuthStep {
    if (line === '*') return { kind: 'cancelled' };
    const bytes = decodeBase64(line);
    if (bytes === null) return { kind: 'malformed' };
    if (this.mechanism === 'PLAIN') {
      const plain = decodePlain(line);
      if (plain === null || (plain.authzid !== '' && plain.authzid !== plain.username)) return { kind: 'malformed' };
      return { kind: 'done', username: plain.username, password: plain.password };
    }
    if (this.#username === null) {
      this.#username = bytes.toString('utf8');
      return { kind: 'challenge', text: PASSWORD };
    }
    return { kind: 'done', username: this.#username, password: bytes.toString('utf8') };
  }
}
