/**
 * `MaildirMailbox`: a reading session's snapshot of a maildir, as POP3 uses it (and IMAP will extend):
 * numbered messages with sizes and unique ids, deletions marked in the session and applied only at `sync()`.
 * @module
 */
import { createHash } from 'node:crypto';
import { Deferred } from '../../defer/index.js';
import { NoSuchMessage } from '../errors.js';
import type { IMailbox, MessageInfo } from '../interfaces.js';
import type { Maildir, MaildirEntry } from './maildir.js';

/** The longest POP3 unique id (RFC 1939 §7: 1 to 70 characters in 0x21..0x7E). */
const MAX_UID = 70;

/** A unique id POP3 can carry: the maildir's unique name when it fits, else a digest of it. */
export function pop3Uid(unique: string): string {
  if (unique.length <= MAX_UID && /^[\x21-\x7e]+$/.test(unique)) return unique;
  return createHash('sha256').update(unique).digest('hex').slice(0, 40);
}

/**
 * A snapshot of a maildir for one session.
 *
 * @example
 * const box = await MaildirMailbox.open(new Maildir('./var/mail/alice'));
 * const first = await box.getMessage(0);
 * box.deleteMessage(0);
 * await box.sync(); // now it is gone
 */
export class MaildirMailbox implements IMailbox {
  readonly #deleted = new Set<number>();
  readonly #infos: MessageInfo[];

  constructor(
    readonly maildir: Maildir,
    /** The entries of the snapshot, in order. */
    readonly entries: readonly MaildirEntry[],
  ) {
    this.#infos = entries.map((e) => ({ uid: pop3Uid(e.unique), size: e.size }));
  }

  /** A snapshot of `maildir` now, at most `maxMessages` messages (the oldest). */
  static open(maildir: Maildir, maxMessages = Infinity): Deferred<MaildirMailbox> {
    return maildir.list().addCallback((entries) => new MaildirMailbox(maildir, entries.slice(0, maxMessages)));
  }

  listMessages(): readonly MessageInfo[] {
    return this.#infos;
  }

  getMessage(index: number): Deferred<Uint8Array> {
    const entry = this.entries[index];
    if (entry === undefined) return Deferred.fail(new NoSuchMessage(`no message ${index}`));
    return this.maildir.read(entry);
  }

  deleteMessage(index: number): void {
    if (this.entries[index] === undefined) throw new NoSuchMessage(`no message ${index}`);
    this.#deleted.add(index);
  }

  isDeleted(index: number): boolean {
    return this.#deleted.has(index);
  }

  undeleteMessages(): void {
    this.#deleted.clear();
  }

  sync(): Deferred<void> {
    const doomed = [...this.#deleted].map((i) => this.entries[i]!);
    this.#deleted.clear();
    return Deferred.fromPromise(
      (async () => {
        for (const entry of doomed) await this.maildir.remove(entry);
      })(),
    );
  }
}
