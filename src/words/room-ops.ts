/**
 * Room events as data. A {@link ChatUser} checks the room rules, then hands the event to its service, which
 * applies it at once (one process) or, when the service is one node of several, has it put in the room's
 * order and applied on every node in that order. Applying is deterministic on the room's state, so every
 * node that applies the same events in the same order holds the same room.
 * @module
 */
import type { Deferred } from '../defer/index.js';
import type { ChatMessage, ChatSignal, RoomChange } from './interfaces.js';
import { foldName } from './names.js';
import type { ChatRoom } from './room.js';
import type { ChatUser } from './user.js';

/** One change to a room, made by the user `uid` (see {@link ChatUser.uid}). `room` is the room's name. */
export type RoomOp =
  | { readonly t: 'join'; readonly uid: string; readonly room: string }
  | { readonly t: 'part'; readonly uid: string; readonly room: string; readonly reason: string }
  | { readonly t: 'kick'; readonly uid: string; readonly room: string; readonly by: string; readonly target: string; readonly reason: string }
  | { readonly t: 'msg'; readonly uid: string; readonly room: string; readonly message: ChatMessage }
  | { readonly t: 'signal'; readonly uid: string; readonly room: string; readonly signal: ChatSignal }
  | { readonly t: 'topic'; readonly uid: string; readonly room: string; readonly topic: string; readonly by: string; readonly at: number }
  | { readonly t: 'modes'; readonly uid: string; readonly room: string; readonly by: string; readonly at: number; readonly changes: readonly RoomChange[] }
  | { readonly t: 'invite'; readonly uid: string; readonly room: string; readonly target: string; readonly nick: string; readonly by: string };

/** What applying an op needs from the service. @internal */
export interface RoomOpHost {
  findRoom(name: string): ChatRoom | undefined;
  createRoom(name: string): ChatRoom;
  userById(uid: string): ChatUser | undefined;
  now(): number;
  record(room: ChatRoom, message: ChatMessage): Deferred<boolean>;
}

/**
 * Applies `op`. Returns the room for a join, the store's answer for a message when `record` (else
 * `undefined`). An op that no longer fits the room (a join by someone gone, a part by a non-member) does
 * nothing, the same way on every node.
 */
export function applyRoomOp(host: RoomOpHost, op: RoomOp, record: boolean): ChatRoom | Deferred<boolean> | undefined {
  const actor = host.userById(op.uid);
  if (op.t === 'join') {
    if (!actor?.online) return undefined;
    let room = host.findRoom(op.room);
    if (room?.membership(actor)) return room;
    const operator = room === undefined;
    room ??= host.createRoom(op.room);
    room.invites.delete(actor.key);
    room.addMember({ user: actor, operator, voice: false, joined: host.now() });
    actor.rooms.set(room.key, room);
    const joined = room;
    room.broadcast((c) => c.userJoined(joined.name, actor.nick));
    return room;
  }
  const room = host.findRoom(op.room);
  if (!room) return undefined;
  switch (op.t) {
    case 'part':
      if (!actor || !room.membership(actor)) return undefined;
      room.broadcast((c) => c.userLeft(room.name, actor.nick, op.reason, 'part'));
      actor.leaveRoom(room);
      return undefined;
    case 'kick': {
      const target = room.memberByKey(op.target);
      if (!target) return undefined;
      room.broadcast((c) => c.userLeft(room.name, target.user.nick, op.reason, 'kick', op.by));
      target.user.leaveRoom(room);
      return undefined;
    }
    case 'msg':
      room.deliver(op.message, actor);
      return record ? host.record(room, op.message) : undefined;
    case 'signal':
      room.broadcast((c) => c.signal?.(op.signal), actor);
      return undefined;
    case 'topic':
      room.topic = op.topic;
      room.topicSetBy = op.by;
      room.topicSetAt = op.at;
      room.broadcast((c) => c.topicChanged(room.name, op.topic, op.by));
      return undefined;
    case 'modes':
      for (const change of op.changes) room.apply(change, 'role' in change ? room.memberByKey(foldName(change.nick)) : undefined, op.by, op.at);
      room.broadcast((c) => c.roomChanged(room.name, op.by, op.changes));
      return undefined;
    case 'invite':
      room.invites.add(op.target);
      room.broadcast((c) => c.userInvited?.(room.name, op.nick, op.by), actor);
      return undefined;
  }
}
