/**
 * `WordsCluster`: joins a {@link WordsService} to the other nodes of one chat through `torsion/bus` (Redis
 * between machines, the in-memory hub in tests). Every node holds every room and mirrors every user of the
 * other nodes (a `ChatUser` whose `node` is set), so NAMES, WHOIS and the room rules work the same on each.
 * Room events get a per-room sequence number from the bus's counter and every node, the sending one
 * included, applies them in that order; a room line carries its number to the front doors and into the
 * history ({@link ChatMessage.seq}), where a page that lost its node finds what it missed by that number. Nicks are claimed on the bus; a node's users leave every other node
 * when the node stops refreshing its presence.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { BusSubscription, IBus } from '../../bus/index.js';
import { Logger } from '../../logger/index.js';
import type { IDelayedCall, IReactorTime } from '../../time/interfaces.js';
import type { ChatMessage, RoomChange } from '../interfaces.js';
import { WORDS_LIMITS } from '../limits.js';
import { foldName } from '../names.js';
import type { IWordsRelay } from '../relay.js';
import type { ChatRoom } from '../room.js';
import { applyRoomOp, type RoomOp } from '../room-ops.js';
import type { WordsService } from '../service.js';
import type { ChatUser, UserChange } from '../user.js';
import { RemoteClient } from './remote-client.js';
import { RoomOrder } from './room-order.js';
import { EVENTS, lineFields, lineOp, nickKey, nodeChannel, nodeKey, roomCounter, type ClusterEvent, type DirectEvent, type RoomInfo, type UserInfo } from './wire.js';

const log = new Logger({ namespace: 'torsion.words.cluster' });

/** The limits of a {@link WordsCluster} (defaults in `WORDS_LIMITS.cluster`). */
export interface ClusterLimits {
  /** Seconds a room waits for a missing event before skipping it. */
  gapWait: number;
  /** Events a room holds behind a missing one before skipping it at once. */
  maxPendingPerRoom: number;
  /** Seconds between checks that the nodes whose users are mirrored here are still alive. */
  nodeCheck: number;
  /** Seconds {@link WordsCluster.stop} waits for queued events to reach the bus (Redis may be away). */
  stopWait: number;
}

/** Options of {@link WordsCluster}. */
export interface WordsClusterOptions {
  /** Schedules the gap waits and the node checks. */
  clock: IReactorTime;
  /**
   * True when every node writes to the same store (PostgreSQL): a room line is then stored only by the
   * node it was sent on. False (the default) when each node has its own store: each stores every line.
   */
  sharedStore?: boolean;
  limits?: Partial<ClusterLimits>;
}

type Applied = ChatRoom | boolean | undefined;

/** A room event of this node: `room` is the folded name (its counter's). */
interface RoomOut {
  readonly k: 'room';
  readonly id: number;
  readonly op: RoomOp;
  readonly room: string;
  readonly early: boolean;
}

/**
 * What this node sends the others, queued until it is handed to the bus: a room event (numbered as it goes),
 * another event on a channel, or a nick given up.
 */
type Outgoing =
  | RoomOut
  /** Handed once the room events with ids up to `after` came back numbered. */
  | { readonly k: 'publish'; readonly channel: string; readonly event: ClusterEvent | DirectEvent; readonly after: number }
  | { readonly k: 'withdraw'; readonly key: string };

/** One node of a chat spread over several processes or machines. */
export class WordsCluster implements IWordsRelay {
  readonly idTag: string;
  readonly limits: ClusterLimits;
  readonly #order: RoomOrder<{ id: number; op: RoomOp; from: string; seq: number }>;
  /** What {@link commit} answered, by the event's id, until the event is applied here (or fails to go out). */
  readonly #waiting = new Map<number, Deferred<Applied>>();
  /**
   * This node's events applied here when committed, while the bus was away: not applied again when they
   * come back, but a line is stored then, with its number (the room it was said in, if it still was).
   */
  readonly #appliedEarly = new Map<number, { op: RoomOp; room: ChatRoom | undefined }>();
  readonly #subscriptions: BusSubscription[] = [];
  /**
   * Events not handed to the bus yet, in the order made. They go out together once the current turn's code
   * is done (one microtask for a burst, not a chain of promises per line), each as soon as those before it.
   */
  #queue: Outgoing[] = [];
  #draining = false;
  readonly #drain = (): void => this.#handOut();
  /**
   * Room events (ids 1 to `#opIds`, every one numbered) whose number has not come back: this node applies
   * them only then, so its other events (a quit after a line) wait for them, to be applied here in the order
   * they were made. Every id up to `#numberedUpTo` came back; `#numberedLate` holds those past it that came
   * back before an earlier one (a failure can settle out of order), usually none.
   */
  #numberedUpTo = 0;
  readonly #numberedLate = new Set<number>();
  /** Events handed to the bus and not confirmed yet. */
  #unconfirmed = 0;
  /** Called once nothing is queued or unconfirmed ({@link stop}). */
  #whenIdle: (() => void)[] = [];
  #opIds = 0;
  #check: IDelayedCall | undefined;
  #closed = false;

  constructor(
    readonly service: WordsService,
    readonly bus: IBus,
    readonly options: WordsClusterOptions,
  ) {
    this.limits = { ...WORDS_LIMITS.cluster, ...options.limits };
    this.idTag = bus.nodeId.replace(/[^0-9A-Za-z]/g, '').slice(0, 8) || 'node';
    this.#order = new RoomOrder(
      options.clock,
      this.limits,
      (_room, e) => this.#applyRoom(e.id, e.op, e.from, e.seq),
      options.sharedStore === true ? (room, from, to) => this.#fill(room, from, to) : undefined,
    );
  }

  /**
   * Joins the chat: listens to the bus, marks this node present, takes over as the service's relay and asks
   * the running nodes for their users and rooms. Call before the service takes users.
   */
  async start(): Promise<void> {
    this.service.attachRelay(this);
    this.#subscriptions.push(await this.bus.subscribe(EVENTS, (data, { from, seq }) => this.#onEvent(data as ClusterEvent, from, seq)));
    this.#subscriptions.push(await this.bus.subscribe(nodeChannel(this.bus.nodeId), (data, { from }) => this.#onDirect(data as DirectEvent, from)));
    await this.bus.announce(nodeKey(this.bus.nodeId));
    await this.bus.publish(EVENTS, { k: 'started' } satisfies ClusterEvent);
    this.#scheduleCheck();
    log.info('node {node} joined the chat', { node: this.bus.nodeId });
  }

  /** Sends what is queued (waiting at most `stopWait`), then stops listening (closing the bus is the caller's). */
  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#check?.active()) this.#check.cancel();
    let timer: IDelayedCall | undefined;
    const late = new Promise<void>((resolve) => (timer = this.options.clock.callLater(this.limits.stopWait, resolve)));
    await Promise.race([new Promise<void>((resolve) => this.#onIdle(resolve)), late]);
    if (timer?.active()) timer.cancel();
    // Lines said while the bus was away that never got their number: kept without one.
    for (const id of [...this.#appliedEarly.keys()]) this.#storeEarly(id, undefined);
    this.#order.close();
    await Promise.all(this.#subscriptions.map((s) => s.unsubscribe().catch(() => undefined)));
  }

  /**
   * Gives `op` its place in the room's order and applies it when it comes back in that order. While the bus
   * is away (Redis down), the room goes on here: `op` is applied at once, and reaches the other nodes once
   * the bus is back; a line is stored when its number comes back with it.
   */
  commit(op: RoomOp): Deferred<Applied> {
    const id = ++this.#opIds;
    const applied = new Deferred<Applied>();
    this.#waiting.set(id, applied);
    const early = this.bus.connected === false;
    if (early) this.#applyEarly(id, op);
    this.#enqueue({ k: 'room', id, op, room: foldName(op.room), early });
    return applied;
  }

  #applyEarly(id: number, op: RoomOp): void {
    const result = applyRoomOp(this.service, op, false);
    this.#appliedEarly.set(id, { op, room: this.service.findRoom(op.room) });
    if (op.t !== 'msg') this.#settle(id, result);
  }

  /** Stores a line applied early, with its number once known (`undefined` if it never came). */
  #storeEarly(id: number, seq: number | undefined): void {
    const early = this.#appliedEarly.get(id);
    this.#appliedEarly.delete(id);
    if (early === undefined) return;
    const { op, room } = early;
    this.#settle(id, op.t === 'msg' && room !== undefined ? this.service.record(room, numbered(op.message, seq)) : undefined);
  }

  claimNick(key: string, force: boolean): Deferred<boolean> {
    const k = nickKey(key);
    return Deferred.fromPromise(force ? this.bus.announce(k).then(() => true) : this.bus.claim(k));
  }

  releaseNick(key: string): void {
    this.#enqueue({ k: 'withdraw', key: nickKey(key) });
  }

  userArrived(user: ChatUser): void {
    this.#publish({ k: 'hello', user: userInfo(user) });
  }

  userRenamed(user: ChatUser): void {
    this.#publish({ k: 'nick', uid: user.uid, nick: user.nick });
  }

  userChanged(user: ChatUser, change: UserChange): void {
    if (change.t === 'away') this.#publish(change.away === undefined ? { k: 'away', uid: user.uid } : { k: 'away', uid: user.uid, away: change.away });
    else this.#publish({ k: 'realname', uid: user.uid, realname: change.realname });
  }

  userLeft(user: ChatUser, reason: string): void {
    this.#publish({ k: 'quit', uid: user.uid, reason });
  }

  #publish(event: ClusterEvent): void {
    // After the room events sent so far came back numbered (at once when none is out).
    if (!this.#closed) this.#enqueue({ k: 'publish', channel: EVENTS, event, after: this.#opIds });
  }

  #direct(node: string, event: DirectEvent): void {
    if (!this.#closed) this.#enqueue({ k: 'publish', channel: nodeChannel(node), event, after: 0 });
  }

  #enqueue(out: Outgoing): void {
    this.#queue.push(out);
    if (this.#draining) return;
    this.#draining = true;
    queueMicrotask(this.#drain);
  }

  /**
   * Hands the queued events to the bus in order, up to one that waits for room events to be numbered. The
   * next one does not wait for the bus to confirm the one before (the bus keeps a node's order: one Redis
   * connection, one IPC channel), so a flood goes out pipelined.
   */
  #handOut(): void {
    this.#draining = false;
    const queue = this.#queue;
    const runs = this.bus.publishNumberedRun !== undefined;
    let i = 0;
    while (i < queue.length) {
      const out = queue[i]!;
      if (out.k === 'publish' && out.after > this.#numberedUpTo) break;
      let end = i + 1;
      if (runs && out.k === 'room') {
        while (end < queue.length) {
          const next = queue[end]!;
          if (next.k !== 'room' || next.room !== out.room) break;
          end++;
        }
      }
      if (end - i > 1) this.#handRun(queue.slice(i, end) as RoomOut[]);
      else this.#hand(out);
      i = end;
    }
    if (i === queue.length) this.#queue = [];
    else queue.splice(0, i);
  }

  /**
   * Room events in a row for one room, numbered together by a bus that offers it (the workers' bus): one
   * promise for the run instead of one and two closures per line.
   */
  #handRun(run: RoomOut[]): void {
    const room = run[0]!.room;
    let sent: Promise<unknown>;
    try {
      sent = this.bus.publishNumberedRun!(EVENTS, roomCounter(room), run.map(roomEvent), this.#order.applied(room));
    } catch (e) {
      sent = Promise.reject(e);
    }
    this.#unconfirmed += run.length;
    sent.then(
      () => {
        this.#unconfirmed -= run.length;
        for (const out of run) this.#numberCame(out.id);
        this.#afterConfirmed();
      },
      (e: unknown) => {
        log.warn('could not send to the other nodes: {error}', { error: String(e) });
        for (const out of run) this.#failed(out);
      },
    );
  }

  #hand(out: Outgoing): void {
    let sent: Promise<unknown>;
    try {
      if (out.k === 'room') {
        // Numbered where the counter lives as it is published (no round trip per line before it goes out);
        // the last number applied here is the floor: a counter lost with a restarted Redis goes on past it.
        sent = this.bus.publishNumbered(EVENTS, roomCounter(out.room), roomEvent(out), this.#order.applied(out.room));
      } else if (out.k === 'publish') {
        sent = this.bus.publish(out.channel, out.event);
      } else {
        sent = this.bus.withdraw(out.key);
      }
    } catch (e) {
      sent = Promise.reject(e);
    }
    this.#unconfirmed++;
    sent.then(
      () => this.#confirmed(out),
      (e: unknown) => {
        log.warn('could not send to the other nodes: {error}', { error: String(e) });
        this.#failed(out);
      },
    );
  }

  /** `out` did not reach the bus: its commit answers now (a line applied early is kept without a number). */
  #failed(out: Outgoing): void {
    if (out.k === 'room') {
      if (out.early) this.#storeEarly(out.id, undefined);
      else this.#settle(out.id, undefined);
    }
    this.#confirmed(out);
  }

  #confirmed(out: Outgoing): void {
    this.#unconfirmed--;
    if (out.k === 'room') {
      this.#numberCame(out.id);
      this.#afterConfirmed();
    } else this.#idleNow();
  }

  /** Room events came back numbered: hands out what waited for them. */
  #afterConfirmed(): void {
    if (this.#queue.length > 0) this.#handOut();
    this.#idleNow();
  }

  #idleNow(): void {
    if (this.#unconfirmed === 0 && this.#queue.length === 0) for (const resolve of this.#whenIdle.splice(0)) resolve();
  }

  #numberCame(id: number): void {
    if (id !== this.#numberedUpTo + 1) {
      this.#numberedLate.add(id);
      return;
    }
    this.#numberedUpTo = id;
    while (this.#numberedLate.size > 0 && this.#numberedLate.delete(this.#numberedUpTo + 1)) this.#numberedUpTo++;
  }

  /** Calls `resolve` once everything queued so far was handed to the bus and confirmed. */
  #onIdle(resolve: () => void): void {
    if (this.#unconfirmed === 0 && this.#queue.length === 0) resolve();
    else this.#whenIdle.push(resolve);
  }

  #settle(id: number, result: Applied | Deferred<boolean>): void {
    const applied = this.#waiting.get(id);
    if (applied === undefined) return;
    this.#waiting.delete(id);
    if (result instanceof Deferred) result.addCallbacks((stored) => applied.callback(stored), (failure) => applied.errback(failure));
    else applied.callback(result);
  }

  #applyRoom(id: number, op: RoomOp, from: string, seq: number): void {
    const own = from === this.bus.nodeId;
    if (own && this.#appliedEarly.has(id)) {
      this.#storeEarly(id, seq);
      return;
    }
    // A line that crossed as an op (from a node of the previous version) is numbered in place: the bus decoded
    // it for this node (a JSON round trip), and this is its only handler here.
    if (op.t === 'msg' && op.message.seq === undefined) op.message.seq = seq;
    const result = applyRoomOp(this.service, op, own || this.options.sharedStore !== true);
    if (own) this.#settle(id, result);
  }

  /**
   * The lines numbered `from` to `to` of `room` that the shared history holds: a line the bus lost on its way
   * here (Redis away) was stored by the node it was said on. Other events (joins, topics) are not stored.
   */
  async #fill(room: string, from: number, to: number): Promise<[number, { id: number; op: RoomOp; from: string; seq: number }][]> {
    // The history answers with the newest lines past `from - 1`: room for the gap and for what came after it.
    const limit = to - from + 1 + 2 * this.limits.maxPendingPerRoom;
    const lines = await this.service.history(room, { afterSeq: from - 1, limit }).asPromise();
    return lines
      .filter((m) => m.seq !== undefined && m.seq <= to)
      .map((message) => [message.seq!, { id: 0, op: { t: 'msg', uid: '', room, message }, from: '', seq: message.seq! }]);
  }

  #onEvent(event: ClusterEvent, from: string, seq: number | undefined): void {
    // Events come from the bus, outside any client's input: a flood's lines are written once per client per turn.
    this.service.output.hold();
    if (event.k === 'line') {
      if (seq === undefined) return;
      const op = lineOp(event.l, seq);
      this.#order.add(foldName(op.room), seq, { id: event.id, op, from, seq });
      return;
    }
    if (event.k === 'room') {
      if (seq === undefined) return;
      this.#order.add(foldName(event.op.room), seq, { id: event.id, op: event.op, from, seq });
      return;
    }
    if (from === this.bus.nodeId) return;
    const user = 'uid' in event ? this.service.userById(event.uid) : undefined;
    switch (event.k) {
      case 'started':
        this.#direct(from, this.#state());
        return;
      case 'hello':
        this.#mirror(event.user, from);
        return;
      case 'nick':
        if (user) this.service.renameRemoteUser(user, event.nick);
        return;
      case 'away':
        if (!user) return;
        user.away = event.away;
        user.showAway();
        return;
      case 'realname':
        user?.setRealname(event.realname);
        return;
      case 'quit':
        user?.quit(event.reason);
        return;
    }
  }

  #onDirect(event: DirectEvent, from: string): void {
    this.service.output.hold();
    if (event.k === 'state') {
      this.#adopt(event.users, event.rooms, from);
      return;
    }
    const user = this.service.userById(event.uid);
    if (!user || user.node !== undefined) return;
    switch (event.k) {
      case 'pm':
        user.client.receive(event.message);
        return;
      case 'signal':
        user.client.signal?.(event.signal);
        return;
      case 'invited':
        user.client.invited(event.room, event.by);
        return;
      case 'kill':
        this.service.endSession(user, event.reason);
        return;
    }
  }

  #mirror(info: UserInfo, node: string): ChatUser | undefined {
    const existing = this.service.userById(info.uid);
    if (existing) return existing;
    const client = new RemoteClient(node, info.uid, (n, e) => this.#direct(n, e));
    const user = this.service.addRemoteUser(info.nick, info.account, client, { username: info.username, host: info.host, realname: info.realname }, { uid: info.uid, node, signedOn: info.signedOn });
    if (!user) {
      log.warn('{nick} of node {node} collides with a user here; not mirrored', { nick: info.nick, node });
      return undefined;
    }
    user.away = info.away;
    return user;
  }

  /** This node's users and the rooms they are in, for a node that just started. */
  #state(): DirectEvent {
    const users: UserInfo[] = [];
    const rooms = new Map<string, RoomInfo>();
    for (const user of this.service.users()) {
      if (user.node !== undefined) continue;
      users.push(userInfo(user));
      for (const room of user.rooms.values()) {
        let info = rooms.get(room.key);
        if (!info) rooms.set(room.key, (info = roomInfo(room, this.#order.applied(room.key))));
        const m = room.membership(user)!;
        info.members.push({ uid: user.uid, operator: m.operator, voice: m.voice });
      }
    }
    return { k: 'state', users, rooms: [...rooms.values()] };
  }

  /** Takes in another node's users and rooms (its answer to this node's start). */
  #adopt(users: UserInfo[], rooms: RoomInfo[], node: string): void {
    for (const info of users) this.#mirror(info, node);
    for (const info of rooms) {
      let room = this.service.findRoom(info.name);
      if (!room) {
        room = this.service.createRoom(info.name);
        room.topic = info.topic;
        room.topicSetBy = info.topicSetBy;
        room.topicSetAt = info.topicSetAt;
        for (const change of info.changes) room.apply(change, undefined, '', info.topicSetAt);
      }
      this.#order.startAfter(room.key, info.seq);
      for (const m of info.members) {
        const user = this.service.userById(m.uid);
        if (!user || room.membership(user)) continue;
        room.addMember({ user, operator: m.operator, voice: m.voice, joined: this.service.now() });
        user.rooms.set(room.key, room);
      }
    }
  }

  #scheduleCheck(): void {
    this.#check = this.options.clock.callLater(this.limits.nodeCheck, () => {
      this.#checkNodes().catch((e: unknown) => log.warn('node check failed: {error}', { error: String(e) }));
      this.#order.sweep((room) => this.service.findRoom(room) !== undefined);
      if (!this.#closed) this.#scheduleCheck();
    });
  }

  settleNode(node: string): Deferred<boolean> {
    return Deferred.fromPromise(this.#settleNode(node));
  }

  /** Makes the users of every node that stopped refreshing its presence quit here. */
  async #checkNodes(): Promise<void> {
    const nodes = new Set<string>();
    for (const user of this.service.users()) if (user.node !== undefined) nodes.add(user.node);
    for (const node of nodes) await this.#settleNode(node);
  }

  async #settleNode(node: string): Promise<boolean> {
    if ((await this.bus.whereIs(nodeKey(node))) !== undefined || this.#closed) return false;
    const reason = `Node went away (${node} stopped answering)`;
    const gone = [...this.service.users()].filter((u) => u.node === node);
    if (gone.length > 0) log.warn('node {node} stopped answering; its {count} users quit here', { node, count: gone.length });
    for (const user of gone) user.quit(reason);
    return true;
  }
}

/**
 * `message` with its room sequence number (as it came, when there is none). Copied, then the number set:
 * on Node 20 a spread that adds a property (`{ ...message, seq }`) costs some microseconds per call, which
 * once per line on every node is a large share of a worker's per-line work.
 */
function numbered(message: ChatMessage, seq: number | undefined): ChatMessage {
  if (seq === undefined) return message;
  const out = Object.assign({}, message);
  out.seq = seq;
  return out;
}

/** What a room event crosses as: a line as fields in a row, another op as it is. */
function roomEvent(out: RoomOut): ClusterEvent {
  const op = out.op;
  return op.t === 'msg' ? { k: 'line', id: out.id, l: lineFields(op) } : { k: 'room', id: out.id, op };
}

function userInfo(user: ChatUser): UserInfo {
  const info: UserInfo = { uid: user.uid, nick: user.nick, username: user.username, host: user.host, realname: user.realname, signedOn: user.signedOn };
  if (user.account !== undefined) info.account = user.account;
  if (user.away !== undefined) info.away = user.away;
  return info;
}

function roomInfo(room: ChatRoom, seq: number): RoomInfo {
  const changes: RoomChange[] = [];
  for (const [setting, value] of Object.entries(room.settings)) changes.push({ setting, value } as RoomChange);
  for (const list of ['bans', 'banExceptions', 'inviteExceptions'] as const) for (const e of room.lists[list]) changes.push({ list, mask: e.mask, added: true });
  return { name: room.name, seq, topic: room.topic, topicSetBy: room.topicSetBy, topicSetAt: room.topicSetAt, changes, members: [] };
}
