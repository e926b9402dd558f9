/**
 * An account's mailboxes: INBOX is its maildir, every other one a Maildir++ folder inside it
 * (`.Archive.2024`, with the empty `maildirfolder` marker), and subscriptions are in `subscriptions`
 * in Dovecot's second format, so Dovecot serving the same maildir sees the same folders and subscriptions.
 * @module
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IMAPMailboxError } from '../errors.js';
import type { Maildir } from '../maildir/maildir.js';
import { folderOf, joinMailboxName, levelsOfFolder, type NameLimits } from './mailbox-names.js';

/** The file of subscribed names (Dovecot's: `V\t2`, a blank line, then one name a line with levels split by tabs). */
export const SUBSCRIPTIONS_FILE = 'subscriptions';

/** What LIST says of one name. */
export interface MailboxListing {
  /** The name on the wire (modified UTF-7, levels split by `/`). */
  readonly name: string;
  /** False for a level that only exists because a mailbox below it does (`\Noselect`). */
  readonly selectable: boolean;
  readonly hasChildren: boolean;
}

/** The limits a tree applies. */
export interface MailboxTreeLimits extends NameLimits {
  /** Mailboxes one account may have, INBOX included. */
  maxMailboxes: number;
}

/** The mailboxes of one account's maildir. */
export class MailboxTree {
  constructor(
    /** The account's maildir, which is INBOX. */
    readonly root: Maildir,
    readonly limits: MailboxTreeLimits,
  ) {}

  /** The maildir holding the mailbox `levels` (which may not exist yet). */
  maildirOf(levels: readonly string[]): Maildir {
    const folder = folderOf(levels);
    return folder === '' ? this.root : this.root.child(folder);
  }

  /** The maildir of an existing mailbox; fails `NONEXISTENT` (or `TRYCREATE`, for APPEND, COPY and MOVE) otherwise. */
  async open(levels: readonly string[], missing: 'NONEXISTENT' | 'TRYCREATE' = 'NONEXISTENT'): Promise<Maildir> {
    const maildir = this.maildirOf(levels);
    if (maildir === this.root) {
      await maildir.create().asPromise();
      return maildir;
    }
    if (!(await maildir.exists())) throw new IMAPMailboxError(missing, `No mailbox ${joinMailboxName(levels)}`);
    return maildir;
  }

  /** Every mailbox, INBOX first, as level lists. */
  async mailboxes(): Promise<string[][]> {
    const out: string[][] = [['INBOX']];
    let entries: import('node:fs').Dirent[] = [];
    try {
      entries = await readdir(this.root.path, { withFileTypes: true });
    } catch {
      return out;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const levels = levelsOfFolder(entry.name, this.limits);
      if (levels !== undefined) out.push(levels);
    }
    return out;
  }

  /** Every name LIST can show: the mailboxes, and the levels above them that are not mailboxes themselves. */
  async listing(): Promise<MailboxListing[]> {
    const real = new Set((await this.mailboxes()).map(joinMailboxName));
    const all = new Set(real);
    for (const name of real) {
      const levels = name.split('/');
      for (let i = 1; i < levels.length; i++) all.add(levels.slice(0, i).join('/'));
    }
    const names = [...all].sort((a, b) => (a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a < b ? -1 : a > b ? 1 : 0));
    return names.map((name) => ({ name, selectable: real.has(name), hasChildren: names.some((n) => n.startsWith(`${name}/`)) }));
  }

  /** Makes the mailbox, and any level above it that is missing (RFC 3501 §6.3.3 asks for them). */
  async create(levels: readonly string[]): Promise<void> {
    if (levels.length === 1 && levels[0] === 'INBOX') throw new IMAPMailboxError('ALREADYEXISTS', 'INBOX always exists');
    const existing = await this.mailboxes();
    const have = new Set(existing.map(joinMailboxName));
    if (have.has(joinMailboxName(levels))) throw new IMAPMailboxError('ALREADYEXISTS', `Mailbox ${joinMailboxName(levels)} exists`);
    const wanted: string[][] = [];
    for (let i = 1; i <= levels.length; i++) if (!have.has(joinMailboxName(levels.slice(0, i))) && !(i === 1 && levels[0] === 'INBOX')) wanted.push(levels.slice(0, i));
    if (existing.length + wanted.length > this.limits.maxMailboxes) throw new IMAPMailboxError('LIMIT', `At most ${this.limits.maxMailboxes} mailboxes`);
    for (const l of wanted) await this.#make(this.maildirOf(l).path);
  }

  async #make(path: string): Promise<void> {
    for (const sub of ['tmp', 'new', 'cur']) await mkdir(join(path, sub), { recursive: true, mode: 0o700 });
    await writeFile(join(path, 'maildirfolder'), '', { mode: 0o600 });
  }

  /**
   * Removes the mailbox and its messages. Mailboxes below it stay (the name lives on as `\Noselect`, as
   * RFC 3501 §6.3.4 allows); INBOX cannot be deleted. Fires with the removed maildir's path.
   */
  async delete(levels: readonly string[]): Promise<string> {
    if (levels.length === 1 && levels[0] === 'INBOX') throw new IMAPMailboxError('CANNOT', 'INBOX cannot be deleted');
    const maildir = this.maildirOf(levels);
    if (!(await maildir.exists())) throw new IMAPMailboxError('NONEXISTENT', `No mailbox ${joinMailboxName(levels)}`);
    await rm(maildir.path, { recursive: true, force: true });
    return maildir.path;
  }

  /**
   * Renames the mailbox and every mailbox below it (RFC 3501 §6.3.5). Renaming INBOX moves its messages
   * into a new mailbox and leaves INBOX empty. Fires with each maildir that moved: its old path and new maildir.
   */
  async rename(from: readonly string[], to: readonly string[]): Promise<[string, Maildir][]> {
    const fromName = joinMailboxName(from);
    const toName = joinMailboxName(to);
    const all = await this.mailboxes();
    const names = new Set(all.map(joinMailboxName));
    if (!names.has(fromName)) throw new IMAPMailboxError('NONEXISTENT', `No mailbox ${fromName}`);
    if (names.has(toName) || (to.length === 1 && to[0] === 'INBOX')) throw new IMAPMailboxError('ALREADYEXISTS', `Mailbox ${toName} exists`);
    if (toName.startsWith(`${fromName}/`)) throw new IMAPMailboxError('CANNOT', 'A mailbox cannot move below itself');
    if (fromName === 'INBOX') {
      await this.#renameInbox(to);
      return [];
    }
    const moving = all.filter((l) => joinMailboxName(l) === fromName || joinMailboxName(l).startsWith(`${fromName}/`));
    const parents: string[][] = [];
    for (let i = 1; i < to.length; i++) if (!names.has(joinMailboxName(to.slice(0, i))) && to[0] !== 'INBOX') parents.push(to.slice(0, i));
    if (all.length + parents.length > this.limits.maxMailboxes) throw new IMAPMailboxError('LIMIT', `At most ${this.limits.maxMailboxes} mailboxes`);
    const moved: [string, Maildir][] = [];
    for (const levels of moving) {
      const pair: [string, Maildir] = [this.maildirOf(levels).path, this.maildirOf([...to, ...levels.slice(from.length)])];
      await rename(pair[0], pair[1].path);
      moved.push(pair);
    }
    for (const l of parents) await this.#make(this.maildirOf(l).path);
    return moved;
  }

  async #renameInbox(to: readonly string[]): Promise<void> {
    const target = this.maildirOf(to);
    await this.#make(target.path);
    for (const folder of ['new', 'cur']) {
      for (const name of await readdir(join(this.root.path, folder))) await rename(join(this.root.path, folder, name), join(target.path, folder, name));
    }
  }

  /** The subscribed names, as written (a subscription may outlive its mailbox). */
  async subscriptions(): Promise<string[]> {
    let text: string;
    try {
      text = await readFile(join(this.root.path, SUBSCRIPTIONS_FILE), 'utf8');
    } catch {
      return [];
    }
    const lines = text.split('\n');
    // The first format (no header) has one name a line in the server's own separator.
    if (lines[0] !== 'V\t2') return lines.filter((l) => l !== '');
    return lines.slice(2).filter((l) => l !== '').map((l) => l.split('\t').join('/'));
  }

  /** Adds or removes a subscription (written to a new file, then renamed over the old one). */
  async subscribe(levels: readonly string[], on: boolean): Promise<void> {
    const name = joinMailboxName(levels);
    const now = await this.subscriptions();
    const next = on ? [...new Set([...now, name])] : now.filter((n) => n !== name);
    if (on && next.length > this.limits.maxMailboxes) throw new IMAPMailboxError('LIMIT', `At most ${this.limits.maxMailboxes} subscriptions`);
    const path = join(this.root.path, SUBSCRIPTIONS_FILE);
    await writeFile(`${path}.tmp`, `V\t2\n\n${next.map((n) => `${n.split('/').join('\t')}\n`).join('')}`, { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }
}
