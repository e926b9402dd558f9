/**
 * The IMAP server's factory: one {@link IMAP4Server} per connection, one {@link IMAPFolder} per maildir shared by all.
 * @module
 */
import { Factory } from '../../internet/index.js';
import type { IAddress, IReactorTime, TLSOptions } from '../../internet/interfaces.js';
import type { Portal } from '../../cred/index.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { IMAP_LIMITS, type IMAPLimits } from '../limits.js';
import type { Maildir } from '../maildir/maildir.js';
import { IMAPFolder } from './folder.js';
import { DEFAULT_SPECIAL_USE, IMAP4Server, type IMAPServerOptions } from './server.js';

/**
 * Makes an {@link IMAP4Server} per connection, and keeps one {@link IMAPFolder} per maildir for all of them.
 *
 * @example
 * reactor.listenTCP(1143, new IMAP4Factory({ hostname: 'mail.example.test', portal }));
 */
export class IMAP4Factory extends Factory<IMAP4Server> {
  readonly hostname: string;
  readonly portal: Portal;
  readonly tls: TLSOptions | undefined;
  readonly allowPlaintextAuth: boolean;
  readonly clock: IReactorTime;
  readonly limits: IMAPLimits;
  readonly idlePollInterval: number;
  /** SPECIAL-USE attributes by mailbox name. */
  readonly specialUse: ReadonlyMap<string, string>;
  /** The open sessions. */
  readonly connections = new Set<IMAP4Server>();
  readonly #folders = new Map<string, IMAPFolder>();
  #lastUidValidity = 0;

  constructor(options: IMAPServerOptions) {
    super();
    this.hostname = options.hostname;
    this.portal = options.portal;
    this.tls = options.tls;
    this.allowPlaintextAuth = options.allowPlaintextAuth ?? false;
    this.clock = options.clock ?? defaultReactor();
    this.limits = { ...IMAP_LIMITS, ...options.limits };
    this.idlePollInterval = options.idlePollInterval ?? 30;
    this.specialUse = new Map(Object.entries(options.specialUse ?? DEFAULT_SPECIAL_USE));
  }

  override buildProtocol(_addr: IAddress): IMAP4Server {
    return new IMAP4Server(this);
  }

  /** The shared folder of `maildir`. */
  folderFor(maildir: Maildir): IMAPFolder {
    let folder = this.#folders.get(maildir.path);
    if (folder === undefined) {
      folder = new IMAPFolder(maildir, () => this.#nextUidValidity(), this.limits.headerCacheSize);
      this.#folders.set(maildir.path, folder);
    }
    return folder;
  }

  /**
   * A UIDVALIDITY for a new mailbox: the time in seconds, but always above the last one given, so a
   * mailbox deleted and made again within the same second still tells clients their cache is stale.
   */
  #nextUidValidity(): number {
    this.#lastUidValidity = Math.max(Math.floor(this.clock.seconds()), this.#lastUidValidity + 1);
    return this.#lastUidValidity;
  }

  /** The maildir at `path` was removed: sessions that had it selected are told, and it is forgotten. */
  folderRemoved(path: string): void {
    const folder = this.#folders.get(path);
    this.#folders.delete(path);
    folder?.markGone();
  }

  /** The maildir at `from` now lives at `to` (RENAME): sessions keep it selected under its new name. */
  folderMoved(from: string, to: Maildir): void {
    const folder = this.#folders.get(from);
    if (folder === undefined) return;
    this.#folders.delete(from);
    folder.relocate(to);
    this.#folders.set(to.path, folder);
  }

  /** Says BYE to every open session. */
  closeAll(): void {
    for (const c of [...this.connections]) c.shutdown();
  }
}
