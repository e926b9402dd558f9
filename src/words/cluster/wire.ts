/**
 * What the nodes of a words cluster say to each other on the bus (JSON values).
 * @module
 */
import type { ChatMessage, ChatSignal, MessageKind, RoomChange } from '../interfaces.js';
import type { RoomOp } from '../room-ops.js';

/** The channel every node listens on: room events and user changes. */
export const EVENTS = 'words:events';
/** The channel of one node: what is meant for its users alone, and answers to its questions. */
export const nodeChannel = (node: string): string => `words:node:${node}`;
/** The presence key a node refreshes while it lives. */
export const nodeKey = (node: string): string => `words:node:${node}`;
/** The claim on a nick (folded) among every node. */
export const nickKey = (key: string): string => `words:nick:${key}`;
/** The counter giving a room's (folded name) events their order. */
export const roomCounter = (key: string): string => `words:seq:${key}`;

/** A user as other nodes mirror it. */
export interface UserInfo {
  uid: string;
  nick: string;
  username: string;
  host: string;
  realname: string;
  account?: string;
  signedOn: number;
  away?: string;
}

/** A room as a node knows it, for a node that just started. */
export interface RoomInfo {
  name: string;
  /** The last sequence number applied. */
  seq: number;
  topic: string;
  topicSetBy: string;
  topicSetAt: number;
  /** Settings and list entries, as changes to apply to a new room. */
  changes: RoomChange[];
  /** The answering node's users in the room. */
  members: { uid: string; operator: boolean; voice: boolean }[];
}

/**
 * A room line as it crosses: its fields in a fixed order, unnamed. Every node encodes or decodes each line
 * once or more (the worker that says it, the primary, each other worker), and an array is encoded and decoded
 * faster than an object with its keys. The line's `to` is its room.
 */
export type LineFields = [uid: string, room: string, id: string, time: number, from: string, text: string, kind: MessageKind, tags?: Record<string, string>];

/** On {@link EVENTS}. */
export type ClusterEvent =
  /** Published numbered: its place in the room's order is the envelope's `seq`. */
  | { k: 'room'; id: number; op: RoomOp }
  /** A room line (a `msg` op), numbered as `room`. */
  | { k: 'line'; id: number; l: LineFields }
  | { k: 'hello'; user: UserInfo }
  | { k: 'nick'; uid: string; nick: string }
  | { k: 'away'; uid: string; away?: string }
  | { k: 'realname'; uid: string; realname: string }
  | { k: 'quit'; uid: string; reason: string }
  | { k: 'started' };

/** On one node's channel. */
export type DirectEvent =
  | { k: 'pm'; uid: string; message: ChatMessage }
  | { k: 'signal'; uid: string; signal: ChatSignal }
  | { k: 'invited'; uid: string; room: string; by: string }
  | { k: 'kill'; uid: string; reason: string }
  | { k: 'state'; users: UserInfo[]; rooms: RoomInfo[] };

/** The fields of a room line (`op`, a `msg`) as they cross. */
export function lineFields(op: Extract<RoomOp, { t: 'msg' }>): LineFields {
  const m = op.message;
  const fields: LineFields = [op.uid, op.room, m.id, m.time, m.from, m.text, m.kind];
  if (m.tags !== undefined) fields.push(m.tags);
  return fields;
}

/** The `msg` op of a room line that crossed as `fields`, numbered `seq`. */
export function lineOp(fields: LineFields, seq: number): Extract<RoomOp, { t: 'msg' }> {
  // Read by index: destructuring goes through the array's iterator, which showed once per line in profiles.
  const room = fields[1];
  const tags = fields[7];
  const message: ChatMessage =
    tags === undefined
      ? { id: fields[2], time: fields[3], from: fields[4], to: room, text: fields[5], kind: fields[6], seq }
      : { id: fields[2], time: fields[3], from: fields[4], to: room, text: fields[5], kind: fields[6], tags, seq };
  return { t: 'msg', uid: fields[0], room, message };
}
