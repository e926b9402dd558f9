/**
 * What a words service needs from the layer that joins it to other nodes (`torsion/words`'s cluster, on
 * `torsion/bus`). Type-only: the service itself never imports the bus.
 * @module
 */
import type { Deferred } from '../defer/index.js';
import type { ChatRoom } from './room.js';
import type { RoomOp } from './room-ops.js';
import type { ChatUser, UserChange } from './user.js';

/** The link from one node's {@link WordsService} to the others. */
export interface IWordsRelay {
  /** Part of every user id and message id made on this node, so they are unique among the nodes. */
  readonly idTag: string;
  /**
   * Puts a room event in its room's order among every node's and applies it on each node in that order,
   * this one included. Fires, once applied here, with what applying gave (for a message, whether it was
   * stored).
   */
  commit(op: RoomOp): Deferred<ChatRoom | boolean | undefined>;
  /**
   * Claims a nick (folded) for this node among every node: false if another node holds it. `force` (the
   * owner of a registered nick taking it back) takes it from whoever holds it.
   */
  claimNick(key: string, force: boolean): Deferred<boolean>;
  /**
   * Makes the users of `node` quit here if that node stopped answering (as the periodic check would, only
   * now); fires with whether it had.
   */
  settleNode(node: string): Deferred<boolean>;
  /** Gives up a nick this node claimed. */
  releaseNick(key: string): void;
  /** A user of this node logged in. */
  userArrived(user: ChatUser): void;
  /** A user of this node changed nick from `oldNick`. */
  userRenamed(user: ChatUser, oldNick: string): void;
  /** A user of this node changed. */
  userChanged(user: ChatUser, change: UserChange): void;
  /** A user of this node logged out. */
  userLeft(user: ChatUser, reason: string): void;
}
