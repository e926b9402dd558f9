/**
 * `XMPPServerProtocol`: the server side of a client-to-server stream (RFC 6120): STARTTLS (required when
 * the server has a certificate), SASL (SCRAM-SHA-256, SCRAM-SHA-1 from stored keys; PLAIN only over TLS),
 * resource binding, then stanzas with their `from` stamped by the server (a client cannot spoof it), IQs to
 * the server answered here (roster, disco, ping, session), and everything else handed to the router.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Failure, maybeDeferred } from '../../defer/index.js';
import type { IDelayedCall, IReactorTime, ITransport, TLSOptions } from '../../internet/interfaces.js';
import { reactor } from '../../internet/reactor.js';
import { isSecure } from '../../internet/capabilities.js';
import { Protocol } from '../../internet/protocol.js';
import { Element, el } from '../element.js';
import { XMPPAuthError, XMPPStreamError } from '../errors.js';
import { JID } from '../jid.js';
import { xmppLimits, type XMPPLimits } from '../limits.js';
import { NS } from '../namespaces.js';
import { checkScramProof } from '../../cred/scram.js';
import { ScramServerExchange, unknownUserScramCredentials, type ScramCredentials } from '../scram-server.js';
import { STREAM_END, XMLStreamParser, streamErrorElement, streamHeader } from '../stream-parser.js';
import { StreamManagementState, type StreamResumption } from './stream-management.js';
import type { IScramLogin, IXMPPAuthenticator, IXMPPRegistrar, IXMPPRouter } from './interfaces.js';
import { stanzaErrorReply } from './router.js';

/** What an XMPP server connection needs. */
export interface XMPPServerOptions {
  /** The domain served (`localhost`). */
  domain: string;
  authenticator: IXMPPAuthenticator;
  router: IXMPPRouter;
  /** Node TLS options (`key`, `cert`) for STARTTLS; without them no STARTTLS is offered. */
  tls?: TLSOptions;
  /** Allow logging in without TLS when `tls` is given (default false: STARTTLS is required). */
  allowCleartext?: boolean;
  /**
   * In-band registration (XEP-0077): creates an account before login. Offered only inside TLS, since the
   * password travels as is. Leave out for none.
   */
  registrar?: IXMPPRegistrar;
  /**
   * Where sessions whose connection dropped wait to be resumed (XEP-0198), shared by the server's
   * connections. Stream management is offered either way; resumption only with it.
   */
  resumption?: StreamResumption<XMPPServerProtocol>;
  /** The clock for the resumption timeout (the global reactor by default). */
  clock?: IReactorTime;
  limits?: Partial<XMPPLimits>;
}

type State = 'tls' | 'auth' | 'checking' | 'bind' | 'bound' | 'detached' | 'closed';

/** One client connection to the server. */
export class XMPPServerProtocol extends Protocol<ITransport> {
  /** The authenticated account, then the bound full JID. */
  account: JID | undefined;
  jid: JID | undefined;
  readonly limits: XMPPLimits;
  readonly domain: string;
  readonly #parser: XMLStreamParser;
  #state: State = 'tls';
  #scram: { exchange: ScramServerExchange; login: IScramLogin } | undefined;
  #authFailures = 0;
  /** Stream management, once the client enabled it. */
  #sm: StreamManagementState | undefined;
  /** On a session's own protocol: the connection that resumed it and carries it now. */
  #carrier: XMPPServerProtocol | undefined;
  /** On a connection that resumed a session: that session's protocol, which handles what arrives. */
  #carried: XMPPServerProtocol | undefined;
  #detachTimer: IDelayedCall | undefined;

  constructor(readonly options: XMPPServerOptions) {
    super();
    this.domain = new JID(undefined, options.domain).domain;
    this.limits = xmppLimits(options.limits);
    this.#parser = new XMLStreamParser({ streamStart: (h) => this.#streamStart(h), element: (e) => this.#element(e), streamEnd: () => this.close() }, this.limits);
  }

  override connectionMade(): void {
    this.#state = this.options.tls && !this.options.allowCleartext && !isSecure(this.transport) ? 'tls' : 'auth';
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#state === 'closed') return;
    try {
      this.#parser.feed(data);
    } catch (e) {
      if (!this.#parser.started) this.transport.write(streamHeader({ from: this.domain, id: newId() }));
      this.#streamError(e instanceof XMPPStreamError ? e.condition : 'internal-server-error');
    }
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const carried = this.#carried;
    this.#carried = undefined;
    if (carried) {
      this.#state = 'closed';
      if (carried.#carrier === this) carried.#connectionGone();
      return;
    }
    this.#connectionGone();
  }

  /** The connection carrying this session is gone: wait for a resumption when one was asked for, else end. */
  #connectionGone(): void {
    this.#carrier = undefined;
    const resumption = this.options.resumption;
    const id = this.#sm?.id;
    if (this.#state === 'bound' && id !== undefined && resumption) {
      this.#state = 'detached';
      resumption.hold(id, this);
      this.#detachTimer = (this.options.clock ?? reactor).callLater(this.limits.resumeTimeout, () => {
        resumption.drop(id);
        this.#end();
      });
      return;
    }
    this.#end();
  }

  /** Ends a session that waits for resumption, now rather than at its timeout (for a shutdown). */
  endDetached(): void {
    if (this.#state !== 'detached') return;
    this.#detachTimer?.cancel();
    this.#end();
  }

  #end(): void {
    this.#detachTimer = undefined;
    this.#state = 'closed';
    if (this.jid) this.options.router.unbind(this.jid);
  }

  /** Writes a stanza to the client (kept until acknowledged when stream management is on, and while detached). */
  deliver(stanza: Element): void {
    if (this.#state !== 'bound' && this.#state !== 'detached') return;
    const xml = stanza.toXML(NS.CLIENT);
    const sm = this.#sm;
    if (sm) {
      sm.sent(xml);
      if (sm.unacked.length > this.limits.maxUnackedStanzas) {
        // A client that acknowledges nothing must not make the server keep everything.
        if (this.#state === 'detached') {
          if (sm.id !== undefined) this.options.resumption?.drop(sm.id);
          this.#detachTimer?.cancel();
          return this.#end();
        }
        return this.#output((p) => p.#streamError('resource-constraint'));
      }
    }
    this.#output((p) => p.transport.write(xml));
    if (sm && sm.unacked.length % this.limits.ackRequestEvery === 0) this.#output((p) => p.transport.write(`<r xmlns="${NS.SM}"/>`));
  }

  /** Runs `write` on the connection that carries this session now, if any. */
  #output(write: (p: XMPPServerProtocol) => void): void {
    const p = this.#carrier ?? (this.#state === 'bound' ? this : undefined);
    if (p?.connected) write(p);
  }

  /** Ends the stream. */
  close(): void {
    if (this.#carrier) return this.#carrier.close();
    if (this.#state === 'closed' || this.#state === 'detached') return;
    this.#state = 'closed';
    // The session this connection resumed ends with it, as one that was never resumed would (not held again).
    if (this.#carried) this.#carried.#state = 'closed';
    this.transport.write(STREAM_END);
    this.transport.loseConnection();
  }

  #streamError(condition: string): void {
    if (this.#state === 'closed') return;
    this.transport.write(streamErrorElement(condition).toXML(NS.CLIENT));
    this.close();
  }

  #streamStart(header: Element): void {
    this.transport.write(streamHeader({ from: this.domain, id: newId() }));
    const to = JID.tryParse(header.getAttribute('to'));
    if (!to || to.domain !== this.domain || to.local !== undefined) return this.#streamError('host-unknown');
    const features = new Element('features', NS.STREAMS);
    if (this.#state === 'tls') features.addElement('starttls', NS.TLS).addElement('required');
    else if (this.#state === 'auth') {
      const mechs = features.addElement('mechanisms', NS.SASL);
      if (this.#scramOffered) for (const m of ['SCRAM-SHA-256', 'SCRAM-SHA-1']) mechs.addElement('mechanism').addContent(m);
      if (isSecure(this.transport) && this.options.authenticator.checkPassword) mechs.addElement('mechanism').addContent('PLAIN');
      if (this.#registrationOffered) features.addElement('register', NS.REGISTER_FEATURE);
    } else if (this.#state === 'bind') {
      features.addElement('bind', NS.BIND);
      features.addElement('session', NS.SESSION).addElement('optional');
      features.addElement('sm', NS.SM);
    }
    this.transport.write(features.toXML(NS.CLIENT));
  }

  #element(e: Element): void {
    try {
      if (this.#state === 'tls') return this.#startTLS(e);
      if (this.#state === 'auth') return this.#auth(e);
      // The client must wait for the outcome of its authentication (RFC 6120 §6.4.6) before sending more.
      if (this.#state === 'checking') return this.#streamError('policy-violation');
      if (this.#carried) return this.#carried.#sessionElement(e);
      if (this.#state === 'bind' && e.namespace === NS.SM && e.name === 'resume') return this.#resume(e);
      if (this.#state === 'bind' && e.namespace === NS.SM) return this.transport.write(smFailed('unexpected-request'));
      if (this.#state === 'bind') {
        if (e.name !== 'iq') return this.#streamError('not-authorized');
        return this.#bind(e);
      }
      this.#sessionElement(e);
    } catch (err) {
      this.#streamError(err instanceof XMPPStreamError ? err.condition : 'internal-server-error');
    }
  }

  /** An element of a bound session, from whichever connection carries it. */
  #sessionElement(e: Element): void {
    if (e.namespace === NS.SM) return this.#streamManagement(e);
    if (e.name !== 'iq' && e.name !== 'message' && e.name !== 'presence') return this.#output((p) => p.#streamError('unsupported-stanza-type'));
    if (this.#sm) this.#sm.inbound++;
    this.#stanza(e);
  }

  /** XEP-0198 §3-4: enable, answer `<r/>`, take `<a/>`. */
  #streamManagement(e: Element): void {
    if (e.name === 'enable') {
      if (this.#sm) return this.#output((p) => p.transport.write(smFailed('unexpected-request')));
      const resume = e.getAttribute('resume');
      this.#sm = new StreamManagementState((resume === 'true' || resume === '1') && this.options.resumption !== undefined);
      const enabled = el('enabled', NS.SM, { id: this.#sm.id, resume: this.#sm.id ? 'true' : undefined, max: this.#sm.id ? String(this.limits.resumeTimeout) : undefined });
      return this.#output((p) => p.transport.write(enabled.toXML(NS.CLIENT)));
    }
    const sm = this.#sm;
    if (!sm) return this.#output((p) => p.transport.write(smFailed('unexpected-request')));
    if (e.name === 'r') return this.#output((p) => p.transport.write(`<a xmlns="${NS.SM}" h="${sm.inbound >>> 0}"/>`));
    if (e.name === 'a' && !sm.acknowledge(Number(e.getAttribute('h')))) this.#output((p) => p.#streamError('undefined-condition'));
  }

  /** XEP-0198 §5: this new connection takes over a detached session of the same account and gets what it missed. */
  #resume(e: Element): void {
    const old = this.options.resumption?.take(e.getAttribute('previd') ?? '');
    if (!old || old.#state !== 'detached' || !old.account?.equals(this.account!) || !old.#sm) {
      if (old) this.options.resumption!.hold(old.#sm!.id!, old);
      return this.transport.write(smFailed('item-not-found'));
    }
    const sm = old.#sm;
    if (!sm.acknowledge(Number(e.getAttribute('h')))) return this.#streamError('undefined-condition');
    old.#detachTimer?.cancel();
    old.#detachTimer = undefined;
    old.#state = 'bound';
    old.#carrier = this;
    this.#carried = old;
    this.jid = old.jid;
    this.#state = 'bound';
    this.transport.write(el('resumed', NS.SM, { previd: sm.id, h: String(sm.inbound >>> 0) }).toXML(NS.CLIENT));
    for (const xml of sm.unacked) this.transport.write(xml);
    if (sm.unacked.length > 0) this.transport.write(`<r xmlns="${NS.SM}"/>`);
  }

  #startTLS(e: Element): void {
    if (e.name !== 'starttls' || e.namespace !== NS.TLS) return this.#streamError('policy-violation');
    const t = this.transport as Partial<{ startTLS(o: TLSOptions, asServer?: boolean): void }>;
    if (typeof t.startTLS !== 'function') {
      this.transport.write(`<failure xmlns="${NS.TLS}"/>`);
      return this.close();
    }
    this.transport.write(`<proceed xmlns="${NS.TLS}"/>`);
    t.startTLS(this.options.tls!, true);
    this.#state = 'auth';
    this.#parser.reset();
  }

  get #scramOffered(): boolean {
    return this.options.authenticator.scramLogin !== undefined || this.options.authenticator.scramCredentials !== undefined;
  }

  get #registrationOffered(): boolean {
    return this.options.registrar !== undefined && isSecure(this.transport);
  }

  #auth(e: Element): void {
    if (e.name === 'iq' && e.getChild('query', NS.REGISTER) && this.#registrationOffered) return this.#register(e);
    if (e.namespace !== NS.SASL) return this.#streamError('not-authorized');
    try {
      if (e.name === 'auth') return this.#authStart(e.getAttribute('mechanism') ?? '', unb64(e.text));
      if (e.name === 'response' && this.#scram) return this.#authFinish(unb64(e.text));
      if (e.name === 'abort') throw new XMPPAuthError('aborted', 'aborted');
      throw new XMPPAuthError('unexpected SASL element', 'malformed-request');
    } catch (err) {
      this.#authFailed(err);
    }
  }

  /** XEP-0077 §3.1 before login: the form, then the account made by the registrar. */
  #register(iq: Element): void {
    const reply = (...children: Element[]) => this.transport.write(el('iq', NS.CLIENT, { type: 'result', id: iq.getAttribute('id') }, ...children).toXML(NS.CLIENT));
    const fail = (condition: string, type: string, text?: string) => {
      const error = el('error', '', { type }, el(condition, NS.STANZA_ERRORS));
      if (text) error.addElement('text', NS.STANZA_ERRORS).addContent(text);
      this.transport.write(el('iq', NS.CLIENT, { type: 'error', id: iq.getAttribute('id') }, error).toXML(NS.CLIENT));
    };
    const query = iq.getChild('query', NS.REGISTER)!;
    if (iq.getAttribute('type') === 'get') return reply(el('query', NS.REGISTER, {}, el('instructions', '', {}, 'Choose a user name and a password.'), el('username'), el('password')));
    if (iq.getAttribute('type') !== 'set') return fail('bad-request', 'modify');
    const username = query.getChildText('username') ?? '';
    const password = query.getChildText('password') ?? '';
    if (!username || !password || !JID.tryParse(`${username}@${this.domain}`)) return fail('not-acceptable', 'modify', 'a user name valid in a JID and a password are needed');
    const peer = (this.transport.getPeer() as { host?: string }).host;
    this.#state = 'checking';
    maybeDeferred(() => this.options.registrar!.register(username, password, peer)).addBoth((outcome) => {
      if (this.#state !== 'checking') return;
      this.#state = 'auth';
      if (!(outcome instanceof Failure)) return reply();
      const err = outcome.value as Error & { condition?: string };
      fail(err.condition ?? 'not-acceptable', err.condition === 'conflict' ? 'cancel' : err.condition === 'resource-constraint' ? 'wait' : 'modify', err.message);
    });
  }

  #authFailed(err: unknown): void {
    this.#scram = undefined;
    const condition = err instanceof XMPPAuthError ? (err.condition ?? 'not-authorized') : 'malformed-request';
    const failure = el('failure', NS.SASL, {}, el(condition));
    if (err instanceof XMPPAuthError && err.text) failure.addElement('text').addContent(err.text);
    this.transport.write(failure.toXML(NS.CLIENT));
    if (++this.#authFailures >= this.limits.maxAuthFailures) this.#streamError('policy-violation');
  }

  #authStart(mechanism: string, data: string): void {
    const auth = this.options.authenticator;
    if ((mechanism === 'SCRAM-SHA-256' || mechanism === 'SCRAM-SHA-1') && this.#scramOffered) {
      const hash = mechanism === 'SCRAM-SHA-1' ? 'sha1' : 'sha256';
      const exchange = new ScramServerExchange();
      const user = exchange.parseClientFirst(data);
      const peer = (this.transport.getPeer() as { host?: string }).host;
      const valid = JID.tryParse(`${user}@${this.domain}`) !== undefined;
      this.#state = 'checking';
      maybeDeferred(() => (valid && auth.scramLogin ? auth.scramLogin(user, hash, peer) : storedScramLogin(hash, user, valid ? auth.scramCredentials?.(user, hash) : undefined))).addBoth((login) => {
        if (this.#state !== 'checking') return;
        this.#state = 'auth';
        if (login instanceof Failure) return this.#authFailed(login.value);
        this.#scram = { exchange, login };
        this.transport.write(el('challenge', NS.SASL, {}, b64(exchange.serverFirst(login.salt, login.iterations))).toXML(NS.CLIENT));
      });
      return;
    }
    if (mechanism === 'PLAIN' && isSecure(this.transport) && auth.checkPassword) {
      const [, user = '', password = ''] = data.split('\0');
      if (!JID.tryParse(`${user}@${this.domain}`)) throw new XMPPAuthError('not a valid user name', 'not-authorized');
      const peer = (this.transport.getPeer() as { host?: string }).host;
      this.#state = 'checking';
      maybeDeferred(() => auth.checkPassword!(user, password, peer)).addBoth((ok) => {
        if (this.#state !== 'checking') return;
        this.#state = 'auth';
        if (ok === true) return this.#authenticated(user, '');
        this.#authFailed(new XMPPAuthError('wrong password', 'not-authorized'));
      });
      return;
    }
    throw new XMPPAuthError(`mechanism ${mechanism} not offered`, 'invalid-mechanism');
  }

  #authFinish(data: string): void {
    const { exchange, login } = this.#scram!;
    const { authMessage, proof } = exchange.parseClientFinal(data);
    this.#scram = undefined;
    this.#state = 'checking';
    maybeDeferred(() => login.check(authMessage, proof)).addBoth((signature) => {
      if (this.#state !== 'checking') return;
      this.#state = 'auth';
      if (signature instanceof Failure) return this.#authFailed(signature.value instanceof XMPPAuthError ? signature.value : new XMPPAuthError('wrong password', 'not-authorized'));
      this.#authenticated(exchange.username, b64(`v=${Buffer.from(signature).toString('base64')}`));
    });
  }

  #authenticated(user: string, additional: string): void {
    this.#scram = undefined;
    this.account = new JID(user, this.domain);
    this.transport.write(el('success', NS.SASL, {}, ...(additional ? [additional] : [])).toXML(NS.CLIENT));
    this.#state = 'bind';
    this.#parser.reset();
  }

  #bind(e: Element): void {
    const bind = e.getChild('bind', NS.BIND);
    if (e.name !== 'iq' || e.getAttribute('type') !== 'set' || !bind) return this.#streamError('not-authorized');
    const result = this.options.router.bind(this.account!, bind.getChildText('resource')?.trim() || undefined, { deliver: (s) => this.deliver(s) });
    if (typeof result === 'string') return this.transport.write(stanzaErrorReply(e, result, result === 'conflict' ? 'cancel' : 'wait').toXML(NS.CLIENT));
    this.jid = result;
    this.#state = 'bound';
    this.deliver(el('iq', NS.CLIENT, { type: 'result', id: e.getAttribute('id') }, el('bind', NS.BIND, {}, el('jid', '', {}, result.toString()))));
  }

  #stanza(e: Element): void {
    const jid = this.jid!;
    // The server, not the client, says who a stanza is from (RFC 6120 §8.1.2.1).
    e.setAttribute('from', jid.toString());
    const to = e.getAttribute('to');
    const toJid = to === undefined ? undefined : JID.tryParse(to);
    if (to !== undefined && toJid === undefined) return this.deliver(stanzaErrorReply(e, 'jid-malformed', 'modify'));
    const forServer = e.name === 'iq' && (toJid === undefined || toJid.toString() === this.domain || toJid.equals(jid.bare()));
    if (forServer) return this.#serverIq(e);
    this.options.router.route(e, { jid, deliver: (s) => this.deliver(s) });
  }

  #serverIq(iq: Element): void {
    const type = iq.getAttribute('type');
    if (type !== 'get' && type !== 'set') return;
    if (this.options.router.serverIq?.(iq, { jid: this.jid!, deliver: (s) => this.deliver(s) })) return;
    const child = iq.elements()[0];
    const reply = (...children: Element[]) => this.deliver(el('iq', NS.CLIENT, { type: 'result', id: iq.getAttribute('id'), from: iq.getAttribute('to'), to: iq.getAttribute('from') }, ...children));
    const ns = child?.namespace;
    if (ns === NS.PING || ns === NS.SESSION) return reply();
    if (ns === NS.ROSTER && type === 'get') return reply(el('query', NS.ROSTER));
    if (ns === NS.DISCO_INFO && type === 'get') {
      return reply(el('query', NS.DISCO_INFO, {}, el('identity', '', { category: 'server', type: 'im', name: 'Torsion' }), ...[NS.DISCO_INFO, NS.DISCO_ITEMS, NS.PING].map((v) => el('feature', '', { var: v }))));
    }
    if (ns === NS.DISCO_ITEMS && type === 'get') return reply(el('query', NS.DISCO_ITEMS));
    this.deliver(stanzaErrorReply(iq, 'service-unavailable'));
  }
}

function smFailed(condition: string): string {
  return el('failed', NS.SM, {}, el(condition, NS.STANZA_ERRORS)).toXML(NS.CLIENT);
}

function newId(): string {
  return randomBytes(12).toString('hex');
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function unb64(text: string): string {
  const t = text.trim();
  return t === '=' ? '' : Buffer.from(t, 'base64').toString('utf8');
}

/** A SCRAM login on keys found at once (`IXMPPAuthenticator.scramCredentials`); an unknown user's fails at the check. */
function storedScramLogin(hash: 'sha1' | 'sha256', user: string, credentials: ScramCredentials | undefined): IScramLogin {
  const keys = credentials ?? unknownUserScramCredentials(hash, user);
  return {
    salt: keys.salt,
    iterations: keys.iterations,
    check: (authMessage, proof) => {
      const signature = checkScramProof(keys, authMessage, proof);
      if (!signature || !credentials) throw new XMPPAuthError('wrong password', 'not-authorized');
      return signature;
    },
  };
}
