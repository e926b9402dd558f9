/**
 * `XMPPWordsFactory`: the XMPP front door of a words service. XMPP clients log in with their words account
 * through a `torsion/cred` portal (the words accounts' checker by default, the same check the IRC door
 * makes), and the words rooms are multi-user chat rooms at `conference.<domain>`: `#lobby` is
 * `lobby@conference.<domain>`, so XMPP, IRC and web users meet in the same rooms.
 * @module
 */
import { Portal, UsernamePassword } from '../../cred/index.js';
import { Deferred, type Failure } from '../../defer/index.js';
import type { ScramHash } from '../../cred/scram.js';
import { XMPPAuthError, XMPPRegistrationError } from '../../xmpp/errors.js';
import { AccountExistsError, TooManyAttemptsError, TooManyRegistrationsError, WordsError } from '../errors.js';
import type { IAddress, IReactorTime, TLSOptions } from '../../internet/interfaces.js';
import { Factory } from '../../internet/protocol.js';
import { reactor } from '../../internet/reactor.js';
import { Element, el } from '../../xmpp/element.js';
import { JID } from '../../xmpp/jid.js';
import type { XMPPLimits } from '../../xmpp/limits.js';
import { NS } from '../../xmpp/namespaces.js';
import { XMPPServerProtocol } from '../../xmpp/server/c2s.js';
import type { IScramLogin, IXMPPAuthenticator, IXMPPRegistrar, IXMPPRouter, IXMPPSession } from '../../xmpp/server/interfaces.js';
import { XMPPLocalRouter, stanzaErrorReply } from '../../xmpp/server/router.js';
import { StreamResumption } from '../../xmpp/server/stream-management.js';
import type { IRosterStore } from '../../xmpp/server/roster-store.js';
import { WordsAccountChecker } from '../cred-checker.js';
import { IWordsAccount, WordsRealm } from '../cred-realm.js';
import type { VerifiedAccount, WordsService } from '../service.js';
import { xmppDoorLimits, type XMPPDoorLimits } from './limits.js';
import { roomJid, roomNameOf } from './muc-stanzas.js';
import { WordsXMPPSession, type SessionContext } from './session.js';
import { XMPPComponentFactory } from './components.js';
import { MUC_ADMIN, mucAdminIq } from './muc-admin.js';
import { MUC_OWNER, mucOwnerIq, roomFeatures } from './muc-owner.js';

/** What every failed SCRAM login is told: the same for an unknown name, a wrong password and an account without keys yet. */
const SCRAM_FAILURE_TEXT = 'wrong password, or this account has no SCRAM keys yet (they are made at its next PLAIN login)';

/** Options of {@link XMPPWordsFactory}. */
export interface XMPPDoorOptions {
  /** The domain users are at (`nick@<domain>`); rooms are at `conference.<domain>`. */
  domain: string;
  /** TLS key and certificate: STARTTLS is then offered and required, and SCRAM-SHA-256, SCRAM-SHA-1 and PLAIN logins are offered inside it. Without them nobody can log in with a password. */
  tls?: TLSOptions;
  /** Where logins are checked (a portal on the words accounts' own checker by default). */
  portal?: Portal;
  /** The clock (the global reactor by default). */
  clock?: IReactorTime;
  limits?: Partial<XMPPDoorLimits>;
  /** The XML stream's limits (`torsion/xmpp`'s `XMPP_LIMITS` by default). */
  streamLimits?: Partial<XMPPLimits>;
  /** Offer in-band registration (XEP-0077, inside TLS only), which makes a words account (off by default). */
  allowRegistration?: boolean;
  /** Where rosters are kept (in memory by default; `torsion words` keeps them in its database). */
  rosterStore?: IRosterStore;
  /**
   * The shared secret of external components (XEP-0114): with it, {@link XMPPWordsFactory.components}
   * accepts components for subdomains of `domain` (no components without it).
   */
  componentSecret?: string;
}

/** A client connection of the door, known to its factory so a shutdown can close it. */
class WordsXMPPProtocol extends XMPPServerProtocol {
  door!: XMPPWordsFactory;

  override connectionMade(): void {
    super.connectionMade();
    this.door.connections.add(this);
  }

  override connectionLost(reason: Failure): void {
    this.door.connections.delete(this);
    super.connectionLost(reason);
  }
}

/**
 * Builds a client-to-server protocol per connection, all on one words service.
 *
 * @example
 * const door = new XMPPWordsFactory(words, { domain: 'chat.example.org', tls: { key, cert } });
 * listenTCP(5222, door, { interface: '127.0.0.1' });
 */
export class XMPPWordsFactory extends Factory<XMPPServerProtocol> {
  readonly domain: string;
  readonly mucDomain: string;
  readonly portal: Portal;
  readonly limits: XMPPDoorLimits;
  /** Open connections, logged in or not. */
  readonly connections = new Set<XMPPServerProtocol>();
  /** XMPP sessions to each other (one-to-one messages, directed presence between XMPP users). */
  readonly router: XMPPLocalRouter;
  readonly #sessions = new Map<string, WordsXMPPSession>();
  /** Sessions whose connection dropped, waiting to be resumed (XEP-0198). */
  readonly resumption = new StreamResumption<XMPPServerProtocol>();
  readonly #context: SessionContext;
  /** The factory of external component connections (XEP-0114), when a component secret was given. */
  readonly components: XMPPComponentFactory | undefined;

  constructor(
    readonly service: WordsService,
    readonly options: XMPPDoorOptions,
  ) {
    super();
    this.domain = new JID(undefined, options.domain).domain;
    this.mucDomain = new JID(undefined, `conference.${this.domain}`).domain;
    this.portal = options.portal ?? new Portal(new WordsRealm(service), [new WordsAccountChecker(service)]);
    this.limits = xmppDoorLimits(options.limits);
    this.router = new XMPPLocalRouter({ domain: this.domain, ...(options.rosterStore ? { rosterStore: options.rosterStore } : {}), ...(options.streamLimits ? { limits: options.streamLimits } : {}) });
    this.#context = { service, domain: this.domain, mucDomain: this.mucDomain, limits: this.limits, clock: options.clock ?? reactor };
    this.components = options.componentSecret === undefined ? undefined : new XMPPComponentFactory(this, { secret: options.componentSecret, maxComponents: this.limits.maxComponents, clock: this.#context.clock, handshakeThrottle: { freeFailures: this.limits.componentFreeFailures, baseDelay: this.limits.componentFailureDelay, maxDelay: this.limits.componentMaxFailureDelay }, ...(options.streamLimits ? { streamLimits: options.streamLimits } : {}) });
  }

  /** The bound sessions. */
  get sessions(): IterableIterator<WordsXMPPSession> {
    return this.#sessions.values();
  }

  override buildProtocol(addr: IAddress): XMPPServerProtocol {
    let account: VerifiedAccount | undefined;
    let session: WordsXMPPSession | undefined;
    const host = (addr as { host?: string }).host;
    const authenticator: IXMPPAuthenticator = {
      ...(this.options.tls ? { scramLogin: (username: string, hash: ScramHash, peer: string | undefined) => this.#scramLogin(username, hash, peer, (a) => (account = a)) } : {}),
      checkPassword: (username, password, peer) =>
        this.portal.login(new UsernamePassword(username, password, peer), null, IWordsAccount).addCallbacks(
          ([, avatar]) => {
            account = avatar as VerifiedAccount;
            return true;
          },
          () => false,
        ),
    };
    const registrar: IXMPPRegistrar | undefined = this.options.allowRegistration ? { register: (username, password, peer) => this.#register(username, password, peer, registrar!) } : undefined;
    const router: IXMPPRouter = {
      bind: (jid, resource, s) => {
        const bound = this.router.bind(jid, resource, s);
        if (typeof bound === 'string') return bound;
        session = new WordsXMPPSession(this.#context, bound, account, host, s.deliver);
        this.#sessions.set(bound.toString(), session);
        return bound;
      },
      unbind: (jid) => {
        this.router.unbind(jid);
        this.#sessions.delete(jid.toString());
        session?.end();
      },
      route: (stanza, from) => this.#route(stanza, from, session!),
      serverIq: (iq, from) => this.#serverIq(iq, from) || this.router.serverIq(iq, from),
    };
    const p = new WordsXMPPProtocol({ domain: this.domain, authenticator, router, resumption: this.resumption, clock: this.#context.clock, ...(registrar ? { registrar } : {}), ...(this.options.tls ? { tls: this.options.tls } : {}), ...(this.options.streamLimits ? { limits: this.options.streamLimits } : {}) });
    p.door = this;
    p.factory = this;
    return p;
  }

  /**
   * A SCRAM login with the words account's stored keys, under the words login throttle. Every failure reads
   * alike (an unknown name, a wrong password, an account whose keys are not made yet), so it tells nothing
   * about which names exist; a client falls back to PLAIN, whose success makes the keys.
   */
  #scramLogin(username: string, hash: ScramHash, peer: string | undefined, verified: (account: VerifiedAccount) => void): Deferred<IScramLogin> {
    return this.service.scramLogin(username, hash, peer === undefined ? {} : { host: peer }).addCallback((login): IScramLogin => ({
      salt: login.salt,
      iterations: login.iterations,
      check: (authMessage, proof) => {
        try {
          const { account, serverSignature } = login.check(authMessage, proof);
          verified(account);
          return serverSignature;
        } catch (e) {
          if (e instanceof TooManyAttemptsError) throw new XMPPAuthError(e.message, 'temporary-auth-failure', e.message);
          throw new XMPPAuthError('SCRAM login refused', 'not-authorized', SCRAM_FAILURE_TEXT);
        }
      },
    }));
  }

  /** An in-band registration: a words account, under the words rules and registration limits (per address and per connection). */
  #register(username: string, password: string, peer: string | undefined, connection: object): Deferred<void> {
    if (password.length < this.limits.minPasswordLength) return Deferred.fail(new XMPPRegistrationError('not-acceptable', `a password needs at least ${this.limits.minPasswordLength} characters`));
    return this.service.register(username, password, { connection, ...(peer ? { host: peer } : {}) }).addCallbacks(
      () => undefined,
      (f: Failure) => {
        const e = f.value;
        if (e instanceof AccountExistsError) throw new XMPPRegistrationError('conflict', e.message);
        if (e instanceof TooManyRegistrationsError) throw new XMPPRegistrationError('resource-constraint', e.message);
        if (e instanceof WordsError) throw new XMPPRegistrationError('not-acceptable', e.message);
        return f;
      },
    );
  }

  /** Ends every stream, and every session waiting for resumption (for a shutdown). */
  closeAll(): void {
    for (const p of [...this.connections]) p.close();
    for (const p of this.resumption.drain()) p.endDetached();
    this.components?.closeAll();
  }

  #route(stanza: Element, from: IXMPPSession, session: WordsXMPPSession): void {
    const to = JID.tryParse(stanza.getAttribute('to'));
    const component = to && this.components?.componentFor(to.domain);
    if (component) return component.send(stanza);
    if (to?.domain === this.mucDomain) {
      if (stanza.name === 'iq') return this.#mucIq(stanza, to, from, session);
      if (stanza.name === 'presence') return session.presence(stanza, to);
      if (stanza.name === 'message') return session.message(stanza, to);
    }
    // A chat message to nick@domain reaches the words user of that nick when no XMPP session is that account.
    if (stanza.name === 'message' && to?.domain === this.domain && to.local !== undefined && !this.router.sessions.some((j) => j.bare().equals(to.bare()))) {
      const target = this.service.findUser(to.local);
      const body = stanza.getChildText('body');
      if (target && session.user && body) {
        session.user.send(target.nick, body);
        return;
      }
    }
    this.router.route(stanza, from);
  }

  #serverIq(iq: Element, from: IXMPPSession): boolean {
    const query = iq.getChild('query', NS.DISCO_ITEMS);
    if (iq.getAttribute('type') === 'get' && query && !iq.getAttribute('to')?.includes('@')) {
      from.deliver(result(iq, el('query', NS.DISCO_ITEMS, {}, el('item', '', { jid: this.mucDomain, name: 'Chat rooms' }))));
      return true;
    }
    return false;
  }

  /** Service discovery on the MUC service and its rooms (XEP-0045 §6); anything else there is unavailable. */
  #mucIq(iq: Element, to: JID, from: IXMPPSession, session: WordsXMPPSession): void {
    const type = iq.getAttribute('type');
    if (type === 'result' || type === 'error') return;
    if (iq.getChild('query', MUC_ADMIN) && to.local !== undefined && to.resource === undefined) {
      const room = this.service.findRoom(roomNameOf(to, this.mucDomain) ?? '');
      return from.deliver(room ? mucAdminIq(iq, room.name, session.user) : stanzaErrorReply(iq, 'item-not-found'));
    }
    if (iq.getChild('query', MUC_OWNER) && to.local !== undefined && to.resource === undefined) {
      const room = this.service.findRoom(roomNameOf(to, this.mucDomain) ?? '');
      return from.deliver(room ? mucOwnerIq(iq, room, session.user) : stanzaErrorReply(iq, 'item-not-found'));
    }
    const info = type === 'get' && iq.getChild('query', NS.DISCO_INFO);
    const items = type === 'get' && iq.getChild('query', NS.DISCO_ITEMS);
    if (to.local === undefined && info) {
      return from.deliver(result(iq, el('query', NS.DISCO_INFO, {}, el('identity', '', { category: 'conference', type: 'text', name: 'Chat rooms' }), el('feature', '', { var: NS.MUC }), el('feature', '', { var: NS.DISCO_INFO }), el('feature', '', { var: NS.DISCO_ITEMS }))));
    }
    if (to.local === undefined && items) {
      const list = el('query', NS.DISCO_ITEMS);
      for (const room of this.service.rooms()) {
        const jid = room.settings.secret ? undefined : roomJid(room.name, this.mucDomain);
        if (jid) list.addElement('item', '', { jid: jid.toString(), name: room.name });
      }
      return from.deliver(result(iq, list));
    }
    const name = to.resource === undefined ? roomNameOf(to, this.mucDomain) : undefined;
    const room = name === undefined ? undefined : this.service.findRoom(name);
    if (room && info) {
      return from.deliver(result(iq, el('query', NS.DISCO_INFO, {}, el('identity', '', { category: 'conference', type: 'text', name: room.name }), ...roomFeatures(room).map((f) => el('feature', '', { var: f })))));
    }
    from.deliver(stanzaErrorReply(iq, room || to.local === undefined ? 'service-unavailable' : 'item-not-found'));
  }
}

function result(iq: Element, ...children: Element[]): Element {
  return el('iq', NS.CLIENT, { type: 'result', id: iq.getAttribute('id'), from: iq.getAttribute('to'), to: iq.getAttribute('from') }, ...children);
}
