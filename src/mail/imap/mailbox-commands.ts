/**
 * The IMAP commands on mailboxes rather than messages (RFC 3501 §6.3): LIST, LSUB, STATUS, CREATE,
 * DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE, each answering its untagged lines and returning the text
 * of its tagged OK.
 * @module
 */
import { IMAPParseError } from '../errors.js';
import type { IMAPLimits } from '../limits.js';
import type { IMAP4Factory } from './factory.js';
import { joinMailboxName, matchesPattern, parseMailboxName } from './mailbox-names.js';
import type { MailboxTree } from './mailboxes.js';
import { quoteString, valueText, type IMAPValue } from './values.js';

/** What a mailbox command works with. */
export interface MailboxCommandContext {
  readonly tag: string;
  readonly tree: MailboxTree;
  readonly factory: IMAP4Factory;
  readonly limits: IMAPLimits;
  write(text: string): void;
}

/** A mailbox name as the server writes it: INBOX bare, anything else quoted. */
export function mailboxOnWire(name: string): string {
  return name === 'INBOX' ? name : quoteString(name);
}

function nameArg(ctx: MailboxCommandContext, value: IMAPValue | undefined, trailingSeparator = false): string[] {
  if (value?.type === 'list') throw new IMAPParseError('mailbox name expected', ctx.tag);
  return parseMailboxName(valueText(value), ctx.limits, trailingSeparator);
}

/** The words of an option list, upper-cased; BAD unless each is SPECIAL-USE. */
function specialUseOptions(ctx: MailboxCommandContext, value: IMAPValue | undefined, what: string): string[] {
  if (value?.type !== 'list') throw new IMAPParseError(`${what} options expected`, ctx.tag);
  const words = value.items.map((i) => (valueText(i) ?? '').toUpperCase());
  if (words.some((w) => w !== 'SPECIAL-USE')) throw new IMAPParseError(`only SPECIAL-USE is known among ${what} options`, ctx.tag);
  return words;
}

/**
 * LIST or LSUB `reference pattern`; LIST also as `LIST (SPECIAL-USE) reference pattern` (only the
 * special-use mailboxes) and with `RETURN (SPECIAL-USE)` (RFC 6154). Special-use attributes are in every
 * LIST answer.
 */
export async function listMailboxes(ctx: MailboxCommandContext, verb: 'LIST' | 'LSUB', allArgs: readonly IMAPValue[]): Promise<string> {
  let args = allArgs;
  let onlySpecial = false;
  if (verb === 'LIST' && args[0]?.type === 'list') {
    onlySpecial = specialUseOptions(ctx, args[0], 'selection').length > 0;
    args = args.slice(1);
  }
  if (verb === 'LIST' && args.length === 4 && (valueText(args[2]) ?? '').toUpperCase() === 'RETURN') {
    specialUseOptions(ctx, args[3], 'return');
    args = args.slice(0, 2);
  }
  const pattern = valueText(args[1]);
  const reference = valueText(args[0]);
  if (args.length !== 2 || pattern === undefined || reference === undefined) throw new IMAPParseError(`Syntax: ${verb} reference pattern`, ctx.tag);
  if (pattern === '') {
    ctx.write(`* ${verb} (\\Noselect) "/" ""\r\n`);
    return `${verb} completed`;
  }
  // The reference is put before the pattern as it is (RFC 3501 §6.3.8: `LIST Archive/ %`).
  const full = `${reference}${pattern}`;
  if (verb === 'LIST') {
    for (const m of await ctx.tree.listing()) {
      if (!matchesPattern(full, m.name)) continue;
      const special = m.selectable ? ctx.factory.specialUse.get(m.name) : undefined;
      if (onlySpecial && special === undefined) continue;
      const attributes = [...(m.selectable ? [] : ['\\Noselect']), m.hasChildren ? '\\HasChildren' : '\\HasNoChildren', ...(special === undefined ? [] : [special])];
      ctx.write(`* LIST (${attributes.join(' ')}) "/" ${mailboxOnWire(m.name)}\r\n`);
    }
    return 'LIST completed';
  }
  const subscribed = await ctx.tree.subscriptions();
  const told = new Set<string>();
  for (const name of subscribed) {
    if (matchesPattern(full, name)) {
      told.add(name);
      ctx.write(`* LSUB () "/" ${mailboxOnWire(name)}\r\n`);
    }
  }
  // With `%`, a level above a subscribed name is answered \Noselect when not subscribed itself (RFC 3501 §6.3.9).
  for (const name of subscribed) {
    if (matchesPattern(full, name)) continue;
    const levels = name.split('/');
    for (let i = 1; i < levels.length; i++) {
      const above = levels.slice(0, i).join('/');
      if (told.has(above) || subscribed.includes(above) || !matchesPattern(full, above)) continue;
      told.add(above);
      ctx.write(`* LSUB (\\Noselect) "/" ${mailboxOnWire(above)}\r\n`);
    }
  }
  return 'LSUB completed';
}

/** STATUS `mailbox (items)`. */
export async function statusOf(ctx: MailboxCommandContext, args: readonly IMAPValue[]): Promise<string> {
  const items = args[1];
  if (args.length !== 2 || items?.type !== 'list') throw new IMAPParseError('Syntax: STATUS mailbox (items)', ctx.tag);
  const levels = nameArg(ctx, args[0]);
  const folder = ctx.factory.folderFor(await ctx.tree.open(levels));
  const messages = await folder.refresh();
  const values: Record<string, number> = {
    MESSAGES: messages.length,
    RECENT: messages.filter((m) => m.flags.includes('\\Recent')).length,
    UIDNEXT: folder.uidNext,
    UIDVALIDITY: folder.uidValidity,
    UNSEEN: messages.filter((m) => !m.flags.includes('\\Seen')).length,
    HIGHESTMODSEQ: folder.highestModseq,
  };
  const out = items.items.map((i) => {
    const key = (valueText(i) ?? '').toUpperCase();
    if (values[key] === undefined) throw new IMAPParseError(`unknown STATUS item ${key.slice(0, 20)}`, ctx.tag);
    return `${key} ${values[key]}`;
  });
  ctx.write(`* STATUS ${mailboxOnWire(joinMailboxName(levels))} (${out.join(' ')})\r\n`);
  return 'STATUS completed';
}

/** CREATE, DELETE, RENAME, SUBSCRIBE or UNSUBSCRIBE. */
export async function changeMailbox(ctx: MailboxCommandContext, verb: string, args: readonly IMAPValue[]): Promise<string> {
  const want = verb === 'RENAME' ? 2 : 1;
  if (args.length !== want) throw new IMAPParseError(`Syntax: ${verb} mailbox${want === 2 ? ' newname' : ''}`, ctx.tag);
  switch (verb) {
    case 'CREATE':
      await ctx.tree.create(nameArg(ctx, args[0], true));
      break;
    case 'DELETE':
      ctx.factory.folderRemoved(await ctx.tree.delete(nameArg(ctx, args[0])));
      break;
    case 'RENAME':
      for (const [from, to] of await ctx.tree.rename(nameArg(ctx, args[0]), nameArg(ctx, args[1]))) ctx.factory.folderMoved(from, to);
      break;
    default:
      await ctx.tree.subscribe(nameArg(ctx, args[0]), verb === 'SUBSCRIBE');
  }
  return `${verb} completed`;
}
