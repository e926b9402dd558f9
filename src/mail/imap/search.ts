/**
 * SEARCH (RFC 3501 §6.4.4): the keys turned into a predicate over one message.
 * @module
 */
import { decodeEncodedWords } from '../encoded-words.js';
import { IMAPParseError } from '../errors.js';
import type { IMAPMessage } from './folder.js';
import { headerEnd, headerValue } from './message-parts.js';
import { inSequenceSet, parseSequenceSet } from './sequence.js';
import { valueText, type IMAPValue } from './values.js';

/** What a predicate sees of one message; `text` is read only when some key needs it (just the header when that is all they need). */
export interface SearchTarget {
  readonly message: IMAPMessage;
  readonly seq: number;
  readonly maxSeq: number;
  readonly maxUid: number;
  readonly text: Uint8Array | undefined;
}

/** A compiled search; `needsText` tells the caller to read the messages, `needsHeader` their headers only. */
export interface CompiledSearch {
  readonly test: (t: SearchTarget) => boolean;
  readonly needsText: boolean;
  readonly needsHeader: boolean;
  /** The search names a MODSEQ key (RFC 7162): the answer ends with the highest MODSEQ found. */
  readonly usesModseq: boolean;
}

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  RECENT: ['\\Recent', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
  OLD: ['\\Recent', false],
};
const HEADER_KEYS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT']);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Compiles the SEARCH arguments (a leading `CHARSET x` is accepted for UTF-8 and US-ASCII only). */
export function compileSearch(args: readonly IMAPValue[], tag: string): CompiledSearch {
  let needsText = false;
  let needsHeader = false;
  let usesModseq = false;
  let at = 0;
  if (valueText(args[0])?.toUpperCase() === 'CHARSET') {
    const charset = valueText(args[1])?.toUpperCase();
    if (charset !== 'UTF-8' && charset !== 'US-ASCII') throw new IMAPParseError('[BADCHARSET (UTF-8 US-ASCII)] unsupported charset', tag);
    at = 2;
  }
  const fail = (why: string): never => {
    throw new IMAPParseError(why, tag);
  };
  const take = (): IMAPValue => args[at++] ?? fail('search key missing');
  const takeText = (): string => valueText(take()) ?? fail('string expected');
  const takeNumber = (): number => {
    const t = takeText();
    if (!/^\d{1,10}$/.test(t)) fail('number expected');
    return Number(t);
  };
  const takeDate = (): number => {
    const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(takeText());
    const month = m === null ? -1 : MONTHS.indexOf(m[2]!.toUpperCase());
    if (m === null || month < 0) return fail('date expected (d-Mon-yyyy)');
    return Date.UTC(Number(m[3]), month, Number(m[1])) / 1000;
  };
  const contains = (haystack: string, needle: string): boolean => haystack.toLowerCase().includes(needle.toLowerCase());

  const one = (key: IMAPValue): ((t: SearchTarget) => boolean) => {
    if (key.type === 'list') {
      const inner = compileSearch(key.items, tag);
      needsText ||= inner.needsText;
      needsHeader ||= inner.needsHeader;
      usesModseq ||= inner.usesModseq;
      return inner.test;
    }
    const word = (valueText(key) ?? '').toUpperCase();
    const flag = FLAG_KEYS[word];
    if (flag !== undefined) return (t) => t.message.flags.includes(flag[0]) === flag[1];
    if (HEADER_KEYS.has(word)) {
      const needle = takeText();
      needsHeader = true;
      return (t) => contains(decodeEncodedWords(headerValue(t.text!, word)), needle);
    }
    switch (word) {
      case 'ALL':
        return () => true;
      case 'NEW':
        return (t) => t.message.flags.includes('\\Recent') && !t.message.flags.includes('\\Seen');
      case 'NOT': {
        const inner = one(take());
        return (t) => !inner(t);
      }
      case 'OR': {
        const a = one(take());
        const b = one(take());
        return (t) => a(t) || b(t);
      }
      case 'MODSEQ': {
        // `MODSEQ ["/flags/\\seen" all] n`: flags share the message's one mod-sequence here, so the entry is read and not used.
        if (args[at]?.type === 'string') at += 2;
        const t = takeText();
        if (!/^\d{1,16}$/.test(t) || !Number.isSafeInteger(Number(t))) fail('mod-sequence expected');
        const n = Number(t);
        usesModseq = true;
        return (target) => target.message.modseq >= n;
      }
      case 'UID': {
        const set = parseSequenceSet(takeText(), tag);
        return (t) => inSequenceSet(set, t.message.uid, t.maxUid);
      }
      case 'LARGER': {
        const n = takeNumber();
        return (t) => t.message.entry.size > n;
      }
      case 'SMALLER': {
        const n = takeNumber();
        return (t) => t.message.entry.size < n;
      }
      case 'HEADER': {
        const name = takeText();
        const needle = takeText();
        needsHeader = true;
        return (t) => hasField(t.text!, name) && contains(decodeEncodedWords(headerValue(t.text!, name)), needle);
      }
      case 'BODY':
      case 'TEXT': {
        const needle = takeText();
        const whole = word === 'TEXT';
        needsText = true;
        return (t) => contains(Buffer.from(whole ? t.text! : t.text!.subarray(headerEnd(t.text!))).toString('utf8'), needle);
      }
      case 'BEFORE':
      case 'ON':
      case 'SINCE':
      case 'SENTBEFORE':
      case 'SENTON':
      case 'SENTSINCE': {
        const day = takeDate();
        const sent = word.startsWith('SENT');
        if (sent) needsHeader = true;
        const op = word.replace('SENT', '');
        return (t) => {
          const when = sent ? Date.parse(headerValue(t.text!, 'DATE')) / 1000 : t.message.internalDate;
          if (!Number.isFinite(when)) return false;
          const start = Math.floor(when / 86400) * 86400;
          return op === 'BEFORE' ? start < day : op === 'ON' ? start === day : start >= day;
        };
      }
      case 'KEYWORD':
      case 'UNKEYWORD': {
        const keyword = takeText().toLowerCase();
        const wanted = word === 'KEYWORD';
        return (t) => t.message.flags.some((f) => f.toLowerCase() === keyword) === wanted;
      }
      default: {
        if (/^[\d*:,]+$/.test(word)) {
          const set = parseSequenceSet(word, tag);
          return (t) => inSequenceSet(set, t.seq, t.maxSeq);
        }
        return fail(`unknown search key ${JSON.stringify(word.slice(0, 20))}`);
      }
    }
  };

  const all: ((t: SearchTarget) => boolean)[] = [];
  while (at < args.length) all.push(one(take()));
  if (all.length === 0) fail('search key missing');
  return { test: (t) => all.every((p) => p(t)), needsText, needsHeader: needsHeader && !needsText, usesModseq };
}

function hasField(text: Uint8Array, name: string): boolean {
  const header = Buffer.from(text.subarray(0, headerEnd(text))).toString('latin1').toUpperCase();
  return header.startsWith(`${name.toUpperCase()}:`) || header.includes(`\r\n${name.toUpperCase()}:`);
}
