/**
 * The roles of the web chat (type-only): what the page is told, in the JSON shapes that cross the live
 * connection.
 * @module
 */
import type { ChatMessage } from '../interfaces.js';

/** One chat line as the page shows it: the service's `ChatMessage` without its front-door tags. */
export interface WebLine extends Omit<ChatMessage, 'tags'> {
  /** The room the line belongs in, or `null` for a private message (shown in whatever room is open). */
  room: string | null;
  /** True for an action (`/me`). */
  action: boolean;
}

/** A member of a room, with the IRC-style prefix of their highest role (`@` operator, `+` voice, '' none). */
export interface WebMember {
  nick: string;
  prefix: '@' | '+' | '';
}

/** What the page gets when its user joins a room. */
export interface WebRoomState {
  room: string;
  topic: string;
  members: WebMember[];
  /** The room's recent history, oldest first (the scrollback); or, when `resumed` is set, the lines missed. */
  history: WebLine[];
  /**
   * Set when the page came back after losing its node and said the last room number it had seen:
   * `history` is then the lines after that number (`after`), in the room's order. `complete` is false when
   * more were missed than the scrollback holds (the history holds the newest of them).
   */
  resumed?: { after: number; complete: boolean };
}

/**
 * The page, as the session talks to it: each method is a call into the browser widget. Calls are made in
 * order and never wait for an answer; a view must not throw (a page that is gone just drops them).
 * A room's member list is sent whole once, when the user joins it ({@link roomJoined}); after that only
 * changes are (joined, left, quit, renamed, role changed), each applied to the list the page holds.
 */
export interface IChatView {
  /** The user is logged in as `nick`. */
  loggedIn(nick: string): void;
  /** The user joined a room: show it, with its scrollback. */
  roomJoined(state: WebRoomState): void;
  /** The user left (or was kicked from) `room`; `reason` says why. */
  roomLeft(room: string, reason: string): void;
  /** A chat line (from anyone, this user included). */
  message(line: WebLine): void;
  /** A line about what happened in `room` (joins, parts, topic changes), or in every room when `null`. */
  event(room: string | null, text: string): void;
  /** `member` joined `room` (someone else: the user's own joins are {@link roomJoined}). */
  memberJoined(room: string, member: WebMember): void;
  /** `nick` left (or was kicked from) `room`; `text` says so. */
  memberLeft(room: string, nick: string, text: string): void;
  /** The role of a member of `room` changed (its prefix). */
  memberChanged(room: string, member: WebMember): void;
  /** `nick` quit: removed from `room`, or, when `null`, from every room where the page lists them. */
  quit(room: string | null, nick: string, reason: string): void;
  /** `oldNick` is now `newNick` in `room`, or, when `null`, in every room where the page lists them. */
  renamed(room: string | null, oldNick: string, newNick: string): void;
  /** The topic of `room` changed. */
  topic(room: string, topic: string): void;
  /** The user's own nick changed. */
  nickChanged(nick: string): void;
  /** The session ended (server shutdown, nick taken over); the page goes back to the nick form. */
  closed(reason: string): void;
}
