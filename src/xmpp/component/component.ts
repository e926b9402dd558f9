/**
 * The component protocol (XEP-0114), both sides: `XMPPComponent` connects to a server as an external
 * component and `XMPPComponentServerProtocol` accepts one. Stanzas in a component stream are in
 * `jabber:component:accept`; elements built in `jabber:client` are written as the stream's own.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { Failure } from '../../defer/index.js';
import type { ITransport } from '../../internet/interfaces.js';
import { Protocol } from '../../internet/protocol.js';
import { Element, el } from '../element.js';
import { XMPPAuthError, XMPPNotConnectedError, XMPPStreamError } from '../errors.js';
import { JID } from '../jid.js';
import { xmppLimits, type XMPPLimits } from '../limits.js';
import { NS } from '../namespaces.js';
import { STREAM_END, XMLStreamParser, streamErrorElement, streamHeader } from '../stream-parser.js';
import { checkHandshake, handshakeDigest } from './handshake.js';

function serialize(stanza: Element): string {
  return stanza.toXML(stanza.namespace === NS.CLIENT ? NS.CLIENT : NS.COMPONENT).replace(/^<(\w+) xmlns="jabber:client"/, '<$1');
}

/** Shared plumbing of both sides: the parser, stream errors, the closed state. */
abstract class ComponentStream extends Protocol<ITransport> {
  readonly limits: XMPPLimits;
  protected readonly parser: XMLStreamParser;
  protected closed = false;
  /** The error that ended the stream, if one did. */
  streamError: Error | undefined;

  constructor(limits: Partial<XMPPLimits> = {}) {
    super();
    this.limits = xmppLimits(limits);
    this.parser = new XMLStreamParser({
      streamStart: (h) => this.streamStarted(h),
      element: (e) => this.elementReceived(e),
      streamEnd: () => this.end(new XMPPNotConnectedError('the peer closed the stream')),
    }, this.limits);
  }

  protected abstract streamStarted(header: Element): void;
  protected abstract elementReceived(e: Element): void;

  override dataReceived(data: Uint8Array): void {
    if (this.closed) return;
    try {
      this.parser.feed(data);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.end(err, err instanceof XMPPStreamError ? err.condition : 'internal-server-error');
    }
  }

  /** Sends a stanza; `jabber:client` elements are written in the component namespace. */
  send(stanza: Element): void {
    if (this.closed || !this.connected) throw new XMPPNotConnectedError('the component stream is closed');
    this.transport.write(serialize(stanza));
  }

  /** Closes the stream politely. */
  close(): void {
    if (this.closed || !this.connected) return;
    this.transport.write(STREAM_END);
    this.end(undefined);
  }

  /** Ends the stream, sending a stream error (with `text`, if given) first when `condition` is given. */
  protected end(err: Error | undefined, condition?: string, text?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (condition && this.connected) this.transport.write(streamErrorElement(condition, text).toXML(NS.COMPONENT) + STREAM_END);
    if (err) this.streamError = err;
    this.ended(err);
    if (this.connected) this.transport.loseConnection();
  }

  /** Called once when the stream ends, with the reason when it was an error. */
  protected ended(_err: Error | undefined): void {}

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.end(new XMPPNotConnectedError(`the connection ended: ${reason.getErrorMessage()}`));
  }
}

/**
 * An external component (XEP-0114) connecting to a server as `domain` with a shared secret. Override
 * `stanzaReceived`.
 *
 * @example
 * const echo = new XMPPComponent({ domain: 'echo.example.com', secret: 's3cret' });
 * echo.stanzaReceived = (s) => echo.send(el('message', NS.CLIENT, { to: s.getAttribute('from'), from: s.getAttribute('to') }, el('body', '', {}, 'pong')));
 * await connectProtocol(clientFromString(reactor, 'tcp:127.0.0.1:5347'), echo);
 * await echo.ready;
 */
export class XMPPComponent extends ComponentStream {
  /** Fires once the server accepted the handshake. */
  readonly ready = new Deferred<JID>();
  readonly domain: JID;
  #authenticated = false;

  constructor(readonly options: { domain: string; secret: string; limits?: Partial<XMPPLimits> }) {
    super(options.limits);
    this.domain = JID.parse(options.domain);
  }

  override connectionMade(): void {
    this.transport.write(streamHeader({ to: this.domain.toString() }, NS.COMPONENT).replace(/ version="1.0"/, ''));
  }

  /** Hook: a stanza arrived for the component. */
  stanzaReceived(_stanza: Element): void {}

  protected streamStarted(header: Element): void {
    const id = header.getAttribute('id');
    if (!id) return this.end(new XMPPAuthError('the server sent no stream id'), 'invalid-id');
    this.transport.write(el('handshake', '', {}, handshakeDigest(id, this.options.secret)).toXML(NS.COMPONENT));
  }

  protected elementReceived(e: Element): void {
    if (e.namespace === NS.STREAMS && e.name === 'error') {
      const condition = e.elements().find((c) => c.name !== 'text')?.name ?? 'undefined-condition';
      const text = e.getChildText('text', NS.STREAM_ERRORS);
      return this.end(condition === 'not-authorized' ? new XMPPAuthError('the server refused the component secret', condition) : new XMPPStreamError(condition, `the server sent a stream error: ${condition}${text ? ` (${text})` : ''}`, condition));
    }
    if (!this.#authenticated) {
      if (e.name !== 'handshake') return this.end(new XMPPAuthError(`expected <handshake/>, got <${e.name}/>`), 'not-authorized');
      this.#authenticated = true;
      this.ready.callback(this.domain);
      return;
    }
    this.stanzaReceived(e);
  }

  protected override ended(err: Error | undefined): void {
    if (!this.ready.called) this.ready.errback(err ?? new XMPPNotConnectedError('the stream closed before the handshake'));
  }
}

/**
 * The server side of XEP-0114: checks the component's handshake against `secretFor(domain)` and hands its
 * stanzas to `route`. One instance per connection.
 */
export class XMPPComponentServerProtocol extends ComponentStream {
  /** The component's domain, once authenticated. */
  domain: JID | undefined;
  #claimed: JID | undefined;
  #streamId = '';

  constructor(readonly options: {
    /** The shared secret for a component domain, or undefined when that domain is not a component here. */
    secretFor: (domain: string) => string | undefined;
    /** A stanza from the authenticated component (its `from` is checked to be within its domain). */
    route: (stanza: Element, component: XMPPComponentServerProtocol) => void;
    /**
     * Checked once the handshake holds, before it is acknowledged: a stream error condition refuses the
     * component (`conflict` when its domain is already served elsewhere), undefined admits it.
     */
    admit?: (domain: JID) => string | undefined;
    /**
     * Asked before a handshake for `domain` is checked: a reason refuses it unchecked (a `policy-violation`
     * stream error with that text), so a throttled guesser learns nothing; undefined lets it be checked.
     */
    mayTry?: (domain: JID) => string | undefined;
    /** Told the outcome of every handshake checked (`ok` false: a wrong digest), for a throttle to count. */
    handshakeChecked?: (domain: JID, ok: boolean) => void;
    /** Called once the component authenticated. */
    authenticated?: (component: XMPPComponentServerProtocol) => void;
    /** A fresh stream id (default: random). */
    makeStreamId?: () => string;
    limits?: Partial<XMPPLimits>;
  }) {
    super(options.limits);
  }

  protected streamStarted(header: Element): void {
    this.#streamId = this.options.makeStreamId?.() ?? globalThis.crypto.randomUUID();
    const claimed = JID.tryParse(header.getAttribute('to'));
    this.transport.write(streamHeader({ from: claimed?.toString(), id: this.#streamId }, NS.COMPONENT).replace(/ version="1.0"/, ''));
    if (!claimed || claimed.local !== undefined || claimed.resource !== undefined || this.options.secretFor(claimed.domain) === undefined) {
      return this.end(new XMPPAuthError('unknown component domain'), 'host-unknown');
    }
    this.#claimed = claimed;
  }

  protected elementReceived(e: Element): void {
    if (this.domain === undefined) {
      const claimed = this.#claimed;
      const secret = claimed && this.options.secretFor(claimed.domain);
      if (e.name !== 'handshake' || claimed === undefined || secret === undefined) return this.end(new XMPPAuthError('expected a component handshake'), 'not-authorized');
      const throttled = this.options.mayTry?.(claimed);
      if (throttled) return this.end(new XMPPAuthError(`component handshake refused: ${throttled}`, 'policy-violation'), 'policy-violation', throttled);
      const ok = checkHandshake(e.text, this.#streamId, secret);
      this.options.handshakeChecked?.(claimed, ok);
      if (!ok) return this.end(new XMPPAuthError('wrong component handshake'), 'not-authorized');
      const refused = this.options.admit?.(this.#claimed!);
      if (refused) return this.end(new XMPPAuthError(`component ${this.#claimed!.domain} refused: ${refused}`, refused), refused);
      this.domain = this.#claimed;
      this.transport.write('<handshake/>');
      this.options.authenticated?.(this);
      return;
    }
    // A component may only send as its own domain or addresses within it (XEP-0114 §3.1): anything else is spoofing.
    const from = JID.tryParse(e.getAttribute('from'));
    if (!from || from.domain !== this.domain.domain) return this.end(new XMPPStreamError('invalid-from', 'stanza from outside the component domain'), 'invalid-from');
    this.options.route(e, this);
  }
}
