/**
 * The reading commands of RFC 3977 (GROUP, LISTGROUP, ARTICLE/HEAD/BODY/STAT, NEXT/LAST, OVER, HDR, LIST,
 * NEWGROUPS, NEWNEWS), each answering on the connection it is given.
 * @module
 */
import { OVERVIEW_FORMAT, formatOverview, headerValue, overviewField, overviewOf, parseArticle } from '../article.js';
import { articleLines, isMessageId, parseDateTime, parseRange, wildmatMatch } from '../codec.js';
import type { GroupInfo, StoredArticle } from '../interfaces.js';
import type { NNTPServerProtocol } from './protocol.js';

/** What a reading command acts on: an article and the number it has in the selected group (0 if none). */
interface Target {
  number: number;
  article: StoredArticle;
}

const MAX_NUMBER = Number.MAX_SAFE_INTEGER;

/** The article named by `arg` (a number, a message-id, or nothing for the current one); replies the error itself. */
async function target(s: NNTPServerProtocol, arg: string | undefined): Promise<Target | undefined> {
  const store = s.server.storage;
  if (arg !== undefined && arg.startsWith('<')) {
    if (!isMessageId(arg)) return void s.reply(501, 'Bad message-id');
    const article = await store.articleByMessageId(arg);
    if (article === undefined) return void s.reply(430, 'No article with that message-id');
    return { number: (s.group && article.numbers[s.group.name]) ?? 0, article };
  }
  if (s.group === undefined) return void s.reply(412, 'No newsgroup selected');
  let number: number;
  if (arg === undefined) {
    if (s.current === undefined) return void s.reply(420, 'Current article number is invalid');
    number = s.current;
  } else {
    if (!/^\d{1,16}$/.test(arg)) return void s.reply(501, 'Bad article number');
    number = Number(arg);
  }
  const article = await store.articleByNumber(s.group.name, number);
  if (article === undefined) return void s.reply(arg === undefined ? 420 : 423, arg === undefined ? 'Current article number is invalid' : 'No article with that number');
  if (arg !== undefined) s.current = number;
  return { number, article };
}

/** ARTICLE, HEAD, BODY and STAT. */
export async function articleCommand(s: NNTPServerProtocol, verb: 'ARTICLE' | 'HEAD' | 'BODY' | 'STAT', args: string[]): Promise<void> {
  if (args.length > 1) return s.reply(501, 'Syntax: ' + verb + ' [number|<message-id>]');
  const t = await target(s, args[0]);
  if (t === undefined) return;
  const id = t.article.messageId;
  const text = t.article.text;
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split + 2);
  const body = split < 0 ? '' : text.slice(split + 4);
  if (verb === 'STAT') return s.reply(223, `${t.number} ${id}`);
  if (verb === 'HEAD') return s.block(221, `${t.number} ${id}`, articleLines(head));
  if (verb === 'BODY') return s.block(222, `${t.number} ${id}`, articleLines(body));
  s.block(220, `${t.number} ${id}`, articleLines(text));
}

function groupLine(g: GroupInfo): string {
  return `${g.count} ${g.low} ${g.high} ${g.name}`;
}

/** GROUP. */
export async function groupCommand(s: NNTPServerProtocol, args: string[]): Promise<void> {
  if (args.length !== 1) return s.reply(501, 'Syntax: GROUP newsgroup');
  const g = await s.server.storage.getGroup(args[0]!);
  if (g === undefined) return s.reply(411, 'No such newsgroup');
  s.group = g;
  s.current = g.count > 0 ? g.low : undefined;
  s.reply(211, groupLine(g));
}

/** LISTGROUP [group [range]]. */
export async function listGroupCommand(s: NNTPServerProtocol, args: string[]): Promise<void> {
  if (args.length > 2) return s.reply(501, 'Syntax: LISTGROUP [newsgroup [range]]');
  const name = args[0] ?? s.group?.name;
  if (name === undefined) return s.reply(412, 'No newsgroup selected');
  const range = args[1] === undefined ? { low: 0, high: MAX_NUMBER } : parseRange(args[1]);
  if (range === null) return s.reply(501, 'Bad range');
  const g = await s.server.storage.getGroup(name);
  if (g === undefined) return s.reply(411, 'No such newsgroup');
  const numbers = await s.server.storage.articleNumbers(name, range.low, Math.min(range.high, MAX_NUMBER));
  s.group = g;
  s.current = g.count > 0 ? g.low : undefined;
  s.block(211, `${groupLine(g)} list follows`, numbers.map(String));
}

/** NEXT and LAST. */
export async function nextLastCommand(s: NNTPServerProtocol, verb: 'NEXT' | 'LAST', args: string[]): Promise<void> {
  if (args.length > 0) return s.reply(501, `Syntax: ${verb}`);
  if (s.group === undefined) return s.reply(412, 'No newsgroup selected');
  if (s.current === undefined) return s.reply(420, 'Current article number is invalid');
  const store = s.server.storage;
  const numbers = verb === 'NEXT' ? await store.articleNumbers(s.group.name, s.current + 1, MAX_NUMBER) : await store.articleNumbers(s.group.name, 0, s.current - 1);
  const n = verb === 'NEXT' ? numbers[0] : numbers[numbers.length - 1];
  if (n === undefined) return s.reply(verb === 'NEXT' ? 421 : 422, `No ${verb === 'NEXT' ? 'next' : 'previous'} article in this group`);
  const article = await store.articleByNumber(s.group.name, n);
  if (article === undefined) return s.reply(verb === 'NEXT' ? 421 : 422, 'Article gone');
  s.current = n;
  s.reply(223, `${n} ${article.messageId}`);
}

/** The numbers an OVER or HDR argument names in the selected group; replies the error itself. */
function rangeOf(s: NNTPServerProtocol, arg: string | undefined): { low: number; high: number } | undefined {
  if (s.group === undefined) return void s.reply(412, 'No newsgroup selected');
  if (arg === undefined) {
    if (s.current === undefined) return void s.reply(420, 'Current article number is invalid');
    return { low: s.current, high: s.current };
  }
  const range = parseRange(arg);
  if (range === null) return void s.reply(501, 'Bad range');
  return { low: range.low, high: Math.min(range.high, MAX_NUMBER) };
}

/** OVER and XOVER. */
export async function overCommand(s: NNTPServerProtocol, args: string[]): Promise<void> {
  if (args.length > 1) return s.reply(501, 'Syntax: OVER [range|<message-id>]');
  const arg = args[0];
  if (arg !== undefined && arg.startsWith('<')) {
    const t = await target(s, arg);
    if (t === undefined) return;
    const article = parseArticle(t.article.text, { maxHeaderCount: Infinity, maxHeaderBytes: Infinity });
    return s.block(224, 'Overview information follows', [formatOverview(0, overviewOf(t.article.text, article))]);
  }
  const range = rangeOf(s, arg);
  if (range === undefined) return;
  const store = s.server.storage;
  const lines = store.overviewLines
    ? await store.overviewLines(s.group!.name, range.low, range.high)
    : (await store.overview(s.group!.name, range.low, range.high)).map((e) => formatOverview(e.number, e));
  if (lines.length === 0) return s.reply(arg === undefined ? 420 : 423, 'No articles in that range');
  s.block(224, 'Overview information follows', lines);
}

function fieldOf(text: string, field: string): string {
  if (field === ':bytes') return String(text.length);
  const article = parseArticle(text, { maxHeaderCount: Infinity, maxHeaderBytes: Infinity });
  if (field === ':lines') return String(article.body === '' ? 0 : articleLines(article.body).length);
  return overviewField(headerValue(article, field) ?? '');
}

/** HDR (and XHDR, answered with 221 as the old extension did). */
export async function hdrCommand(s: NNTPServerProtocol, verb: 'HDR' | 'XHDR', args: string[]): Promise<void> {
  if (args.length < 1 || args.length > 2) return s.reply(501, `Syntax: ${verb} field [range|<message-id>]`);
  const field = args[0]!;
  const status = verb === 'HDR' ? 225 : 221;
  const arg = args[1];
  if (arg !== undefined && arg.startsWith('<')) {
    const t = await target(s, arg);
    if (t === undefined) return;
    return s.block(status, 'Headers follow', [`0 ${fieldOf(t.article.text, field)}`]);
  }
  const range = rangeOf(s, arg);
  if (range === undefined) return;
  const store = s.server.storage;
  const group = s.group!.name;
  const numbers = await store.articleNumbers(group, range.low, range.high);
  if (numbers.length === 0) return s.reply(arg === undefined ? 420 : 423, 'No articles in that range');
  const lines: string[] = [];
  for (const n of numbers) {
    const a = await store.articleByNumber(group, n);
    if (a !== undefined) lines.push(`${n} ${fieldOf(a.text, field)}`);
  }
  s.block(status, 'Headers follow', lines);
}

/** LIST and its keywords (ACTIVE, NEWSGROUPS, OVERVIEW.FMT, HEADERS; ACTIVE.TIMES and COUNTS of RFC 6048). */
export async function listCommand(s: NNTPServerProtocol, args: string[]): Promise<void> {
  const keyword = (args[0] ?? 'ACTIVE').toUpperCase();
  const wildmat = args[1];
  if (args.length > 2) return s.reply(501, 'Syntax: LIST [keyword [wildmat]]');
  const groups = async () => (await s.server.storage.listGroups()).filter((g) => wildmat === undefined || wildmatMatch(wildmat, g.name));
  switch (keyword) {
    case 'ACTIVE':
      return s.block(215, 'List of newsgroups follows', (await groups()).map((g) => `${g.name} ${g.high} ${g.low} ${g.posting}`));
    case 'COUNTS':
      return s.block(215, 'List of newsgroups with counts follows', (await groups()).map((g) => `${g.name} ${g.high} ${g.low} ${g.count} ${g.posting}`));
    case 'NEWSGROUPS':
      return s.block(215, 'Descriptions follow', (await groups()).map((g) => `${g.name}\t${g.description}`));
    case 'ACTIVE.TIMES':
      return s.block(215, 'Creation times follow', (await groups()).map((g) => `${g.name} ${Math.floor(g.created)} torsion`));
    case 'OVERVIEW.FMT':
      if (wildmat !== undefined) return s.reply(501, 'No argument for OVERVIEW.FMT');
      return s.block(215, 'Order of fields in overview database', OVERVIEW_FORMAT);
    case 'HEADERS':
      if (wildmat !== undefined && !['MSGID', 'RANGE'].includes(wildmat.toUpperCase())) return s.reply(501, 'LIST HEADERS [MSGID|RANGE]');
      return s.block(215, 'Headers and metadata items supported', [':', ':bytes', ':lines']);
    default:
      return s.reply(501, 'Unknown LIST keyword');
  }
}

function since(s: NNTPServerProtocol, date: string | undefined, time: string | undefined, gmt: string | undefined): number | undefined {
  if (date === undefined || time === undefined || (gmt !== undefined && gmt.toUpperCase() !== 'GMT')) return void s.reply(501, 'Syntax: date time [GMT]');
  const t = parseDateTime(date, time, s.server.clock.seconds());
  if (t === null) return void s.reply(501, 'Bad date or time');
  return t;
}

/** NEWGROUPS date time [GMT]. */
export async function newGroupsCommand(s: NNTPServerProtocol, args: string[]): Promise<void> {
  if (args.length < 2 || args.length > 3) return s.reply(501, 'Syntax: NEWGROUPS date time [GMT]');
  const t = since(s, args[0], args[1], args[2]);
  if (t === undefined) return;
  const groups = (await s.server.storage.listGroups()).filter((g) => g.created >= t);
  s.block(231, 'List of new newsgroups follows', groups.map((g) => `${g.name} ${g.high} ${g.low} ${g.posting}`));
}

/** NEWNEWS wildmat date time [GMT]. */
export async function newNewsCommand(s: NNTPServerProtocol, args: string[]): Promise<void> {
  if (args.length < 3 || args.length > 4) return s.reply(501, 'Syntax: NEWNEWS wildmat date time [GMT]');
  const t = since(s, args[1], args[2], args[3]);
  if (t === undefined) return;
  s.block(230, 'List of new articles follows', await s.server.storage.newNews(args[0]!, t));
}
