/**
 * A maildir as an IMAP mailbox: UIDs given in arrival order and kept in a small index file next to the
 * messages (`torsion-imap-uids.json`), so UIDVALIDITY and every UID survive restarts; flags live in the
 * maildir names (`S` `R` `F` `T` `D`). One {@link IMAPFolder} per maildir is shared by all the sessions
 * on it, and tells each of them what another changed.
 * @module
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Maildir, MaildirEntry } from '../maildir/maildir.js';

/** The file, inside the maildir, holding UIDVALIDITY, the next UID and each message's UID. */
export const UID_INDEX_FILE = 'torsion-imap-uids.json';

const FLAG_LETTERS: Record<string, string> = { '\\Seen': 'S', '\\Answered': 'R', '\\Flagged': 'F', '\\Deleted': 'T', '\\Draft': 'D' };
/** The system flags a maildir can keep (keywords are not kept). */
export const PERMANENT_FLAGS = Object.keys(FLAG_LETTERS);

/** One message as IMAP sees it. */
export interface IMAPMessage {
  readonly uid: number;
  readonly entry: MaildirEntry;
  /** System flags, `\Recent` included for messages still in `new/`. */
  readonly flags: readonly string[];
  /** Arrival time in seconds since the epoch (from the maildir name), 0 if unknown. */
  readonly internalDate: number;
}

interface UidIndex {
  uidValidity: number;
  nextUid: number;
  uids: Record<string, number>;
}

/** The maildir flag letters for IMAP flags (unknown flags are dropped). */
export function flagLetters(flags: Iterable<string>): string[] {
  const out: string[] = [];
  for (const f of flags) {
    const letter = FLAG_LETTERS[Object.keys(FLAG_LETTERS).find((k) => k.toLowerCase() === f.toLowerCase()) ?? ''];
    if (letter !== undefined) out.push(letter);
  }
  return out;
}

function imapFlags(entry: MaildirEntry): string[] {
  const out = Object.entries(FLAG_LETTERS).filter(([, letter]) => entry.flags.includes(letter)).map(([f]) => f);
  if (entry.folder === 'new') out.push('\\Recent');
  return out;
}

/** Something listening to a folder: told after any change so it can send untagged EXISTS/EXPUNGE/FETCH. */
export type FolderListener = () => void;

/** One maildir with its UID index; every operation runs in order (one queue), so sessions never race. */
export class IMAPFolder {
  #index: UidIndex | undefined;
  #messages: IMAPMessage[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  readonly listeners = new Set<FolderListener>();

  constructor(
    readonly maildir: Maildir,
    /** Seconds since the epoch, for a new UIDVALIDITY. */
    private readonly now: () => number,
  ) {}

  get uidValidity(): number {
    return this.#index?.uidValidity ?? 0;
  }

  get uidNext(): number {
    return this.#index?.nextUid ?? 1;
  }

  /** The messages as of the last {@link refresh}, in UID order. */
  get messages(): readonly IMAPMessage[] {
    return this.#messages;
  }

  /** Runs `work` after every earlier operation. */
  #run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Re-reads the maildir (new deliveries get UIDs, removed messages drop out); tells listeners if anything changed. */
  refresh(): Promise<readonly IMAPMessage[]> {
    return this.#run(() => this.#refresh());
  }

  async #refresh(): Promise<readonly IMAPMessage[]> {
    const index = this.#index ?? (await this.#loadIndex());
    this.#index = index;
    const entries = await this.maildir.list();
    let dirty = false;
    const seen = new Set<string>();
    const messages: IMAPMessage[] = [];
    for (const entry of entries) {
      seen.add(entry.unique);
      let uid = index.uids[entry.unique];
      if (uid === undefined) {
        uid = index.nextUid++;
        index.uids[entry.unique] = uid;
        dirty = true;
      }
      messages.push({ uid, entry, flags: imapFlags(entry), internalDate: Number(/^\d+/.exec(entry.unique)?.[0] ?? 0) });
    }
    for (const unique of Object.keys(index.uids)) {
      if (!seen.has(unique)) {
        delete index.uids[unique];
        dirty = true;
      }
    }
    messages.sort((a, b) => a.uid - b.uid);
    const changed = dirty || messages.length !== this.#messages.length || messages.some((m, i) => m.entry.filename !== this.#messages[i]?.entry.filename);
    this.#messages = messages;
    if (dirty) await this.#saveIndex(index);
    if (changed) for (const l of [...this.listeners]) l();
    return messages;
  }

  async #loadIndex(): Promise<UidIndex> {
    try {
      const parsed = JSON.parse(await readFile(join(this.maildir.path, UID_INDEX_FILE), 'utf8')) as UidIndex;
      if (Number.isSafeInteger(parsed.uidValidity) && Number.isSafeInteger(parsed.nextUid) && typeof parsed.uids === 'object') return parsed;
    } catch {
      // No index yet (or a damaged one): a new UIDVALIDITY tells clients to forget what they cached.
    }
    return { uidValidity: Math.max(1, Math.floor(this.now())), nextUid: 1, uids: {} };
  }

  async #saveIndex(index: UidIndex): Promise<void> {
    const path = join(this.maildir.path, UID_INDEX_FILE);
    await writeFile(`${path}.tmp`, JSON.stringify(index));
    await rename(`${path}.tmp`, path);
  }

  /** The message's bytes (CRLF line ends). */
  read(message: IMAPMessage): Promise<Uint8Array> {
    return this.maildir.read(message.entry).asPromise();
  }

  /** Sets the flags of the messages with these UIDs (`mode` +, - or replace); fires with the messages after. */
  store(uids: readonly number[], mode: '+' | '-' | '', flags: readonly string[]): Promise<readonly IMAPMessage[]> {
    return this.#run(async () => {
      const wanted = new Set(flagLetters(flags));
      for (const uid of uids) {
        const m = this.#messages.find((x) => x.uid === uid);
        if (m === undefined) continue;
        const now = new Set(m.entry.flags);
        const next = mode === '+' ? new Set([...now, ...wanted]) : mode === '-' ? new Set([...now].filter((l) => !wanted.has(l))) : wanted;
        if (m.entry.folder === 'cur' && [...next].sort().join('') === m.entry.flags) continue;
        await this.maildir.setFlags(m.entry, next).asPromise().catch(() => undefined);
      }
      return this.#refresh();
    });
  }

  /** Removes the messages with these UIDs. */
  expunge(uids: readonly number[]): Promise<readonly IMAPMessage[]> {
    return this.#run(async () => {
      for (const uid of uids) {
        const m = this.#messages.find((x) => x.uid === uid);
        if (m !== undefined) await this.maildir.remove(m.entry).asPromise();
      }
      return this.#refresh();
    });
  }

  /** Delivers `message` with `flags`; fires with its UID. */
  append(message: Uint8Array, flags: readonly string[]): Promise<number> {
    return this.#run(async () => {
      const unique = await this.maildir.deliver(message).asPromise();
      const letters = flagLetters(flags);
      if (letters.length > 0) {
        const entry = (await this.maildir.list()).find((e) => e.unique === unique);
        if (entry !== undefined) await this.maildir.setFlags(entry, letters).asPromise();
      }
      await this.#refresh();
      return this.#index!.uids[unique] ?? 0;
    });
  }
}
