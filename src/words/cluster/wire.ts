/**
 * What the nodes of a words cluster say to each other on the bus (JSON values).
 * @module
 */
import type { ChatMessage, ChatSignal, RoomChange } from '../interfaces.js';
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

/** On {@link EVENTS}. */
export type ClusterEvent =
  /** Published numbered: its place in the room's order is the envelope's `seq`. */
  | { k: 'room'; id: number; op: RoomOp }
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
