/**
 * `WordsService`: the chat realm every front door plugs into (Twisted Words' `service.InMemoryWordsRealm`
 * and its `IChatService`): who is online, which rooms exist, accounts, history.
 * @module
 */
import { Deferred, Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { AuthenticationError, InvalidNickError, NickInUseError } from './errors.js';
import type { AccountRecord, ChatMessage, HistoryQuery, IChatClient, IWordsStore } from './interfaces.js';
import { MemoryStore } from './memory-store.js';
import { foldName, isValidNick } from './names.js';
import { hashPassword, verifyPassword, type ScryptParams } from './passwords.js';
import { ChatRoom } from './room.js';
import { ChatUser, type ServiceCore, type UserDetails } from './user.js';

const log = new Logger({ namespace: 'torsion.words' });

/** Options of {@link WordsService}. */
export interface WordsServiceOptions {
  /** Where accounts and history go (a {@link MemoryStore} by default). */
  store?: IWordsStore;
  /** The current time in milliseconds (`Date.now` by default). */
  now?: () => number;
  /** Rooms one user may be in at once (50 by default; ISUPPORT `CHANLIMIT`). */
  maxRoomsPerUser?: number;
  /** scrypt cost for new passwords (tests lower it). */
  scrypt?: ScryptParams;
  /** A name for the service (the IRC server name defaults to it). */
  name?: string;
}

/** Options of {@link WordsService.login}. */
export interface LoginOptions extends UserDetails {
  /** Where the user's events go. */
  client: IChatClient;
  /** The password, needed when the nick is registered (unless `account` is the nick's own). */
  password?: string;
  /** An account already proven by {@link WordsService.authenticate} (SASL). */
  account?: VerifiedAccount;
}

/** Proof that a password was checked, made only by {@link WordsService.authenticate}. */
export class VerifiedAccount {
  /** @internal */
  constructor(
    readonly name: string,
    readonly key: string,
  ) {
    if (!minting) throw new TypeError('VerifiedAccount is made only by WordsService.authenticate');
  }
}
let minting = false;
function mint(name: string): VerifiedAccount {
  minting = true;
  try {
    return new VerifiedAccount(name, foldName(name));
  } finally {
    minting = false;
  }
}

/**
 * The chat service. Front doors call {@link login} for each person and act through the {@link ChatUser}
 * they get back; they hear about the chat through the {@link IChatClient} they passed in.
 *
 * @example
 * const service = createWordsService();
 * await service.start();
 * const alice = await service.login('alice', { client: myClient });
 * alice.join('#lobby');
 * alice.send('#lobby', 'hello');
 */
export class WordsService implements ServiceCore {
  readonly store: IWordsStore;
  readonly name: string;
  readonly maxRoomsPerUser: number;
  readonly #now: () => number;
  readonly #scrypt: ScryptParams | undefined;
  readonly #users = new Map<string, ChatUser>();
  readonly #rooms = new Map<string, ChatRoom>();
  /** Folded nicks held while a login or nick change checks a password. */
  readonly #reserved = new Set<string>();
  #lastId = '';
  #idSeq = 0;
  #started = false;

  constructor(options: WordsServiceOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.#now = options.now ?? Date.now;
    this.maxRoomsPerUser = options.maxRoomsPerUser ?? 50;
    this.#scrypt = options.scrypt;
    this.name = options.name ?? 'torsion.words';
  }

  /** Opens the store. */
  start(): Deferred<void> {
    if (this.#started) return Deferred.succeed(undefined);
    this.#started = true;
    return this.store.start();
  }

  /** Tells every client `disconnect(reason)`, logs everyone out, then flushes and closes the store. */
  stop(reason = 'Server shutting down'): Deferred<void> {
    for (const user of [...this.#users.values()]) {
      try {
        user.client.disconnect(reason);
      } catch (e) {
        log.failure('client failed to disconnect', new Failure(e));
      }
      user.quit(reason);
    }
    if (!this.#started) return Deferred.succeed(undefined);
    this.#started = false;
    return this.store.stop();
  }

  now(): number {
    return this.#now();
  }

  /** @internal */
  nextMessageId(now: number): string {
    const base = now.toString(36).padStart(9, '0');
    this.#idSeq = base === this.#lastId ? this.#idSeq + 1 : 0;
    this.#lastId = base;
    return `${base}-${this.#idSeq.toString(36)}`;
  }

  /** The online user with this nick (any case). */
  findUser(nick: string): ChatUser | undefined {
    return this.#users.get(foldName(nick));
  }

  /** The room with this name (any case), if anyone is in it. */
  findRoom(name: string): ChatRoom | undefined {
    return this.#rooms.get(foldName(name));
  }

  /** Everyone online. */
  users(): IterableIterator<ChatUser> {
    return this.#users.values();
  }

  /** Every room with members. */
  rooms(): IterableIterator<ChatRoom> {
    return this.#rooms.values();
  }

  /** @internal */
  createRoom(name: string): ChatRoom {
    const room = new ChatRoom(name, foldName(name), this.#now());
    this.#rooms.set(room.key, room);
    return room;
  }

  /** @internal */
  dropRoomIfEmpty(room: ChatRoom): void {
    if (room.size === 0 && this.#rooms.get(room.key) === room) this.#rooms.delete(room.key);
  }

  /** @internal */
  record(room: ChatRoom, message: ChatMessage): void {
    this.store.appendMessage(room.key, message);
  }

  /** A room's stored history, oldest first (whether or not anyone is in the room now). */
  history(room: ChatRoom | string, query: HistoryQuery): Deferred<ChatMessage[]> {
    return this.store.history(typeof room === 'string' ? foldName(room) : room.key, query);
  }

  /** True if the nick is registered. */
  isRegistered(nick: string): Deferred<boolean> {
    return this.store.getAccount(foldName(nick)).addCallback((r) => r !== undefined);
  }

  /**
   * Registers `nick` with `password` (hashed with scrypt). Fails with `AccountExistsError` if taken,
   * `InvalidNickError` if not a valid nick.
   */
  register(nick: string, password: string): Deferred<AccountRecord> {
    if (!isValidNick(nick)) return Deferred.fail(new InvalidNickError(nick));
    return hashPassword(password, this.#scrypt).addCallback((passwordHash) => {
      const record: AccountRecord = { name: nick, passwordHash, created: this.#now() };
      return this.store.createAccount(foldName(nick), record).addCallback(() => record);
    });
  }

  /** Changes a registered nick's password. Fires false if there is no such account. */
  changePassword(nick: string, password: string): Deferred<boolean> {
    return hashPassword(password, this.#scrypt).addCallback((h) => this.store.setPasswordHash(foldName(nick), h));
  }

  /** Checks a password (SASL PLAIN, web login): a {@link VerifiedAccount}, or `AuthenticationError`. */
  authenticate(name: string, password: string): Deferred<VerifiedAccount> {
    return this.store.getAccount(foldName(name)).addCallback((record) => {
      // Hash even for unknown names, so timing does not tell which names are registered.
      const stored = record?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
      return verifyPassword(password, stored).addCallback((ok) => {
        if (!ok || !record) throw new AuthenticationError(name);
        return mint(record.name);
      });
    });
  }

  /** Checks that `nick` may be taken: valid, free, and (if registered) proven by `password` or `account`. */
  #claim(nick: string, password: string | undefined, account: VerifiedAccount | undefined, self?: ChatUser): Deferred<string | undefined> {
    if (!isValidNick(nick)) return Deferred.fail(new InvalidNickError(nick));
    const key = foldName(nick);
    const holder = this.#users.get(key);
    if ((holder && holder !== self) || this.#reserved.has(key)) return Deferred.fail(new NickInUseError(nick));
    this.#reserved.add(key);
    const d = this.store.getAccount(key).addCallback((record): Deferred<string | undefined> | string | undefined => {
      if (!record) return account?.name;
      if (account?.key === key || (self?.account !== undefined && foldName(self.account) === key)) return record.name;
      if (password === undefined) throw new AuthenticationError(nick, 'Nickname is registered: a password is needed');
      return verifyPassword(password, record.passwordHash).addCallback((ok) => {
        if (!ok) throw new AuthenticationError(nick);
        return record.name;
      });
    });
    d.addBoth((r) => {
      this.#reserved.delete(key);
      return r;
    });
    return d;
  }

  /**
   * Logs `nick` in. Fails with `InvalidNickError`, `NickInUseError`, or `AuthenticationError` (registered
   * nick without the right password or account).
   */
  login(nick: string, options: LoginOptions): Deferred<ChatUser> {
    return this.#claim(nick, options.password, options.account).addCallback((accountName) => {
      const user = new ChatUser(this, nick, accountName ?? options.account?.name, options.client, options);
      this.#users.set(user.key, user);
      log.debug('{nick} logged in', { nick });
      return user;
    });
  }

  /** @internal */
  changeNick(user: ChatUser, nick: string): Deferred<void> {
    if (nick === user.nick) return Deferred.succeed(undefined);
    return this.#claim(nick, undefined, undefined, user).addCallback(() => {
      if (!user.online) return;
      const old = user.nick;
      const peers = user.roomPeers();
      this.#users.delete(user.key);
      user.rename(nick);
      this.#users.set(user.key, user);
      user.client.nickChanged(old, nick);
      for (const p of peers) p.client.nickChanged(old, nick);
    });
  }

  /** @internal */
  logout(user: ChatUser): void {
    if (this.#users.get(user.key) === user) this.#users.delete(user.key);
  }
}

/**
 * A {@link WordsService}.
 *
 * @example
 * const service = createWordsService({ store: new DbStore({ filename: 'words.sqlite' }) });
 * await service.start();
 */
export function createWordsService(options: WordsServiceOptions = {}): WordsService {
  return new WordsService(options);
}
