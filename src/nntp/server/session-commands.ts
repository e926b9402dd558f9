/**
 * The session commands: CAPABILITIES, MODE READER, DATE, HELP, QUIT, AUTHINFO (RFC 4643), STARTTLS
 * (RFC 4642), and the posting commands POST and IHAVE with the checks on what arrives.
 * @module
 */
import { UsernamePassword } from '../../cred/index.js';
import { checkFeedArticle, parseArticle, preparePost, serializeArticle } from '../article.js';
import { formatDateTime, isMessageId, utf8Text } from '../codec.js';
import { NNTPArticleError, NNTPArticleTooLargeError, NNTPDuplicateArticleError, NNTPNoSuchGroupError } from '../errors.js';
import type { NNTPServerProtocol } from './protocol.js';
import { INewsReader } from './realm.js';

/** The capability lines this connection has now (RFC 3977 §5.2). */
export function capabilities(s: NNTPServerProtocol): string[] {
  const f = s.server;
  const caps = ['VERSION 2', 'IMPLEMENTATION Torsion', 'READER', 'OVER MSGID', 'HDR', 'LIST ACTIVE NEWSGROUPS OVERVIEW.FMT HEADERS ACTIVE.TIMES COUNTS', 'NEWNEWS'];
  if (s.mayPost) caps.push('POST');
  if (f.allowIHave && s.mayPost) caps.push('IHAVE');
  if (f.tls !== undefined && !s.secure && s.reader === undefined && s.transport.startTLS) caps.push('STARTTLS');
  if (f.portal !== undefined && s.reader === undefined && (s.secure || f.allowCleartextAuth)) caps.push('AUTHINFO USER');
  return caps;
}

/** CAPABILITIES. */
export function capabilitiesCommand(s: NNTPServerProtocol, args: string[]): void {
  if (args.length > 1) return s.reply(501, 'Syntax: CAPABILITIES [keyword]');
  s.block(101, 'Capability list:', capabilities(s));
}

/** MODE READER (this server is always a reader). */
export function modeCommand(s: NNTPServerProtocol, args: string[]): void {
  if (args.length !== 1 || args[0]!.toUpperCase() !== 'READER') return s.reply(501, 'Syntax: MODE READER');
  s.reply(s.mayPost ? 200 : 201, `Posting ${s.mayPost ? 'allowed' : 'prohibited'}`);
}

/** DATE. */
export function dateCommand(s: NNTPServerProtocol, args: string[]): void {
  if (args.length > 0) return s.reply(501, 'Syntax: DATE');
  s.reply(111, formatDateTime(s.server.clock.seconds()));
}

/** HELP. */
export function helpCommand(s: NNTPServerProtocol): void {
  s.block(100, 'Help text follows', [
    'ARTICLE|HEAD|BODY|STAT [number|<message-id>]',
    'AUTHINFO USER name|PASS password',
    'CAPABILITIES',
    'DATE',
    'GROUP newsgroup',
    'HDR field [range|<message-id>]',
    'IHAVE <message-id>',
    'LAST',
    'LIST [ACTIVE|NEWSGROUPS|OVERVIEW.FMT|HEADERS|ACTIVE.TIMES|COUNTS] [wildmat]',
    'LISTGROUP [newsgroup [range]]',
    'MODE READER',
    'NEWGROUPS date time [GMT]',
    'NEWNEWS wildmat date time [GMT]',
    'NEXT',
    'OVER [range|<message-id>]',
    'POST',
    'QUIT',
    'STARTTLS',
  ]);
}

/** QUIT. */
export function quitCommand(s: NNTPServerProtocol): void {
  s.close(205, 'Bye');
}

/** AUTHINFO USER and AUTHINFO PASS (RFC 4643 §2.3). */
export async function authInfoCommand(s: NNTPServerProtocol, args: string[]): Promise<void> {
  const f = s.server;
  const sub = args[0]?.toUpperCase();
  if (f.portal === undefined) return s.reply(502, 'Authentication not offered');
  if (args.length !== 2 || (sub !== 'USER' && sub !== 'PASS')) return s.reply(501, 'Syntax: AUTHINFO USER name|PASS password');
  if (s.reader !== undefined) return s.reply(502, 'Already authenticated');
  if (!s.secure && !f.allowCleartextAuth) return s.reply(483, 'Use STARTTLS first');
  if (sub === 'USER') {
    s.pendingUser = utf8Text(args[1]!);
    return s.reply(381, 'Password required');
  }
  const user = s.pendingUser;
  s.pendingUser = undefined;
  if (user === undefined) return s.reply(482, 'AUTHINFO USER first');
  try {
    const [, reader] = await f.portal.login(new UsernamePassword(user, utf8Text(args[1]!), peerHost(s)), null, INewsReader);
    s.reader = reader;
    s.reply(281, 'Authentication accepted');
  } catch {
    s.failedAuths++;
    if (s.failedAuths >= f.limits.maxFailedAuths) return s.close(481, 'Authentication failed, closing connection');
    s.reply(481, 'Authentication failed');
  }
}

function peerHost(s: NNTPServerProtocol): string | undefined {
  const peer = s.transport.getPeer() as { host?: string };
  return peer.host;
}

/** STARTTLS (RFC 4642): refused once secure or logged in, and when the server has no certificate. */
export function startTLSCommand(s: NNTPServerProtocol, args: string[]): void {
  const f = s.server;
  if (args.length > 0) {
    s.releaseTLSBarrier();
    return s.reply(501, 'Syntax: STARTTLS');
  }
  if (f.tls === undefined || !s.transport.startTLS || s.secure || s.reader !== undefined) {
    s.releaseTLSBarrier();
    return s.reply(502, 'STARTTLS not available');
  }
  s.reply(382, 'Continue with TLS negotiation');
  // RFC 4642 §2.2.2: what was learnt in the clear is forgotten.
  s.group = undefined;
  s.current = undefined;
  s.pendingUser = undefined;
  s.startTLS();
}

/** POST. */
export function postCommand(s: NNTPServerProtocol, args: string[]): void {
  if (args.length > 0) return s.reply(501, 'Syntax: POST');
  if (!s.server.allowPosting) return s.reply(440, 'Posting not permitted');
  if (!s.mayPost) return s.reply(480, 'Authentication required for posting');
  s.reply(340, 'Send article to be posted');
  s.receiveArticle('post');
}

/** IHAVE <message-id>. */
export async function iHaveCommand(s: NNTPServerProtocol, args: string[]): Promise<void> {
  if (args.length !== 1 || !isMessageId(args[0]!)) return s.reply(501, 'Syntax: IHAVE <message-id>');
  if (!s.server.allowIHave) return s.reply(502, 'IHAVE not offered');
  if (!s.mayPost) return s.reply(480, 'Authentication required for feeding');
  if ((await s.server.storage.articleByMessageId(args[0]!)) !== undefined) return s.reply(435, 'Article not wanted');
  s.reply(335, 'Send it');
  s.receiveArticle('ihave', args[0]!);
}

/** What arrived after 340 or 335. */
export interface ReceivedArticle {
  text: string;
  tooLarge: boolean;
  offered?: string;
}

/** The end of a POST: check, complete, store; 240 or 441 with the reason. */
export async function articlePosted(s: NNTPServerProtocol, received: ReceivedArticle): Promise<void> {
  const f = s.server;
  if (received.tooLarge) return s.reply(441, `Article too large (limit ${f.limits.maxArticleBytes} bytes)`);
  try {
    const now = f.clock.seconds();
    const article = preparePost(parseArticle(received.text, f.limits), { domain: f.domain, now, unique: f.uniqueToken() });
    const text = serializeArticle(article);
    if (text.length > f.limits.maxArticleBytes) return s.reply(441, 'Article too large');
    const stored = await f.storage.storeArticle(article, text, now);
    s.reply(240, `${stored.messageId} Article received OK`);
  } catch (e) {
    if (e instanceof NNTPArticleError || e instanceof NNTPArticleTooLargeError || e instanceof NNTPDuplicateArticleError || e instanceof NNTPNoSuchGroupError) {
      return s.reply(441, `Posting failed: ${e.message.replace(/[\r\n]/g, ' ')}`);
    }
    throw e;
  }
}

/** The end of an IHAVE: 235 stored, 437 refused for good, 436 try later. */
export async function articleOffered(s: NNTPServerProtocol, received: ReceivedArticle): Promise<void> {
  const f = s.server;
  if (received.tooLarge) return s.reply(437, 'Article too large');
  try {
    const article = parseArticle(received.text, f.limits);
    checkFeedArticle(article, received.offered!);
    await f.storage.storeArticle(article, received.text, f.clock.seconds());
    s.reply(235, 'Article transferred OK');
  } catch (e) {
    if (e instanceof NNTPArticleError || e instanceof NNTPArticleTooLargeError || e instanceof NNTPDuplicateArticleError || e instanceof NNTPNoSuchGroupError) {
      return s.reply(437, `Article rejected: ${e.message.replace(/[\r\n]/g, ' ')}`);
    }
    s.reply(436, 'Transfer failed, try again later');
    throw e;
  }
}
