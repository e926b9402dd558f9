/**
 * The NNTP client (RFC 3977, 4642, 4643): one Deferred per command, commands sent one at a time in the
 * order asked, answers parsed (groups, articles, overview), posting and IHAVE offering.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import { Protocol } from '../../internet/protocol.js';
import type { ITLSTransport, ITransport, TLSOptions } from '../../internet/interfaces.js';
import { parseArticle, parseOverview, serializeArticle, type Article, type Overview } from '../article.js';
import { LineSplitter, articleLines, dotUnstuff, encodeBlock, formatCommand, formatDateTime, parseDateTime, parseStatusLine, wireText, type StatusLine } from '../codec.js';
import { NNTPConnectionLostError, NNTPLineTooLongError, NNTPReplyError, NNTPSyntaxError } from '../errors.js';
import { resolveNNTPLimits, type NNTPLimits } from '../limits.js';

/** A response: its status line and, for multi-line responses, the block's lines (unstuffed). */
export interface NNTPResponse extends StatusLine {
  lines?: string[];
}

/** What GROUP and LISTGROUP tell about a group. */
export interface GroupStatus {
  name: string;
  count: number;
  low: number;
  high: number;
}

/** An article fetched by ARTICLE, HEAD or BODY. */
export interface FetchedArticle {
  /** Its number in the selected group (0 when fetched by message-id from elsewhere). */
  number: number;
  messageId: string;
  /** The lines received, as a CRLF wire string (the whole article, the head or the body). */
  text: string;
}

/** One line of LIST ACTIVE. */
export interface ActiveGroup {
  name: string;
  high: number;
  low: number;
  posting: string;
}

interface Request {
  /** The bytes to send (sent when the request reaches the head of the queue). */
  line: string;
  /** Statuses whose response carries a block. */
  multi: readonly number[];
  /** An article to send on this intermediate status (340 for POST, 335 for IHAVE). */
  send?: { status: number; text: string };
  deferred: Deferred<NNTPResponse>;
  /** STARTTLS: the options to switch with on 382. */
  tls?: TLSOptions;
  /** True once written: a callback may queue the next command before the finished one's turn ends. */
  sent?: boolean;
}

type ClientTransport = ITransport & Partial<Pick<ITLSTransport, 'startTLS'>>;

/** Options of an {@link NNTPClient}. */
export interface NNTPClientOptions {
  /** Limits over the defaults (line length, response size). */
  limits?: Partial<NNTPLimits>;
}

/**
 * The client side of an NNTP connection. Every command returns a Deferred firing with its parsed answer,
 * or failing with {@link NNTPReplyError} (4xx/5xx) or {@link NNTPConnectionLostError}.
 *
 * @example
 * const client = await connectProtocol(endpoint, new NNTPClient());
 * await client.greeting;
 * const group = await client.group('local.test');
 * const overview = await client.over(`${group.low}-${group.high}`);
 */
export class NNTPClient extends Protocol<ClientTransport> {
  /** Fires with the greeting (200 posting allowed, 201 not), fails on 400/502. */
  readonly greeting = new Deferred<StatusLine>();
  readonly limits: NNTPLimits;
  readonly #splitter: LineSplitter;
  readonly #queue: Request[] = [];
  #greeted = false;
  #block: string[] | undefined;
  #blockBytes = 0;
  #status: StatusLine | undefined;

  constructor(options: NNTPClientOptions = {}) {
    super();
    this.limits = resolveNNTPLimits(options.limits);
    this.#splitter = new LineSplitter(this.limits.maxLineLength);
  }

  override dataReceived(data: Uint8Array): void {
    this.#splitter.push(data);
    try {
      for (let line = this.#splitter.nextLine(); line !== null; line = this.#splitter.nextLine()) {
        this.#line(line);
        if (!this.connected) return;
      }
    } catch (e) {
      if (!(e instanceof NNTPLineTooLongError || e instanceof NNTPSyntaxError || e instanceof NNTPReplyError)) throw e;
      this.#failAll(e);
      this.transport.loseConnection();
    }
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#failAll(new NNTPConnectionLostError(`connection lost: ${reason.getErrorMessage()}`));
  }

  #failAll(error: Error): void {
    if (!this.greeting.called) this.greeting.errback(error);
    const pending = this.#queue.splice(0);
    for (const r of pending) if (!r.deferred.called) r.deferred.errback(error);
  }

  #line(line: string): void {
    if (!this.#greeted) {
      const status = parseStatusLine(line);
      this.#greeted = true;
      if (status.status === 200 || status.status === 201) this.greeting.callback(status);
      else this.greeting.errback(new NNTPReplyError(status.status, status.text));
      this.#sendNext();
      return;
    }
    const request = this.#queue[0];
    if (request === undefined) throw new NNTPReplyError(0, `unexpected line from server: ${JSON.stringify(line.slice(0, 80))}`);
    if (this.#block !== undefined) {
      const content = dotUnstuff(line);
      if (content === null) {
        const lines = this.#block;
        this.#block = undefined;
        this.#finish(request, { ...this.#status!, lines });
        return;
      }
      this.#blockBytes += content.length + 2;
      if (this.#blockBytes > this.limits.maxResponseBytes) throw new NNTPReplyError(0, `response larger than ${this.limits.maxResponseBytes} bytes`);
      this.#block.push(content);
      return;
    }
    const status = parseStatusLine(line);
    if (request.send !== undefined && status.status === request.send.status) {
      this.transport.write(Buffer.from(encodeBlock(articleLines(request.send.text)), 'latin1'));
      delete request.send;
      return;
    }
    if (request.multi.includes(status.status)) {
      this.#status = status;
      this.#block = [];
      this.#blockBytes = 0;
      return;
    }
    if (request.tls !== undefined && status.status === 382) {
      this.transport.startTLS!(request.tls, false);
    }
    this.#finish(request, status);
  }

  #finish(request: Request, response: NNTPResponse): void {
    this.#queue.shift();
    if (response.status >= 400 || (request.send !== undefined && response.status < 300)) request.deferred.errback(new NNTPReplyError(response.status, response.text));
    else request.deferred.callback(response);
    this.#sendNext();
  }

  #sendNext(): void {
    const next = this.#queue[0];
    if (next === undefined || next.sent || !this.#greeted || !this.connected) return;
    next.sent = true;
    this.transport.write(Buffer.from(next.line, 'latin1'));
  }

  /**
   * Sends a command and fires with its response. `multi` lists the statuses followed by a block. This is
   * the building block of the named commands below.
   */
  sendCommand(verb: string, args: readonly string[] = [], multi: readonly number[] = [], extra: Partial<Pick<Request, 'send' | 'tls'>> = {}): Deferred<NNTPResponse> {
    const deferred = new Deferred<NNTPResponse>();
    let line: string;
    try {
      line = formatCommand(verb, ...args.map(wireText));
    } catch (e) {
      deferred.errback(e);
      return deferred;
    }
    this.#queue.push({ line, multi, deferred, ...extra });
    if (this.#queue.length === 1) this.#sendNext();
    return deferred;
  }

  /** CAPABILITIES: the capability lines. */
  capabilities(): Deferred<string[]> {
    return this.sendCommand('CAPABILITIES', [], [101]).addCallback((r) => r.lines!);
  }

  /** MODE READER: true if posting is allowed. */
  modeReader(): Deferred<boolean> {
    return this.sendCommand('MODE', ['READER']).addCallback((r) => r.status === 200);
  }

  /** GROUP: selects a group. */
  group(name: string): Deferred<GroupStatus> {
    return this.sendCommand('GROUP', [name]).addCallback((r) => parseGroupStatus(r.text));
  }

  /** LISTGROUP: selects a group and lists its article numbers (in `range`, `low-high`, if given). */
  listGroup(name?: string, range?: string): Deferred<GroupStatus & { numbers: number[] }> {
    const args = name === undefined ? [] : range === undefined ? [name] : [name, range];
    return this.sendCommand('LISTGROUP', args, [211]).addCallback((r) => ({ ...parseGroupStatus(r.text), numbers: r.lines!.map(Number) }));
  }

  #fetch(verb: string, multi: number[], which?: number | string): Deferred<FetchedArticle> {
    return this.sendCommand(verb, which === undefined ? [] : [String(which)], multi).addCallback((r) => {
      const [n, id] = r.text.split(' ');
      return { number: Number(n) || 0, messageId: id ?? '', text: r.lines === undefined ? '' : r.lines.map((l) => l + '\r\n').join('') };
    });
  }

  /** ARTICLE by number, message-id, or the current one. */
  article(which?: number | string): Deferred<FetchedArticle & { article: Article }> {
    return this.#fetch('ARTICLE', [220], which).addCallback((a) => ({ ...a, article: parseArticle(a.text, this.limits) }));
  }

  /** HEAD: the header section. */
  head(which?: number | string): Deferred<FetchedArticle> {
    return this.#fetch('HEAD', [221], which);
  }

  /** BODY: the body. */
  body(which?: number | string): Deferred<FetchedArticle> {
    return this.#fetch('BODY', [222], which);
  }

  /** STAT: whether it exists (fails with 423/430 if not) and its number and message-id. */
  stat(which?: number | string): Deferred<FetchedArticle> {
    return this.#fetch('STAT', [], which);
  }

  /** NEXT: moves to the next article. */
  next(): Deferred<FetchedArticle> {
    return this.#fetch('NEXT', []);
  }

  /** LAST: moves to the previous article. */
  last(): Deferred<FetchedArticle> {
    return this.#fetch('LAST', []);
  }

  /** OVER: the overview of a range (`10-20`, `10-`), a message-id, or the current article. */
  over(range?: string): Deferred<Array<Overview & { number: number }>> {
    return this.sendCommand('OVER', range === undefined ? [] : [range], [224]).addCallback((r) => r.lines!.map(parseOverview));
  }

  /** HDR: one header field (or `:bytes`, `:lines`) of a range, a message-id, or the current article. */
  hdr(field: string, range?: string): Deferred<Array<{ number: number; value: string }>> {
    return this.sendCommand('HDR', range === undefined ? [field] : [field, range], [225]).addCallback((r) =>
      r.lines!.map((l) => {
        const space = l.indexOf(' ');
        return space < 0 ? { number: Number(l), value: '' } : { number: Number(l.slice(0, space)), value: l.slice(space + 1) };
      }),
    );
  }

  /** LIST with a keyword (ACTIVE by default): the raw lines. */
  list(keyword = 'ACTIVE', wildmat?: string): Deferred<string[]> {
    return this.sendCommand('LIST', wildmat === undefined ? [keyword] : [keyword, wildmat], [215]).addCallback((r) => r.lines!);
  }

  /** LIST ACTIVE, parsed. */
  listActive(wildmat?: string): Deferred<ActiveGroup[]> {
    return this.list('ACTIVE', wildmat).addCallback((lines) => lines.map(parseActive));
  }

  /** NEWGROUPS: groups made since `since` (seconds since the epoch). */
  newGroups(since: number): Deferred<ActiveGroup[]> {
    const [date, time] = formatDateTime(since, ' ').split(' ') as [string, string];
    return this.sendCommand('NEWGROUPS', [date, time, 'GMT'], [231]).addCallback((r) => r.lines!.map(parseActive));
  }

  /** NEWNEWS: message-ids of articles arrived since `since` in groups matching `wildmat`. */
  newNews(wildmat: string, since: number): Deferred<string[]> {
    const [date, time] = formatDateTime(since, ' ').split(' ') as [string, string];
    return this.sendCommand('NEWNEWS', [wildmat, date, time, 'GMT'], [230]).addCallback((r) => r.lines!);
  }

  /** DATE: the server's time, in seconds since the epoch. */
  date(): Deferred<number> {
    return this.sendCommand('DATE').addCallback((r) => {
      const t = /^\d{14}$/.test(r.text.slice(0, 14)) ? parseDateTime(r.text.slice(0, 8), r.text.slice(8, 14), 0) : null;
      if (t === null) throw new NNTPReplyError(r.status, `bad DATE answer ${r.text}`);
      return t;
    });
  }

  /** POST: sends an article (a wire string or a parsed one); fires with the server's 240 text. */
  post(article: string | Article): Deferred<string> {
    const text = typeof article === 'string' ? article : serializeArticle(article);
    return this.sendCommand('POST', [], [], { send: { status: 340, text } }).addCallback((r) => r.text);
  }

  /** IHAVE: offers an article; true if taken (235), false if not wanted (435) or refused (437). */
  iHave(messageId: string, text: string): Deferred<boolean> {
    return this.sendCommand('IHAVE', [messageId], [], { send: { status: 335, text } })
      .addCallback(() => true)
      .addErrback((f: Failure) => {
        const e = f.value;
        if (e instanceof NNTPReplyError && (e.status === 435 || e.status === 437)) return false;
        return f;
      });
  }

  /** AUTHINFO USER and PASS. */
  authInfo(user: string, password: string): Deferred<void> {
    return this.sendCommand('AUTHINFO', ['USER', user]).addCallback((r) => {
      if (r.status === 281) return undefined;
      return this.sendCommand('AUTHINFO', ['PASS', password]).addCallback(() => undefined);
    });
  }

  /** STARTTLS, then TLS with `options` (`ca`, `servername`: the server's certificate is verified). */
  startTLS(options: TLSOptions): Deferred<void> {
    if (!this.transport.startTLS) return Deferred.fail(new NNTPReplyError(0, 'this transport cannot start TLS'));
    return this.sendCommand('STARTTLS', [], [], { tls: options }).addCallback(() => undefined);
  }

  /** QUIT: fires once the server said goodbye. */
  quit(): Deferred<void> {
    return this.sendCommand('QUIT').addCallback(() => {
      this.transport.loseConnection();
    });
  }
}

function parseGroupStatus(text: string): GroupStatus {
  const [count, low, high, name] = text.split(' ');
  return { count: Number(count) || 0, low: Number(low) || 0, high: Number(high) || 0, name: name ?? '' };
}

function parseActive(line: string): ActiveGroup {
  const [name, high, low, posting] = line.split(/\s+/);
  return { name: name ?? '', high: Number(high) || 0, low: Number(low) || 0, posting: posting ?? '' };
}
