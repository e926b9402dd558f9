/**
 * `XMPPClient`: the client side of an XMPP stream (RFC 6120/6121) over any transport. It negotiates
 * STARTTLS (certificate verification on unless told otherwise), SASL (SCRAM-SHA-256, SCRAM-SHA-1, PLAIN over
 * TLS only) and resource binding, then offers IQ requests as Deferreds, roster, presence, messages, service
 * discovery, ping and MUC joins. Time comes from the clock it is given.
 * @module
 */
import { Deferred, maybeDeferred } from '../../defer/index.js';
import type { Failure } from '../../defer/index.js';
import type { IDelayedCall, IReactorTime, ITransport, TLSOptions } from '../../internet/interfaces.js';
import { isSecure } from '../../internet/capabilities.js';
import { Protocol } from '../../internet/protocol.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { Element, el } from '../element.js';
import { XMPPAuthError, XMPPNegotiationError, XMPPNotConnectedError, XMPPStreamError, XMPPStreamManagementError } from '../errors.js';
import { JID } from '../jid.js';
import { xmppLimits, type XMPPLimits } from '../limits.js';
import { NS } from '../namespaces.js';
import { chooseMechanism, PlainMechanism, type SASLMechanism } from '../sasl.js';
import { STREAM_END, XMLStreamParser, streamErrorElement, streamHeader } from '../stream-parser.js';
import { IqTracker } from './iq-tracker.js';
import { b64, errorReply, rosterItems, unb64, type RosterItem } from './stanzas.js';
import { ClientStreamManagement, type UnackedStanza } from './stream-management.js';

export { errorReply, type RosterItem } from './stanzas.js';

/** How `XMPPClient` connects and logs in. */
export interface XMPPClientOptions {
  /** The account: `user@domain` (a resource here is asked for when binding). */
  jid: string | JID;
  password: string;
  /** The resource to ask for (default: the JID's, else the server picks). */
  resource?: string;
  /** Time for IQ timeouts and keepalives (default: the reactor). */
  clock?: IReactorTime;
  /** Refuse to log in without TLS (default true). */
  requireTLS?: boolean;
  /** Node TLS options for STARTTLS (`ca` for a private CA); `servername` defaults to the domain, verification is on. */
  tlsOptions?: TLSOptions;
  /** Let PLAIN send the password over a connection without TLS (default false; tests only). */
  allowPlainInClear?: boolean;
  limits?: Partial<XMPPLimits>;
  /** Negotiate stream management with resumption (XEP-0198) when the server offers it (default true). */
  streamManagement?: boolean;
  /**
   * Opens a new connection for automatic reconnection: connect, then `client.makeConnection(transport)`, e.g.
   * `(c) => connectProtocol(endpoint, c)`. A failed Deferred or Promise counts as a failed attempt. Without it
   * the client does not reconnect.
   */
  reconnect?: (client: XMPPClient) => unknown;
  /** Reconnect automatically when an established session's connection drops (default true when `reconnect` is given). */
  autoReconnect?: boolean;
}

/** Stream errors after which trying again may work (RFC 6120 §4.9.3); any other ends the client for good. */
const TRANSIENT_CONDITIONS = new Set(['connection-timeout', 'internal-server-error', 'remote-connection-failed', 'reset', 'system-shutdown']);
const ACK_REQUEST = `<r xmlns="${NS.SM}"/>`;

type Phase = 'connecting' | 'tls' | 'auth' | 'bind' | 'resume' | 'ready' | 'closed';

/**
 * An XMPP client connection. Override the hooks (`sessionStarted`, `messageReceived`, `presenceReceived`,
 * `rosterPushed`, `iqReceived`, `streamFailed`) or use `ready` and `addObserver`.
 *
 * @example
 * const client = new XMPPClient({ jid: 'juliet@example.com', password: 's3cret' });
 * reactor.connectTCP('127.0.0.1', 5222, ClientFactory.forProtocol(() => client));
 * const jid = await client.ready;
 * client.sendMessage('romeo@example.com', 'Hello');
 */
export class XMPPClient extends Protocol<ITransport> {
  /** Fires with the bound full JID once the session is up; fails if negotiation fails. */
  readonly ready = new Deferred<JID>();
  /** The bound JID, once bound. */
  jid: JID | undefined;
  /** The SASL mechanism used to log in, once chosen. */
  get saslMechanism(): string | undefined {
    return this.#mechanism?.name;
  }
  /** The error that ended the stream, if one did. */
  streamError: Error | undefined;
  readonly limits: XMPPLimits;
  readonly #account: JID;
  readonly #clock: IReactorTime;
  readonly #parser: XMLStreamParser;
  readonly #iqs: IqTracker;
  readonly #observers = new Set<{ match: (e: Element) => boolean; callback: (e: Element) => void }>();
  #phase: Phase = 'connecting';
  #mechanism: SASLMechanism | undefined;
  #saslSteps = 0;
  /** A SCRAM login that fails as `not-authorized` is tried once more with PLAIN (offered, and over TLS). */
  #plainFallback = false;
  #keepalive: IDelayedCall | undefined;
  /** Stream management of the current session, once asked for. */
  #sm: ClientStreamManagement | undefined;
  #smOffered = false;
  /** True from a dropped connection until a session is up again (or the client gives up). */
  #reconnecting = false;
  #reconnectTimer: IDelayedCall | undefined;
  #attempts = 0;
  #closing = false;
  /** The last broadcast presence sent, re-sent in a fresh session. */
  #lastPresence: string | undefined;
  /** Messages the old session never acknowledged, sent again once a fresh session is up. */
  #resend: UnackedStanza[] = [];

  constructor(readonly options: XMPPClientOptions) {
    super();
    this.#account = typeof options.jid === 'string' ? JID.parse(options.jid) : options.jid;
    if (this.#account.local === undefined) throw new XMPPNegotiationError('the client JID needs a localpart');
    this.#clock = options.clock ?? defaultReactor();
    this.limits = xmppLimits(options.limits);
    this.#iqs = new IqTracker(this.#clock, 'torsion-', this.limits.maxPendingIqs);
    this.#parser = new XMLStreamParser({
      streamStart: () => {},
      element: (e) => this.#element(e),
      streamEnd: () => this.#close(new XMPPNotConnectedError('the server closed the stream')),
    }, this.limits);
  }

  override connectionMade(): void {
    this.#phase = 'connecting';
    this.#mechanism = undefined;
    this.#saslSteps = 0;
    this.#plainFallback = false;
    this.#smOffered = false;
    this.streamError = undefined;
    this.#openStream();
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#phase === 'closed') return;
    try {
      this.#parser.feed(data);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (err instanceof XMPPStreamError && !err.text) this.transport.write(streamErrorElement(err.condition).toXML(NS.CLIENT));
      this.#close(err);
    }
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#stopKeepalive();
    const err = this.streamError ?? new XMPPNotConnectedError(`the connection ended: ${reason.getErrorMessage()}`);
    this.#phase = 'closed';
    const transient = err instanceof XMPPNotConnectedError || (err instanceof XMPPStreamError && TRANSIENT_CONDITIONS.has(err.condition));
    const enabled = this.options.reconnect !== undefined && this.options.autoReconnect !== false;
    // Only a session that was once up reconnects: a first login that fails is the caller's to see.
    if (enabled && transient && !this.#closing && this.jid !== undefined) {
      if (this.#sm?.id === undefined) this.#freshSession(err);
      return this.#scheduleReconnect(err);
    }
    this.#giveUp(err);
  }

  /** Stanzas sent and not acknowledged by the server yet (XEP-0198), as XML, oldest first. */
  get unacknowledged(): string[] {
    return (this.#sm?.unacked ?? []).map((s) => s.xml);
  }

  /** True when stream management is on for this session and the server allowed resumption. */
  get resumable(): boolean {
    return this.#sm?.id !== undefined;
  }

  #giveUp(err: Error): void {
    this.#reconnecting = false;
    this.#sm = undefined;
    this.#iqs.failAll(err);
    if (!this.ready.called) this.ready.errback(err);
  }

  /** The old session is gone for good: its IQs fail, its unacknowledged messages wait for the next session. */
  #freshSession(reason: Error): void {
    const left = this.#sm?.drain().filter((s) => s.name === 'message') ?? [];
    this.#resend.push(...left.slice(0, Math.max(0, this.limits.maxUnackedStanzas - this.#resend.length)));
    this.#sm = undefined;
    this.#iqs.failAll(reason);
  }

  #scheduleReconnect(reason: Error): void {
    this.#reconnecting = true;
    this.#attempts++;
    const max = this.limits.maxReconnectAttempts;
    if (max > 0 && this.#attempts > max) {
      const err = new XMPPStreamManagementError(`gave up reconnecting after ${max} failed attempts: ${reason.message}`);
      this.streamError = err;
      this.streamFailed(err);
      return this.#giveUp(err);
    }
    const delay = Math.min(this.limits.reconnectDelay * 2 ** (this.#attempts - 1), this.limits.reconnectMaxDelay);
    this.reconnecting(this.#attempts, delay, reason);
    this.#reconnectTimer = this.#clock.callLater(delay, () => {
      this.#reconnectTimer = undefined;
      maybeDeferred(() => this.options.reconnect!(this)).addErrback((f) => {
        // A connection that was made and lost schedules its own next attempt.
        if (this.#reconnecting && !this.connected && this.#reconnectTimer === undefined && !this.#closing) this.#scheduleReconnect(f.value instanceof Error ? f.value : new Error(f.getErrorMessage()));
      });
    });
  }

  /** Writes a stanza (an `Element` or raw XML text you built safely). */
  send(stanza: Element | string): void {
    const xml = typeof stanza === 'string' ? stanza : stanza.toXML(NS.CLIENT);
    const sm = this.#sm;
    if (this.#reconnecting) {
      // Kept for the resumed session, which sends everything the server has not acknowledged.
      if (sm?.id === undefined || this.#closing) throw new XMPPNotConnectedError('the stream is closed and being reopened without resumption');
      sm.sent(xml);
      return this.#notePresence(stanza);
    }
    if (!this.connected || this.#phase === 'closed') throw new XMPPNotConnectedError('the stream is closed');
    if (sm && this.#phase === 'ready') sm.sent(xml);
    this.transport.write(xml);
    this.#notePresence(stanza);
    if (sm && sm.sinceRequest >= this.limits.ackRequestEvery) this.#requestAck(sm);
    this.#armKeepalive();
  }

  #notePresence(stanza: Element | string): void {
    if (typeof stanza === 'string' || stanza.name !== 'presence' || stanza.getAttribute('to') !== undefined) return;
    const type = stanza.getAttribute('type');
    if (type === undefined) this.#lastPresence = stanza.toXML(NS.CLIENT);
    else if (type === 'unavailable') this.#lastPresence = undefined;
  }

  #requestAck(sm: ClientStreamManagement): void {
    sm.sinceRequest = 0;
    this.transport.write(ACK_REQUEST);
  }

  /** Sends an IQ `get`/`set` and returns the Deferred of its `result` (fails with `XMPPStanzaError`, or `XMPPTimeoutError`). */
  sendIq(iq: Element, timeout = this.limits.iqTimeout): Deferred<Element> {
    if ((!this.connected || this.#phase === 'closed') && !(this.#reconnecting && this.#sm?.id !== undefined)) {
      const d = new Deferred<Element>();
      d.errback(new XMPPNotConnectedError('the stream is closed'));
      return d;
    }
    const d = this.#iqs.track(iq, timeout);
    if (!d.called) this.send(iq);
    return d;
  }

  /** Calls `callback` for every incoming stanza `match` accepts (Twisted's `addObserver`); returns a function removing it. */
  addObserver(match: (e: Element) => boolean, callback: (e: Element) => void): () => void {
    const o = { match, callback };
    this.#observers.add(o);
    return () => this.#observers.delete(o);
  }

  /** Sends a message (`type` chat by default). */
  sendMessage(to: string | JID, body: string, type = 'chat'): void {
    this.send(el('message', NS.CLIENT, { to: String(to), type }, el('body', '', {}, body)));
  }

  /** Sends presence: available by default, or `type` (`unavailable`, `subscribe`, ...), with `show`/`status`. */
  sendPresence(options: { to?: string | JID; type?: string; show?: string; status?: string; children?: Element[] } = {}): void {
    const p = el('presence', NS.CLIENT, { to: options.to === undefined ? undefined : String(options.to), type: options.type });
    if (options.show) p.addElement('show').addContent(options.show);
    if (options.status) p.addElement('status').addContent(options.status);
    for (const c of options.children ?? []) p.addElement(c);
    this.send(p);
  }

  /** Fetches the roster. */
  getRoster(): Deferred<RosterItem[]> {
    return this.sendIq(el('iq', NS.CLIENT, { type: 'get' }, el('query', NS.ROSTER))).addCallback((r) => rosterItems(r.getChild('query', NS.ROSTER)));
  }

  /** Adds or updates a roster item. */
  setRosterItem(jid: string | JID, name?: string, groups: string[] = []): Deferred<Element> {
    const item = el('item', '', { jid: String(jid), name }, ...groups.map((g) => el('group', '', {}, g)));
    return this.sendIq(el('iq', NS.CLIENT, { type: 'set' }, el('query', NS.ROSTER, {}, item)));
  }

  /** Removes a roster item. */
  removeRosterItem(jid: string | JID): Deferred<Element> {
    return this.sendIq(el('iq', NS.CLIENT, { type: 'set' }, el('query', NS.ROSTER, {}, el('item', '', { jid: String(jid), subscription: 'remove' }))));
  }

  /** Service discovery (XEP-0030): the identities and features of `to`. */
  discoInfo(to: string | JID, node?: string): Deferred<{ identities: Array<Record<string, string>>; features: string[] }> {
    return this.sendIq(el('iq', NS.CLIENT, { type: 'get', to: String(to) }, el('query', NS.DISCO_INFO, { node }))).addCallback((r) => {
      const q = r.getChild('query', NS.DISCO_INFO);
      return { identities: (q?.elements('identity') ?? []).map((i) => ({ ...i.attributes })), features: (q?.elements('feature') ?? []).map((f) => f.getAttribute('var') ?? '') };
    });
  }

  /** Service discovery (XEP-0030): the items of `to`. */
  discoItems(to: string | JID, node?: string): Deferred<Array<{ jid: string; name?: string; node?: string }>> {
    return this.sendIq(el('iq', NS.CLIENT, { type: 'get', to: String(to) }, el('query', NS.DISCO_ITEMS, { node }))).addCallback((r) =>
      (r.getChild('query', NS.DISCO_ITEMS)?.elements('item') ?? []).map((i) => ({ jid: i.getAttribute('jid') ?? '', name: i.getAttribute('name'), node: i.getAttribute('node') })),
    );
  }

  /** XEP-0199 ping (the server by default). */
  ping(to?: string | JID): Deferred<Element> {
    return this.sendIq(el('iq', NS.CLIENT, { type: 'get', to: to === undefined ? this.#account.domain : String(to) }, el('ping', NS.PING)));
  }

  /** Joins a multi-user chat room (XEP-0045) under `nick`; the room's presences arrive through `presenceReceived`. */
  joinRoom(room: string | JID, nick: string): void {
    const roomJid = typeof room === 'string' ? JID.parse(room) : room;
    this.sendPresence({ to: new JID(roomJid.local, roomJid.domain, nick), children: [el('x', NS.MUC)] });
  }

  /** Sends a groupchat message to a room. */
  sendGroupMessage(room: string | JID, body: string): void {
    this.sendMessage(room, body, 'groupchat');
  }

  /** Closes the stream politely. */
  close(): void {
    this.#closing = true;
    if (this.#reconnectTimer?.active()) this.#reconnectTimer.cancel();
    this.#reconnectTimer = undefined;
    if (this.#reconnecting && !this.connected) this.#giveUp(new XMPPNotConnectedError('the client was closed while reconnecting'));
    if (!this.connected || this.#phase === 'closed') return;
    this.transport.write(STREAM_END);
    this.#close(undefined);
  }

  /** Hook: a dropped session was resumed (XEP-0198); what the server had not acknowledged was sent again. */
  sessionResumed(): void {}
  /** Hook: the connection dropped (`reason`) and attempt number `attempt` to reconnect starts in `delay` seconds. */
  reconnecting(_attempt: number, _delay: number, _reason: Error): void {}
  /** Hook: the session is up (bound), the first time and after each reconnection that could not resume. */
  sessionStarted(_jid: JID): void {}
  /** Hook: a message arrived. */
  messageReceived(_message: Element): void {}
  /** Hook: a presence arrived. */
  presenceReceived(_presence: Element): void {}
  /** Hook: the server pushed a roster change (already acknowledged). */
  rosterPushed(_items: RosterItem[]): void {}
  /**
   * Hook: an IQ `get`/`set` arrived that nothing else handled; return an answer, or undefined to answer
   * `service-unavailable` (RFC 6120 §8.4).
   */
  iqReceived(_iq: Element): Element | undefined {
    return undefined;
  }
  /** Hook: the stream ended with an error. */
  streamFailed(_error: Error): void {}

  #openStream(): void {
    this.#parser.reset();
    // The account name goes in the header only once TLS hides it (RFC 6120 §4.7.1).
    const from = isSecure(this.transport) ? this.#account.bare().toString() : undefined;
    this.transport.write(streamHeader({ to: this.#account.domain, from }));
  }

  #close(err: Error | undefined): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#stopKeepalive();
    if (err) {
      this.streamError = err;
      this.streamFailed(err);
    }
    const reason = err ?? new XMPPNotConnectedError('the stream was closed');
    this.#iqs.failAll(reason);
    if (!this.ready.called) this.ready.errback(reason);
    this.transport.loseConnection();
  }

  #fail(err: Error): void {
    this.transport.write(STREAM_END);
    this.#close(err);
  }

  #element(e: Element): void {
    if (e.namespace === NS.STREAMS && e.name === 'error') {
      const condition = e.elements().find((c) => c.namespace === NS.STREAM_ERRORS && c.name !== 'text')?.name ?? 'undefined-condition';
      this.#close(new XMPPStreamError(condition, `the server sent a stream error: ${condition}`, e.getChildText('text', NS.STREAM_ERRORS) ?? condition));
      return;
    }
    try {
      if (this.#phase === 'ready' && e.namespace === NS.SM) this.#smElement(e);
      else if (this.#phase === 'ready') {
        if (e.name === 'message' || e.name === 'presence' || e.name === 'iq') this.#sm?.received();
        this.#stanza(e);
      } else this.#negotiate(e);
    } catch (err) {
      this.#fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #negotiate(e: Element): void {
    if (e.namespace === NS.STREAMS && e.name === 'features') return this.#features(e);
    if (e.namespace === NS.TLS && e.name === 'proceed' && this.#phase === 'tls') {
      const t = this.transport as Partial<{ startTLS(o: TLSOptions, asServer?: boolean): void }>;
      t.startTLS!({ servername: this.#account.domain, rejectUnauthorized: true, ...this.options.tlsOptions }, false);
      this.#phase = 'connecting';
      this.#openStream();
      return;
    }
    if (e.namespace === NS.TLS && e.name === 'failure') throw new XMPPNegotiationError('the server refused STARTTLS');
    if (e.namespace === NS.SASL && this.#phase === 'auth' && this.#mechanism) return this.#sasl(e, this.#mechanism);
    if (e.namespace === NS.SM && this.#phase === 'resume' && this.#sm) return this.#resumeAnswer(e, this.#sm);
    if (e.name === 'iq' && this.#phase === 'bind') {
      if (this.#iqs.answer(e, () => true)) return;
    }
    throw new XMPPNegotiationError(`unexpected <${e.name}/> during stream negotiation`);
  }

  #features(features: Element): void {
    const secure = isSecure(this.transport);
    const starttls = features.getChild('starttls', NS.TLS);
    if (!secure && starttls && typeof (this.transport as { startTLS?: unknown }).startTLS === 'function') {
      this.#phase = 'tls';
      this.transport.write(el('starttls', NS.TLS).toXML());
      return;
    }
    if (!secure && this.options.requireTLS !== false) throw new XMPPNegotiationError('the server offers no STARTTLS and TLS is required');
    const mechanisms = features.getChild('mechanisms', NS.SASL);
    if (mechanisms && this.#phase !== 'bind') {
      const offered = mechanisms.elements('mechanism').map((m) => m.text.trim());
      const mech = chooseMechanism(offered, { username: this.#account.local!, password: this.options.password }, secure, this.options.allowPlainInClear, this.limits.maxScramIterations);
      if (!mech) throw new XMPPNegotiationError(`no usable SASL mechanism among ${offered.join(', ') || 'none'}`);
      this.#plainFallback = mech.name !== 'PLAIN' && offered.includes('PLAIN') && (secure || this.options.allowPlainInClear === true);
      this.#authenticate(mech);
      return;
    }
    this.#smOffered = features.getChild('sm', NS.SM) !== undefined;
    if (this.#phase === 'bind' && this.#smOffered && this.#sm?.id !== undefined) {
      this.#phase = 'resume';
      this.transport.write(el('resume', NS.SM, { previd: this.#sm.id, h: String(this.#sm.inbound) }).toXML());
      return;
    }
    if (features.getChild('bind', NS.BIND) && this.#phase === 'bind') {
      if (this.#sm) this.#freshSession(new XMPPStreamManagementError('the server no longer offers stream management: the session was lost'));
      return this.#bind();
    }
    throw new XMPPNegotiationError('the server offers neither SASL nor resource binding');
  }

  #authenticate(mech: SASLMechanism): void {
    this.#mechanism = mech;
    this.#saslSteps = 0;
    this.#phase = 'auth';
    this.transport.write(el('auth', NS.SASL, { mechanism: mech.name }, b64(mech.initialResponse())).toXML());
  }

  #sasl(e: Element, mech: SASLMechanism): void {
    if (e.name === 'challenge') {
      if (++this.#saslSteps > this.limits.maxSaslSteps) throw new XMPPAuthError(`more than ${this.limits.maxSaslSteps} SASL challenges`);
      this.transport.write(el('response', NS.SASL, {}, b64(mech.challenge(unb64(e.text)))).toXML());
      return;
    }
    if (e.name === 'success') {
      mech.success(unb64(e.text));
      this.#phase = 'bind';
      this.#openStream();
      return;
    }
    if (e.name === 'failure') {
      const condition = e.elements().find((c) => c.name !== 'text')?.name;
      const text = e.getChildText('text');
      // A server may keep SCRAM keys only for some accounts (made when a password was last set): try PLAIN once.
      if (condition === 'not-authorized' && this.#plainFallback) {
        this.#plainFallback = false;
        return this.#authenticate(new PlainMechanism(this.#account.local!, this.options.password));
      }
      throw new XMPPAuthError(`authentication failed${condition ? `: ${condition}` : ''}${text ? ` (${text})` : ''}`, condition, text);
    }
    throw new XMPPNegotiationError(`unexpected <${e.name}/> during SASL`);
  }

  #bind(): void {
    const resource = this.options.resource ?? this.#account.resource;
    const bind = el('bind', NS.BIND, {}, ...(resource ? [el('resource', '', {}, resource)] : []));
    const iq = el('iq', NS.CLIENT, { type: 'set' }, bind);
    this.#iqs.track(iq, this.limits.iqTimeout).addCallbacks(
      (r) => {
        const jid = JID.tryParse(r.getChild('bind', NS.BIND)?.getChildText('jid'));
        if (!jid) throw new XMPPNegotiationError('the server bound no valid JID');
        this.jid = jid;
        this.#phase = 'ready';
        this.#reconnecting = false;
        this.#attempts = 0;
        if (this.#smOffered && this.options.streamManagement !== false) {
          this.#sm = new ClientStreamManagement(this.limits.maxUnackedStanzas);
          this.transport.write(el('enable', NS.SM, { resume: 'true' }).toXML());
        }
        if (this.ready.called && this.#lastPresence !== undefined) this.send(this.#lastPresence);
        for (const s of this.#resend.splice(0)) this.send(s.xml);
        this.#armKeepalive();
        this.sessionStarted(jid);
        if (!this.ready.called) this.ready.callback(jid);
        return r;
      },
      (f) => {
        this.#fail(new XMPPNegotiationError(`resource binding failed: ${f.getErrorMessage()}`));
        return undefined;
      },
    ).addErrback((f) => this.#fail(f.value instanceof Error ? f.value : new Error(f.getErrorMessage())));
    this.transport.write(iq.toXML(NS.CLIENT));
  }

  /** XEP-0198 §5: the answer to `<resume/>`. */
  #resumeAnswer(e: Element, sm: ClientStreamManagement): void {
    if (e.name === 'resumed') {
      sm.acknowledge(e.getAttribute('h'));
      this.#phase = 'ready';
      this.#reconnecting = false;
      this.#attempts = 0;
      for (const s of sm.unacked) this.transport.write(s.xml);
      if (sm.unacked.length > 0) this.#requestAck(sm);
      this.#armKeepalive();
      this.sessionResumed();
      return;
    }
    if (e.name !== 'failed') throw new XMPPNegotiationError(`unexpected <${e.name}/> while resuming`);
    // A server may say how much of the old session it handled (XEP-0198 §5): those need not be sent again.
    if (e.getAttribute('h') !== undefined) sm.acknowledge(e.getAttribute('h'));
    const condition = e.elements().find((c) => c.namespace === NS.STANZA_ERRORS)?.name ?? 'undefined-condition';
    this.#freshSession(new XMPPStreamManagementError(`the server could not resume the session (${condition}): it was lost`));
    this.#phase = 'bind';
    this.#bind();
  }

  /** XEP-0198 §3-4 within a session: `<enabled/>`, `<failed/>`, `<r/>`, `<a/>`. */
  #smElement(e: Element): void {
    const sm = this.#sm;
    if (!sm) return;
    if (e.name === 'enabled') {
      sm.enabled = true;
      const resume = e.getAttribute('resume');
      sm.id = resume === 'true' || resume === '1' ? e.getAttribute('id') : undefined;
      return;
    }
    if (e.name === 'failed' && !sm.enabled) {
      this.#sm = undefined;
      return;
    }
    if (e.name === 'r' && sm.enabled) return this.transport.write(`<a xmlns="${NS.SM}" h="${sm.inbound}"/>`);
    if (e.name === 'a') sm.acknowledge(e.getAttribute('h'));
  }

  #fromServerOrSelf(from: string | undefined): boolean {
    if (from === undefined) return true;
    const j = JID.tryParse(from);
    return j !== undefined && (j.equals(this.#account.bare()) || (j.local === undefined && j.domain === this.#account.domain) || (this.jid !== undefined && j.equals(this.jid)));
  }

  #stanza(e: Element): void {
    for (const o of [...this.#observers]) if (o.match(e)) o.callback(e);
    if (e.name === 'message') return this.messageReceived(e);
    if (e.name === 'presence') return this.presenceReceived(e);
    if (e.name !== 'iq') return;
    const type = e.getAttribute('type');
    if (type === 'result' || type === 'error') {
      this.#iqs.answer(e, (asked, from) => (asked === undefined ? this.#fromServerOrSelf(from) : from !== undefined && JID.tryParse(from)?.toString() === JID.tryParse(asked)?.toString()));
      return;
    }
    if (type !== 'get' && type !== 'set') return;
    const query = e.getChild('query', NS.ROSTER);
    if (type === 'set' && query) {
      // A roster push from anyone but the server or our own account is a spoof (RFC 6121 §2.1.6).
      if (!this.#fromServerOrSelf(e.getAttribute('from'))) return this.send(errorReply(e, 'service-unavailable'));
      this.send(el('iq', NS.CLIENT, { type: 'result', id: e.getAttribute('id'), to: e.getAttribute('from') }));
      return this.rosterPushed(rosterItems(query));
    }
    if (type === 'get' && e.getChild('ping', NS.PING)) return this.send(el('iq', NS.CLIENT, { type: 'result', id: e.getAttribute('id'), to: e.getAttribute('from') }));
    const answer = this.iqReceived(e);
    this.send(answer ?? errorReply(e, 'service-unavailable'));
  }

  #armKeepalive(): void {
    const interval = this.limits.keepaliveInterval;
    if (interval <= 0 || this.#phase !== 'ready') return;
    if (this.#keepalive?.active()) {
      this.#keepalive.reset(interval);
      return;
    }
    this.#keepalive = this.#clock.callLater(interval, () => {
      if (this.#phase !== 'ready' || !this.connected) return;
      // While idle, ask for what is still unacknowledged instead of a bare keepalive.
      if (this.#sm?.enabled && this.#sm.unacked.length > 0) this.#requestAck(this.#sm);
      else this.transport.write(' ');
      this.#keepalive = undefined;
      this.#armKeepalive();
    });
  }

  #stopKeepalive(): void {
    if (this.#keepalive?.active()) this.#keepalive.cancel();
    this.#keepalive = undefined;
  }
}
