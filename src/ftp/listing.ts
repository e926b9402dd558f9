/**
 * Listings, sans I/O: the server's `LIST` lines (as `ls -l` prints them) and `MLSD`/`MLST` facts (RFC 3659),
 * and the client's parsers for `MLSD` and the common Unix and Windows (IIS/DOS) `LIST` formats.
 * @module
 */
import { FTPParseError } from './errors.js';
import type { FileInfo } from './interfaces.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS = 182 * 24 * 3600;

function modeString(info: FileInfo): string {
  const kind = info.type === 'dir' ? 'd' : info.type === 'link' ? 'l' : '-';
  const mode = info.mode ?? (info.type === 'dir' ? 0o755 : 0o644);
  let s = kind;
  for (let shift = 6; shift >= 0; shift -= 3) {
    const bits = (mode >> shift) & 7;
    s += (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  }
  return s;
}

/** `YYYYMMDDHHMMSS` in UTC (RFC 3659 `time-val`, as `MDTM` and the `modify` fact give it). */
export function formatTimeVal(seconds: number): string {
  const d = new Date(Math.floor(seconds) * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Seconds since the epoch of a `time-val` (`YYYYMMDDHHMMSS[.sss]`, UTC). */
export function parseTimeVal(text: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\.\d+)?$/.exec(text.trim());
  if (m === null) throw new FTPParseError(`not a time-val: ${JSON.stringify(text.slice(0, 30))}`);
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return ms / 1000 + (m[7] ? Number(m[7]) : 0);
}

/**
 * One `LIST` line in the `ls -l` form every FTP client reads. `now` (seconds) picks the date form: time of
 * day for the last six months, the year for older files. Names are sent as they are (UTF-8).
 */
export function formatListLine(info: FileInfo, now: number): string {
  const d = new Date(Math.floor(info.modified) * 1000);
  const month = MONTHS[d.getUTCMonth()];
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const recent = Math.abs(now - info.modified) < SIX_MONTHS;
  const when = recent ? `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` : ` ${d.getUTCFullYear()}`;
  const owner = (info.owner ?? 'ftp').padEnd(8);
  const group = (info.group ?? 'ftp').padEnd(8);
  const link = info.type === 'link' && info.target !== undefined ? ` -> ${info.target}` : '';
  return `${modeString(info)}    1 ${owner} ${group} ${String(info.size).padStart(12)} ${month} ${day} ${when} ${info.name}${link}`;
}

/** The `MLSD`/`MLST` facts of one entry (`type=file;size=12;modify=20240101120000;perm=r; name`). */
export function formatFacts(info: FileInfo, readOnly: boolean, type?: 'cdir' | 'pdir'): string {
  const facts: string[] = [];
  facts.push(`type=${type ?? (info.type === 'dir' ? 'dir' : info.type === 'file' ? 'file' : 'OS.unix=' + (info.type === 'link' ? 'slink' : 'other'))}`);
  if (info.type === 'file') facts.push(`size=${info.size}`);
  facts.push(`modify=${formatTimeVal(info.modified)}`);
  facts.push(`perm=${info.type === 'dir' ? (readOnly ? 'el' : 'elcmfp') : readOnly ? 'r' : 'radfw'}`);
  if (info.mode !== undefined) facts.push(`unix.mode=0${(info.mode & 0o777).toString(8)}`);
  return `${facts.join(';')}; ${info.name}`;
}

/** Parses one `MLSD` line (`fact=value;...; name`) into a `FileInfo`. Throws `FTPParseError` if malformed. */
export function parseMlsdLine(line: string): FileInfo {
  const space = line.indexOf(' ');
  if (space < 0) throw new FTPParseError(`MLSD line without a name: ${JSON.stringify(line.slice(0, 60))}`);
  const name = line.slice(space + 1);
  if (name === '') throw new FTPParseError('MLSD line with an empty name');
  const facts: Record<string, string> = {};
  for (const fact of line.slice(0, space).split(';')) {
    if (fact === '') continue;
    const eq = fact.indexOf('=');
    if (eq <= 0) throw new FTPParseError(`bad MLSD fact ${JSON.stringify(fact.slice(0, 40))}`);
    facts[fact.slice(0, eq).toLowerCase()] = fact.slice(eq + 1);
  }
  const t = (facts.type ?? '').toLowerCase();
  const type: FileInfo['type'] = t === 'file' ? 'file' : t === 'dir' || t === 'cdir' || t === 'pdir' ? 'dir' : t.includes('slink') ? 'link' : 'other';
  const size = facts.size !== undefined && /^\d+$/.test(facts.size) ? Number(facts.size) : 0;
  let modified = 0;
  if (facts.modify !== undefined) modified = parseTimeVal(facts.modify);
  const modeFact = facts['unix.mode'];
  return { name, type, size, modified, facts, ...(modeFact !== undefined && /^[0-7]{1,6}$/.test(modeFact) ? { mode: parseInt(modeFact, 8) } : {}) };
}

const UNIX_LINE = /^([-dlbcps])([-rwxsStT]{9})[+@.]?\s+\d+\s+(\S+)\s+(?:(\S+)\s+)?(\d+)\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}:\d\d|\d{4})\s(.+)$/;
const WINDOWS_LINE = /^(\d\d)-(\d\d)-(\d\d(?:\d\d)?)\s+(\d\d):(\d\d)(AM|PM)\s+(<DIR>|\d+)\s+(.+)$/i;

function unixMode(bits: string): number {
  let mode = 0;
  for (let i = 0; i < 9; i++) if (bits[i] !== '-' && !(bits[i] === 'S' || bits[i] === 'T')) mode |= 1 << (8 - i);
  return mode;
}

/**
 * Parses one `LIST` line, Unix (`-rw-r--r-- 1 user group 12 Jan 01 12:00 name`) or Windows
 * (`01-01-24  12:00PM  <DIR>  name`). `now` (seconds) resolves the year of Unix dates that give the time of
 * day. Returns null for the lines that name no file (`total 12`); throws `FTPParseError` for anything else.
 */
export function parseListLine(line: string, now: number): FileInfo | null {
  if (/^total\s+\d+/i.test(line) || line.trim() === '') return null;
  const u = UNIX_LINE.exec(line);
  if (u !== null) {
    const [, kind, bits, owner, group, size, mon, day, when, rest] = u;
    const month = MONTHS.findIndex((m) => m.toLowerCase() === mon.toLowerCase());
    if (month < 0) throw new FTPParseError(`bad month in LIST line ${JSON.stringify(line.slice(0, 60))}`);
    let modified: number;
    if (when.includes(':')) {
      const [h, mi] = when.split(':').map(Number);
      const nowYear = new Date(now * 1000).getUTCFullYear();
      modified = Date.UTC(nowYear, month, Number(day), h, mi) / 1000;
      // A time of day means the last six months: a date "in the future" is last year's.
      if (modified > now + 24 * 3600) modified = Date.UTC(nowYear - 1, month, Number(day), h, mi) / 1000;
    } else modified = Date.UTC(Number(when), month, Number(day)) / 1000;
    let name = rest;
    let target: string | undefined;
    const type: FileInfo['type'] = kind === 'd' ? 'dir' : kind === 'l' ? 'link' : kind === '-' ? 'file' : 'other';
    if (type === 'link') {
      const arrow = rest.indexOf(' -> ');
      if (arrow >= 0) {
        name = rest.slice(0, arrow);
        target = rest.slice(arrow + 4);
      }
    }
    return { name, type, size: Number(size), modified, mode: unixMode(bits), owner, ...(group !== undefined ? { group } : {}), ...(target !== undefined ? { target } : {}) };
  }
  const w = WINDOWS_LINE.exec(line);
  if (w !== null) {
    const [, mm, dd, yy, hh, mi, ampm, sizeOrDir, name] = w;
    let year = Number(yy);
    if (yy.length === 2) year += year < 70 ? 2000 : 1900;
    let hour = Number(hh) % 12;
    if (ampm.toUpperCase() === 'PM') hour += 12;
    const modified = Date.UTC(year, Number(mm) - 1, Number(dd), hour, Number(mi)) / 1000;
    const dir = sizeOrDir.toUpperCase() === '<DIR>';
    return { name, type: dir ? 'dir' : 'file', size: dir ? 0 : Number(sizeOrDir), modified };
  }
  throw new FTPParseError(`not a LIST line this client reads: ${JSON.stringify(line.slice(0, 60))}`);
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l !== '');
}

/** Parses a whole `MLSD` listing, leaving out the `cdir` and `pdir` entries (`.` and `..`). */
export function parseMlsd(text: string): FileInfo[] {
  return lines(text)
    .map(parseMlsdLine)
    .filter((f) => !['cdir', 'pdir'].includes((f.facts?.type ?? '').toLowerCase()));
}

/** Parses a whole `LIST` listing, leaving out `total` lines and the `.` and `..` entries. */
export function parseList(text: string, now: number): FileInfo[] {
  const out: FileInfo[] = [];
  for (const l of lines(text)) {
    const f = parseListLine(l, now);
    if (f !== null && f.name !== '.' && f.name !== '..') out.push(f);
  }
  return out;
}
