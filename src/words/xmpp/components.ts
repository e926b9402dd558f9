/**
 * External components (XEP-0114) of the XMPP front door: a program that connects with the shared secret
 * serves a subdomain of the door's domain (`bot.<domain>`), gets the stanzas XMPP users address there and
 * sends stanzas to them.
 * @module
 */
import type { Failure } from '../../defer/index.js';
import type { IAddress, IReactorTime } from '../../internet/interfaces.js';
import { Factory } from '../../internet/protocol.js';
import { Logger } from '../../logger/index.js';
import { XMPPComponentServerProtocol } from '../../xmpp/component/component.js';
import type { Element } from '../../xmpp/element.js';
import { JID } from '../../xmpp/jid.js';
import type { XMPPLimits } from '../../xmpp/limits.js';
import { NS } from '../../xmpp/namespaces.js';
import type { IXMPPSession } from '../../xmpp/server/interfaces.js';
import { stanzaErrorReply, type XMPPLocalRouter } from '../../xmpp/server/router.js';
import { LoginThrottle, resolveLoginLimits } from '../throttle.js';

const log = new Logger({ namespace: 'torsion.words.xmpp' });

/** What the components' side needs of the door. */
export interface ComponentHost {
  /** The door's domain: components serve its subdomains. */
  readonly domain: string;
  /** The MUC service's domain, which no component may take. */
  readonly mucDomain: string;
  readonly router: XMPPLocalRouter;
}

/** Options of {@link XMPPComponentFactory}. */
export interface XMPPComponentOptions {
  /** The shared secret every component proves it knows (XEP-0114 handshake). */
  secret: string;
  /** Components connected at once (one per subdomain); more are refused with `policy-violation`. */
  maxComponents: number;
  /** The XML stream's limits. */
  streamLimits?: Partial<XMPPLimits>;
  /**
   * Failed handshakes counted per address and per component domain, as words counts failed logins:
   * past `freeFailures`, an address is refused unchecked for a delay that doubles up to `maxDelay`.
   */
  handshakeThrottle: { freeFailures: number; baseDelay: number; maxDelay: number };
  /** The time of the throttle. */
  clock: IReactorTime;
}

/** A component's connection, known to the factory so the door can route to it and a shutdown can close it. */
class DoorComponentProtocol extends XMPPComponentServerProtocol {
  registry!: XMPPComponentFactory;

  /** The peer's host, which failed handshakes count against. */
  get peerHost(): string {
    const peer = this.transport.getPeer() as { host?: string };
    return peer.host ?? 'unknown';
  }

  override connectionMade(): void {
    super.connectionMade();
    this.registry.connections.add(this);
  }

  override connectionLost(reason: Failure): void {
    this.registry.connections.delete(this);
    if (this.domain && this.registry.components.get(this.domain.domain) === this) this.registry.components.delete(this.domain.domain);
    super.connectionLost(reason);
  }
}

/**
 * Accepts component connections for subdomains of the door's domain (not the MUC service's), one
 * connection per subdomain; routes their stanzas to the door's XMPP sessions.
 */
export class XMPPComponentFactory extends Factory<XMPPComponentServerProtocol> {
  /** Connections, authenticated or not. */
  readonly connections = new Set<XMPPComponentServerProtocol>();
  /** The authenticated components by domain. */
  readonly components = new Map<string, XMPPComponentServerProtocol>();
  /** Failed handshakes per address and per domain. */
  readonly throttle: LoginThrottle;

  constructor(
    readonly host: ComponentHost,
    readonly options: XMPPComponentOptions,
  ) {
    super();
    this.throttle = new LoginThrottle(resolveLoginLimits(options.handshakeThrottle));
  }

  /** The component serving `domain`, if one is connected. */
  componentFor(domain: string): XMPPComponentServerProtocol | undefined {
    return this.components.get(domain);
  }

  /** True for a domain a component may serve: a subdomain of the door's, not the MUC service. */
  servable(domain: string): boolean {
    return domain.endsWith(`.${this.host.domain}`) && domain !== this.host.mucDomain;
  }

  override buildProtocol(_addr: IAddress): XMPPComponentServerProtocol {
    const p: DoorComponentProtocol = new DoorComponentProtocol({
      secretFor: (domain) => (this.servable(domain) ? this.options.secret : undefined),
      mayTry: (domain) => this.#mayTry(domain, p.peerHost),
      handshakeChecked: (domain, ok) => this.#checked(domain, p.peerHost, ok),
      admit: (domain) => this.#admit(domain),
      authenticated: (c) => this.#authenticated(c),
      route: (stanza, c) => this.#inbound(stanza, c),
      ...(this.options.streamLimits ? { limits: this.options.streamLimits } : {}),
    });
    p.registry = this;
    p.factory = this;
    return p;
  }

  /** Closes every component stream (for a shutdown). */
  closeAll(): void {
    for (const c of [...this.connections]) c.close();
  }

  #mayTry(domain: JID, host: string): string | undefined {
    const refusal = this.throttle.begin(domain.domain, host, this.options.clock.seconds());
    if (refusal === undefined) return undefined;
    log.info('component handshake for {domain} from {host} refused: too many failures', { domain: domain.domain, host });
    return `too many failed handshakes: retry in ${Math.ceil(refusal.retryAfter)} s`;
  }

  #checked(domain: JID, host: string, ok: boolean): void {
    this.throttle.done(domain.domain, host, ok, this.options.clock.seconds());
    if (!ok) log.info('component handshake for {domain} from {host} failed', { domain: domain.domain, host });
  }

  #admit(domain: JID): string | undefined {
    const why = this.components.has(domain.domain) ? 'conflict' : this.components.size >= this.options.maxComponents ? 'policy-violation' : undefined;
    if (why) log.info('component {domain} refused: {why}', { domain: domain.domain, why });
    return why;
  }

  #authenticated(c: XMPPComponentServerProtocol): void {
    this.components.set(c.domain!.domain, c);
    log.info('component {domain} connected', { domain: c.domain!.domain });
  }

  /** A stanza from a component to an XMPP user of the door (its `from` already checked to be the component's). */
  #inbound(stanza: Element, c: XMPPComponentServerProtocol): void {
    stanza.uri = NS.CLIENT;
    const back: IXMPPSession = { jid: c.domain!, deliver: (s) => c.send(s) };
    const to = JID.tryParse(stanza.getAttribute('to'));
    if (to?.domain === this.host.domain && to.local !== undefined) return this.host.router.routeInbound(stanza, back);
    const type = stanza.getAttribute('type');
    if (type !== 'error' && type !== 'result') back.deliver(stanzaErrorReply(stanza, 'service-unavailable'));
  }
}
