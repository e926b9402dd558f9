/**
 * Browser side: what a chat page keeps across the loss of its server. A page lives on one node; when that
 * node dies the page is gone there, so the page saves its nick and its rooms' recent lines in
 * `sessionStorage`, loads itself again (reaching a surviving node through the same address), logs in again
 * and, for each room, shows the lines it had and then only the lines of the new node's history that came
 * after the last one it had: the lines it missed, each once, in the room's order. On a cluster, lines carry
 * their room sequence number: the page asks the history for the lines after the last number it had (a
 * query by that number, whatever the scrollback); lines without numbers are matched by id instead.
 * @module
 */
import type { WebLine } from './interfaces.js';

/** A room as saved: its name and the last lines shown in it. */
export interface SavedRoom {
  name: string;
  lines: WebLine[];
}

/** What a page saves before loading itself again. */
export interface SavedChat {
  nick: string;
  rooms: SavedRoom[];
}

/** Lines saved per room (the server's scrollback is 100 by default: the lines missed are found in it). */
export const SAVED_LINES = 100;

const KEY = 'torsion-chat-resume';

/** Saves `chat` for the next load of this page in this tab (without the lines if they do not fit). */
export function saveChat(chat: SavedChat): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(chat));
  } catch {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ nick: chat.nick, rooms: chat.rooms.map((r) => ({ name: r.name, lines: [] })) }));
    } catch {
      // Storage is off: the page starts afresh.
    }
  }
}

/** The chat saved by the previous load, once (it is removed), or null. */
export function takeSavedChat(): SavedChat | null {
  let text: string | null = null;
  try {
    text = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
  } catch {
    return null;
  }
  if (text === null) return null;
  try {
    const chat = JSON.parse(text) as SavedChat;
    if (typeof chat.nick !== 'string' || !Array.isArray(chat.rooms)) return null;
    return { nick: chat.nick, rooms: chat.rooms.filter((r) => typeof r?.name === 'string' && Array.isArray(r.lines)) };
  } catch {
    return null;
  }
}

/** The last room number among `lines` (a page's own lines have none), or undefined if none has one. */
export function lastSeq(lines: readonly WebLine[]): number | undefined {
  let last: number | undefined;
  for (const l of lines) if (typeof l.seq === 'number' && (last === undefined || l.seq > last)) last = l.seq;
  return last;
}

/** Per saved room that has numbered lines, the last number: what the page asks the history to go on after. */
export function resumePoints(chat: SavedChat): Record<string, number> {
  const points: Record<string, number> = {};
  for (const room of chat.rooms) {
    const seq = lastSeq(room.lines);
    if (seq !== undefined) points[room.name] = seq;
  }
  return points;
}

/**
 * The lines of `history` a page that shows `saved` lacks: those after the last saved line. When that line is
 * not in the history (more lines were missed than the scrollback holds), every line not already shown, and
 * `gap` is true.
 */
export function linesAfter(saved: readonly WebLine[], history: readonly WebLine[]): { lines: WebLine[]; gap: boolean } {
  const last = saved[saved.length - 1];
  if (last === undefined) return { lines: [...history], gap: false };
  const at = history.findIndex((l) => l.id === last.id);
  if (at >= 0) return { lines: history.slice(at + 1), gap: false };
  const shown = new Set(saved.map((l) => l.id));
  return { lines: history.filter((l) => !shown.has(l.id)), gap: true };
}
