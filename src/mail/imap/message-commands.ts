/**
 * The IMAP commands on the messages of the selected mailbox (RFC 3501 §6.4, RFC 4315, RFC 6851): FETCH,
 * STORE, SEARCH, COPY, MOVE and EXPUNGE, each answering its untagged lines and returning the text of its
 * tagged OK.
 * @module
 */
import { IMAPParseError, IMAPRefusedError } from '../errors.js';
import { parseFetchItems } from './fetch-att.js';
import { flagList, setsSeen, writeFetch } from './fetch-response.js';
import type { IMAPFolder } from './folder.js';
import { compileSearch } from './search.js';
import { pickMessages, type Picked, type Selected } from './selected.js';
import { uidSet } from './sequence.js';
import { valueText, type IMAPValue } from './values.js';

/** What a message command works with. */
export interface MessageCommandContext {
  readonly tag: string;
  readonly selected: Selected;
  /** True for the `UID` form (sets are UIDs and answers carry them). */
  readonly byUid: boolean;
  write(...pieces: (string | Uint8Array)[]): void;
  /** The open folder of the mailbox named by `value` (TRYCREATE when there is none). */
  folderNamed(value: IMAPValue | undefined): Promise<IMAPFolder>;
}

const uidPrefix = (ctx: MessageCommandContext): string => (ctx.byUid ? 'UID ' : '');

/** A mod-sequence argument (RFC 7162 `mod-sequence-value`, or `mod-sequence-valzer` when `zero`). */
function modseqArg(value: IMAPValue | undefined, tag: string, zero: boolean): number {
  const text = valueText(value) ?? '';
  const n = Number(text);
  if (value?.type !== 'atom' || !/^\d{1,16}$/.test(text) || !Number.isSafeInteger(n) || (n === 0 && !zero)) throw new IMAPParseError('mod-sequence expected', tag);
  return n;
}

/** The value of the one modifier `name` in a `(NAME value)` list (CHANGEDSINCE, UNCHANGEDSINCE). */
function modifier(value: IMAPValue | undefined, name: string, tag: string): number {
  if (value?.type !== 'list' || value.items.length !== 2 || (valueText(value.items[0]) ?? '').toUpperCase() !== name) throw new IMAPParseError(`Syntax: (${name} mod-sequence)`, tag);
  return modseqArg(value.items[1], tag, name === 'UNCHANGEDSINCE');
}

/** FETCH `set items [(CHANGEDSINCE modseq)]`. */
export async function fetchMessages(ctx: MessageCommandContext, args: readonly IMAPValue[]): Promise<string> {
  const { tag, byUid } = ctx;
  const s = ctx.selected;
  if (args.length !== 2 && args.length !== 3) throw new IMAPParseError('Syntax: FETCH set items [(CHANGEDSINCE modseq)]', tag);
  const attributes = parseFetchItems(args[1], tag);
  const changedSince = args.length === 3 ? modifier(args[2], 'CHANGEDSINCE', tag) : undefined;
  // Asking for MODSEQ, or for changes since one, turns CONDSTORE on (RFC 7162 §3.1).
  if (changedSince !== undefined && !attributes.some((a) => a.type === 'simple' && a.name === 'MODSEQ')) attributes.push({ type: 'simple', name: 'MODSEQ' });
  if (attributes.some((a) => a.type === 'simple' && a.name === 'MODSEQ')) s.modes.condstore = true;
  const changed = (p: Picked): boolean => changedSince === undefined || p.message.modseq > changedSince;
  let picked = pickMessages(s, args[0], byUid, tag).filter(changed);
  const unseen = setsSeen(attributes) && !s.readOnly ? new Set(picked.filter((p) => !p.message.flags.includes('\\Seen')).map((p) => p.message.uid)) : new Set<number>();
  if (unseen.size > 0) {
    await s.folder.store([...unseen], '+', ['\\Seen']);
    picked = pickMessages(s, args[0], byUid, tag).filter((p) => changed(p) || unseen.has(p.message.uid));
  }
  await writeFetch(s.folder, picked, attributes, { byUid, unseen, told: s.told, condstore: s.modes.condstore }, (pieces) => ctx.write(...pieces));
  return `${uidPrefix(ctx)}FETCH completed`;
}

/**
 * STORE `set [(UNCHANGEDSINCE modseq)] [+-]FLAGS[.SILENT] (flags)`. Messages changed since that
 * mod-sequence are left alone and named in `[MODIFIED set]` (RFC 7162 §3.1.3); with CONDSTORE on, each
 * changed message is answered with its MODSEQ even when `.SILENT`.
 */
export async function storeFlags(ctx: MessageCommandContext, allArgs: readonly IMAPValue[]): Promise<string> {
  const s = ctx.selected;
  const conditional = allArgs[1]?.type === 'list';
  const unchangedSince = conditional ? modifier(allArgs[1], 'UNCHANGEDSINCE', ctx.tag) : undefined;
  const args = conditional ? [allArgs[0]!, ...allArgs.slice(2)] : allArgs;
  if (conditional) s.modes.condstore = true;
  const what = /^([+-]?)FLAGS(\.SILENT)?$/i.exec(valueText(args[1]) ?? '');
  const flags = args[2]?.type === 'list' ? args[2].items.map((f) => valueText(f) ?? '') : args.slice(2).map((f) => valueText(f) ?? '');
  if (what === null || args.length < 3) throw new IMAPParseError('Syntax: STORE set [+-]FLAGS[.SILENT] (flags)', ctx.tag);
  if (s.readOnly) throw new IMAPRefusedError('[READ-ONLY] Mailbox is read-only');
  const picked = pickMessages(s, args[0], ctx.byUid, ctx.tag);
  const modified = new Set(await s.folder.store(picked.map((p) => p.message.uid), what[1] as '+' | '-' | '', flags, unchangedSince));
  const after = new Map(s.folder.messages.map((m) => [m.uid, m]));
  const condstore = s.modes.condstore;
  for (const { seq, message } of picked) {
    const m = after.get(message.uid);
    if (m === undefined || modified.has(m.uid)) continue;
    s.told.set(m.uid, flagList(m.flags));
    const uid = ctx.byUid ? `UID ${m.uid} ` : '';
    if (what[2] === undefined) ctx.write(`* ${seq} FETCH (${uid}${condstore ? `MODSEQ (${m.modseq}) ` : ''}FLAGS ${flagList(m.flags)})\r\n`);
    else if (condstore && m.modseq !== message.modseq) ctx.write(`* ${seq} FETCH (${uid}MODSEQ (${m.modseq}))\r\n`);
  }
  if (modified.size === 0) return `${uidPrefix(ctx)}STORE completed`;
  const named = picked.filter((p) => modified.has(p.message.uid)).map((p) => (ctx.byUid ? p.message.uid : p.seq));
  return `[MODIFIED ${uidSet(named)}] Conditional ${uidPrefix(ctx)}STORE failed for some messages`;
}

/** SEARCH `keys`. */
export async function searchMessages(ctx: MessageCommandContext, args: readonly IMAPValue[]): Promise<string> {
  const s = ctx.selected;
  const search = compileSearch(args, ctx.tag);
  const byUidMap = new Map(s.folder.messages.map((m) => [m.uid, m]));
  const found: number[] = [];
  let highest = 0;
  if (search.usesModseq) s.modes.condstore = true;
  for (let i = 0; i < s.uids.length; i++) {
    const message = byUidMap.get(s.uids[i]!);
    if (message === undefined) continue;
    const reading = search.needsText || search.needsHeader;
    // A kept header needs no await, as in FETCH: 10,000 trips through the microtask queue otherwise.
    const kept = search.needsHeader ? s.folder.keptHeader(message) : undefined;
    const text = reading ? (kept ?? (await (search.needsText ? s.folder.read(message) : s.folder.header(message)).catch(() => undefined))) : undefined;
    if (reading && text === undefined) continue;
    if (search.test({ message, seq: i + 1, maxSeq: s.uids.length, maxUid: s.uids[s.uids.length - 1] ?? 0, text })) {
      found.push(ctx.byUid ? message.uid : i + 1);
      highest = Math.max(highest, message.modseq);
    }
  }
  // With a MODSEQ key, the highest mod-sequence of what was found follows (RFC 7162 §3.1.5).
  const modseq = search.usesModseq && found.length > 0 ? ` (MODSEQ ${highest})` : '';
  ctx.write(`* SEARCH${found.map((n) => ` ${n}`).join('')}${modseq}\r\n`);
  return `${uidPrefix(ctx)}SEARCH completed`;
}

/** COPY, or MOVE (RFC 6851): the COPYUID goes in an untagged OK, then the EXPUNGEs, then the tagged OK. */
export async function copyMessages(ctx: MessageCommandContext, verb: 'COPY' | 'MOVE', args: readonly IMAPValue[]): Promise<string> {
  if (args.length !== 2) throw new IMAPParseError(`Syntax: ${verb} set mailbox`, ctx.tag);
  const s = ctx.selected;
  const move = verb === 'MOVE';
  if (move && s.readOnly) throw new IMAPRefusedError('[READ-ONLY] Mailbox is read-only');
  const picked = pickMessages(s, args[0], ctx.byUid, ctx.tag);
  const target = await ctx.folderNamed(args[1]);
  await target.refresh();
  if (move && target === s.folder) throw new IMAPRefusedError('[CANNOT] Source and destination are the same mailbox');
  const pairs = await target.copyFrom(s.folder, picked.map((p) => p.message), move);
  const code = pairs.length === 0 ? '' : `[COPYUID ${target.uidValidity} ${uidSet(pairs.map((p) => p[0]))} ${uidSet(pairs.map((p) => p[1]))}] `;
  if (!move) return `${code}${uidPrefix(ctx)}COPY completed`;
  if (code !== '') ctx.write(`* OK ${code}Moved\r\n`);
  await s.folder.refresh();
  return `${uidPrefix(ctx)}MOVE completed`;
}

/** EXPUNGE, or UID EXPUNGE `set` (RFC 4315): only \Deleted messages, and with a set only those in it. */
export async function expungeMessages(ctx: MessageCommandContext, set: IMAPValue | undefined): Promise<string> {
  const s = ctx.selected;
  if (s.readOnly) throw new IMAPRefusedError('[READ-ONLY] Mailbox is read-only');
  const limit = set === undefined ? undefined : new Set(pickMessages(s, set, true, ctx.tag).map((p) => p.message.uid));
  const doomed = s.folder.messages.filter((m) => m.flags.includes('\\Deleted') && (limit === undefined || limit.has(m.uid))).map((m) => m.uid);
  await s.folder.expunge(doomed);
  return 'EXPUNGE completed';
}
