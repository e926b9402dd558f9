/**
 * Articles (RFC 5536): parsing a header section with limits, building overview fields, and the checks and
 * additions POST makes. Articles are Latin-1 wire strings with CRLF line ends, neither dot-stuffed nor
 * terminated.
 * @module
 */
import { articleLines, isMessageId } from './codec.js';
import { NNTPArticleError, NNTPArticleTooLargeError } from './errors.js';
import type { NNTPLimits } from './limits.js';

/** A parsed article: its header fields in order (folding undone) and its body. */
export interface Article {
  /** `[name, value]` pairs in order; names as written, values unfolded and trimmed. */
  headers: Array<[string, string]>;
  /** The body, CRLF line ends, as a Latin-1 wire string. */
  body: string;
}

/** The value of the first header field named `name` (case-insensitive), or undefined. */
export function headerValue(article: Pick<Article, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of article.headers) if (n.toLowerCase() === lower) return v;
  return undefined;
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/**
 * Parses an article. Throws {@link NNTPArticleTooLargeError} past `maxHeaderCount` fields or
 * `maxHeaderBytes` of header section, {@link NNTPArticleError} for a line that is neither a field nor a
 * continuation, or a missing header/body separator when the article has a body.
 */
export function parseArticle(text: string, limits: Pick<NNTPLimits, 'maxHeaderCount' | 'maxHeaderBytes'>): Article {
  const headers: Array<[string, string]> = [];
  let pos = 0;
  let headerBytes = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    const line = text.slice(pos, end > pos && text[end - 1] === '\r' ? end - 1 : end);
    headerBytes += end - pos + 1;
    if (headerBytes > limits.maxHeaderBytes) throw new NNTPArticleTooLargeError(`header section over ${limits.maxHeaderBytes} bytes`);
    pos = nl < 0 ? text.length : nl + 1;
    if (line === '') break;
    if (line[0] === ' ' || line[0] === '\t') {
      const last = headers[headers.length - 1];
      if (last === undefined) throw new NNTPArticleError('continuation line before any header field');
      last[1] = (last[1] + ' ' + line.trim()).trim();
    } else {
      const colon = line.indexOf(':');
      const name = colon < 0 ? '' : line.slice(0, colon);
      if (!FIELD_NAME.test(name)) throw new NNTPArticleError(`bad header line ${JSON.stringify(line.slice(0, 60))}`);
      if (headers.length >= limits.maxHeaderCount) throw new NNTPArticleTooLargeError(`more than ${limits.maxHeaderCount} header fields`);
      headers.push([name, line.slice(colon + 1).trim()]);
    }
    if (nl < 0) break;
  }
  if (headers.length === 0) throw new NNTPArticleError('article has no header fields');
  return { headers, body: text.slice(pos) };
}

/** An article's wire form: header lines, an empty line, the body (given a final CRLF if it lacks one). */
export function serializeArticle(article: Article): string {
  let out = '';
  for (const [name, value] of article.headers) out += `${name}: ${value}\r\n`;
  out += '\r\n';
  if (article.body !== '') out += article.body.endsWith('\r\n') ? article.body : article.body.replace(/\r?\n?$/, '') + '\r\n';
  return out;
}

/** A newsgroup name (RFC 5536 §3.1.4): dot-separated components of letters, digits, `+ - _`. */
export function isNewsgroupName(name: string): boolean {
  return name.length > 0 && name.length <= 250 && /^[A-Za-z0-9+_-]+(\.[A-Za-z0-9+_-]+)*$/.test(name);
}

/** The newsgroups of a `Newsgroups` field value (comma-separated, whitespace ignored). */
export function newsgroupsOf(value: string): string[] {
  return value
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
}

/** The overview of one article (RFC 3977 §8.3): the five header fields and the two metadata items. */
export interface Overview {
  subject: string;
  from: string;
  date: string;
  messageId: string;
  references: string;
  /** The article's size in bytes (`:bytes`). */
  bytes: number;
  /** The body's line count (`:lines`). */
  lines: number;
}

/** The field order of OVER and LIST OVERVIEW.FMT. */
export const OVERVIEW_FORMAT = ['Subject:', 'From:', 'Date:', 'Message-ID:', 'References:', ':bytes', ':lines'] as const;

/** TAB, CR and LF in an overview field become spaces (RFC 3977 §8.3.1), so one field cannot forge another. */
export function overviewField(value: string): string {
  return value.replace(/[\t\r\n\0]/g, ' ');
}

/** The overview of an article given its wire text. */
export function overviewOf(text: string, article: Article): Overview {
  const body = article.body;
  return {
    subject: headerValue(article, 'Subject') ?? '',
    from: headerValue(article, 'From') ?? '',
    date: headerValue(article, 'Date') ?? '',
    messageId: headerValue(article, 'Message-ID') ?? '',
    references: headerValue(article, 'References') ?? '',
    bytes: text.length,
    lines: body === '' ? 0 : articleLines(body).length,
  };
}

/** One OVER line: the number and the overview fields, TAB-separated. */
export function formatOverview(number: number, o: Overview): string {
  return [String(number), o.subject, o.from, o.date, o.messageId, o.references, String(o.bytes), String(o.lines)].map(overviewField).join('\t');
}

/** Parses one OVER line back (the client side). */
export function parseOverview(line: string): Overview & { number: number } {
  const f = line.split('\t');
  if (f.length < 8 || !/^\d+$/.test(f[0]!)) throw new NNTPArticleError(`bad overview line ${JSON.stringify(line.slice(0, 60))}`);
  return { number: Number(f[0]), subject: f[1]!, from: f[2]!, date: f[3]!, messageId: f[4]!, references: f[5]!, bytes: Number(f[6]) || 0, lines: Number(f[7]) || 0 };
}

/** What {@link preparePost} needs besides the article. */
export interface PostContext {
  /** The domain of generated Message-IDs and the Path (`example.org`). */
  domain: string;
  /** Now, in seconds since the epoch. */
  now: number;
  /** A unique token for a generated Message-ID. */
  unique: string;
}

/**
 * Checks a posted article (RFC 5537 §3.5, as a posting agent): `From`, `Newsgroups` and `Subject` present,
 * every newsgroup name valid, a `Message-ID` well formed; adds `Message-ID`, `Date` and `Path` when missing.
 * Throws {@link NNTPArticleError} naming the problem.
 */
export function preparePost(article: Article, context: PostContext): Article {
  for (const name of ['From', 'Newsgroups', 'Subject']) {
    const v = headerValue(article, name);
    if (v === undefined || v === '') throw new NNTPArticleError(`missing ${name} header`);
  }
  for (const name of ['From', 'Newsgroups', 'Subject', 'Message-ID', 'Date', 'Path']) {
    const count = article.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).length;
    if (count > 1) throw new NNTPArticleError(`duplicate ${name} header`);
  }
  const groups = newsgroupsOf(headerValue(article, 'Newsgroups')!);
  if (groups.length === 0) throw new NNTPArticleError('empty Newsgroups header');
  for (const g of groups) if (!isNewsgroupName(g)) throw new NNTPArticleError(`bad newsgroup name ${JSON.stringify(g.slice(0, 60))}`);
  const headers = [...article.headers];
  const id = headerValue(article, 'Message-ID');
  if (id !== undefined && !isMessageId(id)) throw new NNTPArticleError('bad Message-ID');
  if (id === undefined) headers.push(['Message-ID', `<${context.unique}@${context.domain}>`]);
  if (headerValue(article, 'Date') === undefined) headers.push(['Date', new Date(context.now * 1000).toUTCString().replace('GMT', '+0000')]);
  if (headerValue(article, 'Path') === undefined) headers.unshift(['Path', `${context.domain}!not-for-mail`]);
  return { headers, body: article.body };
}

/** Checks an article offered by IHAVE: it must carry the offered Message-ID and the fields a feed needs. */
export function checkFeedArticle(article: Article, offeredId: string): void {
  const id = headerValue(article, 'Message-ID');
  if (id !== offeredId) throw new NNTPArticleError('Message-ID differs from the one offered');
  for (const name of ['From', 'Newsgroups', 'Subject', 'Date', 'Path']) {
    if (headerValue(article, name) === undefined) throw new NNTPArticleError(`missing ${name} header`);
  }
}
