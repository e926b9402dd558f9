/**
 * `WordsService`: the chat realm every front door plugs into (Twisted Words' `service.InMemoryWordsRealm`
 * and its `IChatService`): who is online, which rooms exist, accounts, history.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Deferred, Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import type { IReactorTime } from '../internet/interfaces.js';
import { defaultReactor } from '../time/default-reactor.js';
import { OutputBatches } from './output-batch.js';
import { WORDS_LIMITS } from './limits.js';
import { AuthenticationError, InvalidNickError, NickInUseError, NoOperatorAccountError } from './errors.js';
import { UNKNOWN_ACCOUNT_HASH, VerifiedAccount, WordsAccounts, type RequestOrigin } from './accounts.js';
import type { AccountRecord, ChatMessage, DepartedUser, HistoryQuery, IChatClient, IWordsStore } from './interfaces.js';
import { globMatcher } from './masks.js';
import { DepartedUsers, type WhowasOptions } from './whowas.js';
import { MemoryStore } from './memory-store.js';
import { foldName, isValidNick } from './names.js';
import { boundTags } from './text.js';
import type { ScryptParams } from './passwords.js';
import { DEFAULT_SCRAM_ITERATIONS, type ScramHash } from '../cred/scram.js';
import type { WordsScramLogin } from './scram.js';
import { ChatRoom } from './room.js';
import { applyRoomOp, type RoomOp } from './room-ops.js';
import type { IWordsRelay } from './relay.js';
import {
  LoginThrottle,
  RegistrationLimiter,
  resolveLoginLimits,
  resolveRegistrationLimits,
  type LoginThrottleOptions,
  type RegistrationLimitOptions,
} from './throttle.js';
import { ChatUser, type RemoteIdentity, type ServiceCore, type UserChange, type UserDetails } from './user.js';

const log = new Logger({ namespace: 'torsion.words' });

export { VerifiedAccount, verifiedAccountFromChecker, type RequestOrigin } from './accounts.js';

/** Options of {@link WordsService}. */
export interface WordsServiceOptions {
  /** Where accounts and history go (a {@link MemoryStore} by default). */
  store?: IWordsStore;
  /** Where time comes from: the environment's reactor by default, or a test `Clock`. Times are in seconds. */
  clock?: IReactorTime;
  /** Rooms one user may be in at once (50 by default; ISUPPORT `CHANLIMIT`). */
  maxRoomsPerUser?: number;
  /** scrypt cost for new passwords (tests lower it). */
  scrypt?: ScryptParams;
  /** PBKDF2 iterations of the SCRAM keys made beside each new password hash (4096, as RFC 7677 asks at least). */
  scramIterations?: number;
  /**
   * The secret unknown names' SCRAM salts are derived from, so that a name's salt is the same at every
   * attempt and tells nothing about whether it exists (random per service by default; nodes of one chat
   * share one so that they answer alike).
   */
  scramSecret?: Uint8Array;
  /** A name for the service (the IRC server name defaults to it). */
  name?: string;
  /** Limits on password guessing, for every front door (see {@link LoginThrottleOptions} for the defaults). */
  login?: LoginThrottleOptions;
  /** Limits on account registration, for every front door (see {@link RegistrationLimitOptions}). */
  registration?: RegistrationLimitOptions;
  /**
   * Bytes of client tags stored with a room line (512 by default), counted as each tag's UTF-8 name and
   * value plus 2. Tags are kept in the order sent while they fit; one that does not fit is left out whole.
   * Members online get every tag the front door accepted; only the stored copy is bounded.
   */
  maxStoredTagBytes?: number;
  /** Masks each list of a room holds: bans, ban exceptions, invite exceptions (100 by default). */
  maxRoomListEntries?: number;
  /** How many departed nicks are remembered (IRC's WHOWAS; see {@link WhowasOptions}). */
  whowas?: WhowasOptions;
  /** Server operator accounts (IRC's OPER), their passwords hashed like account passwords (`hashPassword`). */
  operators?: readonly OperatorAccount[];
}

/** A server operator account: a name and a password hash (`scrypt$...`, as `hashPassword` makes). */
export interface OperatorAccount {
  readonly name: string;
  readonly passwordHash: string;
}

/** The limits of a {@link WordsService}, defaults filled in. */
export interface WordsLimits {
  readonly login: Readonly<Required<LoginThrottleOptions>>;
  readonly registration: Readonly<Required<RegistrationLimitOptions>>;
}

/** What a holder of a nick is told when the nick's owner logs in with it elsewhere. */
export const REGAINED = 'Nick regained by its owner';

/** Options of {@link WordsService.login}. */
export interface LoginOptions extends UserDetails {
  /** Where the user's events go. */
  client: IChatClient;
  /** The password, needed when the nick is registered (unless `account` is the nick's own). */
  password?: string;
  /** An account already proven by {@link WordsService.authenticate} (SASL). */
  account?: VerifiedAccount;
}

/** What a claim of a nick found: the account it logs in to, and whether the claimant proved it owns the nick. */
interface Claim {
  account: string | undefined;
  owner: boolean;
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
  /** The abuse limits in force. */
  readonly limits: WordsLimits;
  readonly #accounts: WordsAccounts;
  readonly maxStoredTagBytes: number;
  readonly maxRoomListEntries: number;
  /** The front doors' output batches: {@link OutputBatches.hold} before fanning out what came from elsewhere. */
  readonly output = new OutputBatches();
  /** Who used which nick before (IRC's WHOWAS). */
  readonly departed: DepartedUsers;
  readonly #operators = new Map<string, OperatorAccount>();
  #peakUsers = 0;
  readonly #clock: IReactorTime;
  readonly #users = new Map<string, ChatUser>();
  readonly #byUid = new Map<string, ChatUser>();
  readonly #rooms = new Map<string, ChatRoom>();
  #relay: IWordsRelay | undefined;
  #uidSeq = 0;
  #lastId = '';
  #lastMs = Number.NaN;
  #idSeq = 0;
  #started = false;

  constructor(options: WordsServiceOptions = {}) {
    this.store = options.store ?? new MemoryStore();
    this.#clock = options.clock ?? defaultReactor();
    this.maxRoomsPerUser = options.maxRoomsPerUser ?? WORDS_LIMITS.maxRoomsPerUser;
    this.maxStoredTagBytes = options.maxStoredTagBytes ?? WORDS_LIMITS.maxStoredTagBytes;
    this.maxRoomListEntries = options.maxRoomListEntries ?? WORDS_LIMITS.maxRoomListEntries;
    const whowas = { ...WORDS_LIMITS.whowas, ...options.whowas };
    this.departed = new DepartedUsers(whowas.perNick, whowas.maxEntries);
    for (const op of options.operators ?? []) this.addOperator(op.name, op.passwordHash);
    this.name = options.name ?? 'torsion.words';
    this.limits = { login: resolveLoginLimits(options.login), registration: resolveRegistrationLimits(options.registration) };
    this.#accounts = new WordsAccounts({
      store: this.store,
      now: () => this.now(),
      scrypt: options.scrypt,
      scramIterations: options.scramIterations ?? DEFAULT_SCRAM_ITERATIONS,
      scramSecret: options.scramSecret ?? randomBytes(32),
      loginThrottle: new LoginThrottle(this.limits.login),
      registrations: new RegistrationLimiter(this.limits.registration),
    });
  }

  /** Opens the store. */
  start(): Deferred<void> {
    if (this.#started) return Deferred.succeed(undefined);
    this.#started = true;
    return this.store.start();
  }

  /**
   * Joins this service to other nodes through `relay` (see `WordsCluster`): from then on room events are
   * applied once ordered among every node's, nicks are claimed among every node, and users of other nodes
   * appear here as users whose `node` is set. Attach before anyone logs in.
   */
  attachRelay(relay: IWordsRelay): void {
    this.#relay = relay;
  }

  /** True once {@link attachRelay} joined this service to other nodes. */
  get clustered(): boolean {
    return this.#relay !== undefined;
  }

  /**
   * Tells every client of this node `disconnect(reason)`, logs everyone out, then flushes and closes the
   * store. Users of other nodes are left alone there (their nodes carry on).
   */
  stop(reason = 'Server shutting down'): Deferred<void> {
    for (const user of [...this.#users.values()]) if (user.node === undefined) this.endSession(user, reason);
    if (!this.#started) return Deferred.succeed(undefined);
    this.#started = false;
    return this.store.stop();
  }

  /**
   * The service's time in seconds, to the millisecond: message times, account creation, sign-on and idle
   * times all come from here. Whole milliseconds keep a message's time equal to the time its id encodes.
   */
  now(): number {
    return Math.floor(this.#clock.seconds() * 1000) / 1000;
  }

  /** @internal Tells the user's client `disconnect(reason)` and logs the user out. */
  endSession(user: ChatUser, reason: string): void {
    try {
      user.client.disconnect(reason);
    } catch (e) {
      log.failure('client failed to disconnect', new Failure(e));
    }
    user.quit(reason);
  }

  /** @internal */
  nextMessageId(now: number): string {
    const ms = Math.round(now * 1000);
    // A burst says many lines in one millisecond: its base is made once, not once per line.
    if (ms === this.#lastMs) this.#idSeq++;
    else {
      this.#lastMs = ms;
      this.#lastId = ms.toString(36).padStart(9, '0');
      this.#idSeq = 0;
    }
    const id = `${this.#lastId}-${this.#idSeq.toString(36)}`;
    return this.#relay ? `${id}-${this.#relay.idTag}` : id;
  }

  /** @internal */
  newUid(): string {
    const n = (this.#uidSeq++).toString(36);
    return this.#relay ? `${this.#relay.idTag}.${n}` : n;
  }

  /** The user (of any node) with this {@link ChatUser.uid}. */
  userById(uid: string): ChatUser | undefined {
    return this.#byUid.get(uid);
  }

  /** @internal */
  commit(op: RoomOp): ChatRoom | Deferred<boolean> | undefined {
    if (!this.#relay) return applyRoomOp(this, op, true);
    const applied = this.#relay.commit(op);
    return op.t === 'msg' ? applied.addCallback((stored) => stored === true) : undefined;
  }

  /** @internal */
  userChanged(user: ChatUser, change: UserChange): void {
    if (user.node === undefined) this.#relay?.userChanged(user, change);
  }

  /**
   * @internal Adds a user of another node, whose events go to `client`. False (nothing added) if a user
   * here holds the nick.
   */
  addRemoteUser(nick: string, account: string | undefined, client: IChatClient, details: UserDetails, remote: RemoteIdentity): ChatUser | undefined {
    const key = foldName(nick);
    if (this.#users.has(key) || this.#byUid.has(remote.uid)) return undefined;
    const user = new ChatUser(this, nick, account, client, details, remote);
    this.#add(user);
    return user;
  }

  /** @internal A user of another node changed nick; those sharing a room with it here are told. */
  renameRemoteUser(user: ChatUser, nick: string): void {
    const holder = this.#users.get(foldName(nick));
    if (holder && holder !== user) {
      log.warn('{nick} of node {node} collides with a user here; the remote user is dropped', { nick, node: user.node ?? '' });
      user.quit('Nick collision');
      return;
    }
    this.#rename(user, nick);
  }

  #add(user: ChatUser): void {
    this.#users.set(user.key, user);
    this.#byUid.set(user.uid, user);
    if (this.#users.size > this.#peakUsers) this.#peakUsers = this.#users.size;
  }

  #rename(user: ChatUser, nick: string): void {
    const old = user.nick;
    this.#remember(user);
    const peers = user.roomPeers();
    this.#users.delete(user.key);
    user.rename(nick);
    this.#users.set(user.key, user);
    user.client.nickChanged(old, nick);
    for (const p of peers) p.client.nickChanged(old, nick);
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

  /** How many users are online. */
  get userCount(): number {
    return this.#users.size;
  }

  /** The most users online at once since the service started. */
  get peakUsers(): number {
    return this.#peakUsers;
  }

  /**
   * Who used `nick` before, newest first (IRC's WHOWAS): at most `count` entries when it is positive, all
   * kept otherwise. `nick` may hold `*` and `?` wildcards.
   */
  whowas(nick: string, count = 0): DepartedUser[] {
    return this.departed.lookup(nick, count, /[*?]/.test(nick) ? globMatcher(nick) : undefined);
  }

  /** Adds (or replaces) a server operator account; `passwordHash` as `hashPassword` makes it. */
  addOperator(name: string, passwordHash: string): void {
    this.#operators.set(foldName(name), { name, passwordHash });
  }

  /**
   * Makes `user` a server operator with an operator account's name and password. Fails with
   * `NoOperatorAccountError` for an unknown name, `AuthenticationError` for a wrong password, or
   * `TooManyAttemptsError` while the login throttle refuses (operator passwords are guessed like any other).
   * The hash is checked even for unknown names, so timing does not tell which names exist.
   */
  operatorLogin(user: ChatUser, name: string, password: string): Deferred<string> {
    const op = this.#operators.get(foldName(name));
    const key = `oper:${foldName(name)}`;
    return this.#accounts.checkPassword(name, key, password, op?.passwordHash ?? UNKNOWN_ACCOUNT_HASH, user.host).addCallback((ok) => {
      if (!op) throw new NoOperatorAccountError(name);
      if (!ok) throw new AuthenticationError(name);
      if (user.online) user.serverOperator = op.name;
      log.info('{nick} is now a server operator ({name})', { nick: user.nick, name: op.name });
      return op.name;
    });
  }

  /** Every room with members. */
  rooms(): IterableIterator<ChatRoom> {
    return this.#rooms.values();
  }

  /** @internal */
  createRoom(name: string): ChatRoom {
    const room = new ChatRoom(name, foldName(name), this.now());
    this.#rooms.set(room.key, room);
    return room;
  }

  /** @internal */
  dropRoomIfEmpty(room: ChatRoom): void {
    if (room.size === 0 && this.#rooms.get(room.key) === room) this.#rooms.delete(room.key);
  }

  /**
   * @internal Stores a room line (its tags cut to `maxStoredTagBytes`): fires true once the store holds it,
   * false if it could not be stored (the store logs why).
   */
  record(room: ChatRoom, message: ChatMessage): Deferred<boolean> {
    let stored = message;
    if (message.tags) {
      const tags = boundTags(message.tags, this.maxStoredTagBytes);
      if (tags !== message.tags) {
        stored = { ...message };
        if (tags) stored.tags = tags;
        else delete stored.tags;
      }
    }
    return this.store.appendMessage(room.key, stored).addCallbacks(
      () => true,
      () => false,
    );
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
   * `InvalidNickError` if not a valid nick, `TooManyRegistrationsError` past the registration limits of
   * `origin`'s connection or address (attempts count whether or not they succeed, an existing account aside).
   */
  register(nick: string, password: string, origin: RequestOrigin = {}): Deferred<AccountRecord> {
    return this.#accounts.register(nick, password, origin);
  }

  /**
   * {@link register}, then the proof of the new account, so the registrant logs in with it at once (no
   * second password hash, and no refusal by the login throttle of an address that mistyped before).
   */
  registerVerified(nick: string, password: string, origin: RequestOrigin = {}): Deferred<VerifiedAccount> {
    return this.#accounts.registerVerified(nick, password, origin);
  }

  /** Changes a registered nick's password (and its SCRAM keys). Fires false if there is no such account. */
  changePassword(nick: string, password: string): Deferred<boolean> {
    return this.#accounts.changePassword(nick, password);
  }

  /**
   * Checks a password (SASL PLAIN, web login): a {@link VerifiedAccount}, or `AuthenticationError`, or
   * `TooManyAttemptsError` (no check made) while `origin`'s address, or the account, is throttled.
   */
  authenticate(name: string, password: string, origin: RequestOrigin = {}): Deferred<VerifiedAccount> {
    return this.#accounts.authenticate(name, password, origin);
  }

  /**
   * Begins a SCRAM login (RFC 5802) of `name` with its stored keys of `hash`, under the same login throttle
   * as {@link authenticate}; an unknown name gets a decoy challenge and fails like a wrong password (see
   * `WordsAccounts.scramLogin`).
   */
  scramLogin(name: string, hash: ScramHash, origin: RequestOrigin = {}): Deferred<WordsScramLogin> {
    return this.#accounts.scramLogin(name, hash, origin);
  }

  /**
   * Checks that `nick` may be taken: valid, and (if registered) proven by `password` or an account. The nick
   * is not held meanwhile (a wrong guess must not keep the owner out): whether it is free is decided by the
   * caller once the claim has fired, where an owner who proved the account takes it from whoever holds it.
   */
  #claim(nick: string, host: string | undefined, password: string | undefined, account: VerifiedAccount | undefined, self?: ChatUser): Deferred<Claim> {
    if (!isValidNick(nick)) return Deferred.fail(new InvalidNickError(nick));
    const key = foldName(nick);
    const holder = this.#users.get(key);
    const ownsByAccount = account?.key === key || (self?.account !== undefined && foldName(self.account) === key);
    // A user of another node may be stale here (its node died since the last check): the nodes' claim decides.
    const heldHere = holder !== undefined && (holder.node === undefined || !this.#relay);
    if (heldHere && holder !== self && password === undefined && !ownsByAccount) return Deferred.fail(new NickInUseError(nick));
    return this.store.getAccount(key).addCallback((record): Deferred<Claim> | Claim => {
      if (!record) return { account: account?.name, owner: false };
      if (ownsByAccount) return { account: record.name, owner: true };
      if (password === undefined) throw new AuthenticationError(nick, 'Nickname is registered: a password is needed');
      return this.#accounts.checkPassword(nick, key, password, record.passwordHash, host).addCallback((ok) => {
        if (!ok) throw new AuthenticationError(nick);
        return this.#accounts.addScramKeys(key, record, password).addCallback((): Claim => ({ account: record.name, owner: true }));
      });
    });
  }

  /** Makes `nick` free for `claimant`: its owner takes it from its holder (REGAIN); anyone else is refused. */
  #takeNick(nick: string, claim: Claim, claimant?: ChatUser): void {
    const holder = this.#users.get(foldName(nick));
    if (!holder || holder === claimant) return;
    if (!claim.owner) throw new NickInUseError(nick);
    log.info('{nick} regained by its owner', { nick: holder.nick });
    this.endSession(holder, REGAINED);
  }

  /**
   * Logs `nick` in. Fails with `InvalidNickError`, `NickInUseError`, `AuthenticationError` (registered
   * nick without the right password or account) or `TooManyAttemptsError` (see {@link authenticate}).
   * The owner of a registered nick (right password, or its account) takes it from whoever holds it, who is
   * told `disconnect` ({@link REGAINED}).
   */
  login(nick: string, options: LoginOptions): Deferred<ChatUser> {
    return this.#claim(nick, options.host, options.password, options.account)
      .addCallback((claim) => this.#claimAmongNodes(nick, claim))
      .addCallback((claim) => {
        this.#takeNick(nick, claim);
        const user = new ChatUser(this, nick, claim.account ?? options.account?.name, options.client, options);
        this.#add(user);
        log.debug('{nick} logged in', { nick });
        this.#relay?.userArrived(user);
        return user;
      });
  }

  /**
   * Across nodes, claims `nick` among every node once the local checks passed (`NickInUseError` if another
   * node holds it); standing alone, passes `claim` through. The owner of a registered nick takes it.
   */
  #claimAmongNodes(nick: string, claim: Claim): Deferred<Claim> | Claim {
    const relay = this.#relay;
    if (!relay) return claim;
    const key = foldName(nick);
    return relay.claimNick(key, claim.owner).addCallback((won) => {
      if (!won) throw new NickInUseError(nick);
      const stale = this.#users.get(key);
      if (claim.owner || stale?.node === undefined) return claim;
      // Won among the nodes while a user of another node still holds it here: that node died, or a rename or
      // quit of its user is still on the way. Only the first frees the nick now.
      return relay.settleNode(stale.node).addCallback((settled) => {
        if (settled) return claim;
        relay.releaseNick(key);
        throw new NickInUseError(nick);
      });
    });
  }

  /** @internal */
  changeNick(user: ChatUser, nick: string): Deferred<void> {
    if (nick === user.nick) return Deferred.succeed(undefined);
    return this.#claim(nick, user.host, undefined, undefined, user)
      .addCallback((claim) => (foldName(nick) === user.key ? claim : this.#claimAmongNodes(nick, claim)))
      .addCallback((claim) => {
        if (!user.online) {
          if (foldName(nick) !== user.key) this.#relay?.releaseNick(foldName(nick));
          return;
        }
        this.#takeNick(nick, claim, user);
        const old = user.nick;
        const oldKey = user.key;
        this.#rename(user, nick);
        if (this.#relay) {
          if (oldKey !== user.key) this.#relay.releaseNick(oldKey);
          this.#relay.userRenamed(user, old);
        }
      });
  }

  /** @internal */
  logout(user: ChatUser, reason: string): void {
    if (this.#users.get(user.key) !== user) return;
    this.#users.delete(user.key);
    this.#byUid.delete(user.uid);
    this.#remember(user);
    if (user.node === undefined && this.#relay) {
      this.#relay.releaseNick(user.key);
      this.#relay.userLeft(user, reason);
    }
  }

  #remember(user: ChatUser): void {
    this.departed.remember({ nick: user.nick, username: user.username, host: user.host, realname: user.realname, time: this.now() });
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
