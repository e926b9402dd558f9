/**
 * A client for tests that writes each event it is told as one readable line.
 * @module
 */
import type { ChatMessage, ChatSignal, IChatClient, LeaveKind, RoomChange } from '../interfaces.js';

/** Records events as lines like `receive alice->#room: hi`. */
export class RecordingClient implements IChatClient {
  readonly events: string[] = [];
  readonly messages: ChatMessage[] = [];

  /** Returns and clears the events recorded so far. */
  take(): string[] {
    return this.events.splice(0);
  }

  receive(m: ChatMessage): void {
    this.messages.push(m);
    this.events.push(`${m.kind} ${m.from}->${m.to}: ${m.text}`);
  }
  userJoined(room: string, nick: string): void {
    this.events.push(`join ${nick} ${room}`);
  }
  userLeft(room: string, nick: string, reason: string, kind: LeaveKind, by?: string): void {
    this.events.push(`${kind} ${nick} ${room}${by ? ` by ${by}` : ''}: ${reason}`);
  }
  userQuit(nick: string, reason: string): void {
    this.events.push(`quit ${nick}: ${reason}`);
  }
  nickChanged(oldNick: string, newNick: string): void {
    this.events.push(`nick ${oldNick}->${newNick}`);
  }
  topicChanged(room: string, topic: string, by: string): void {
    this.events.push(`topic ${room} by ${by}: ${topic}`);
  }
  roomChanged(room: string, by: string, changes: readonly RoomChange[]): void {
    this.events.push(`changed ${room} by ${by}: ${changes.map(describe).join(',')}`);
  }
  invited(room: string, by: string): void {
    this.events.push(`invited ${room} by ${by}`);
  }
  disconnect(reason: string): void {
    this.events.push(`disconnect: ${reason}`);
  }
  awayChanged(nick: string, away: string | undefined): void {
    this.events.push(away === undefined ? `back ${nick}` : `away ${nick}: ${away}`);
  }
  realnameChanged(nick: string, realname: string): void {
    this.events.push(`realname ${nick}: ${realname}`);
  }
  userInvited(room: string, nick: string, by: string): void {
    this.events.push(`${by} invited ${nick} to ${room}`);
  }
  signal(s: ChatSignal): void {
    this.events.push(`signal ${s.from}->${s.to}: ${Object.entries(s.tags).map(([k, v]) => `${k}=${v}`).join(';')}`);
  }
  announcement(by: string, text: string): void {
    this.events.push(`announcement by ${by}: ${text}`);
  }
}

/** `voice+member`, `operator-bob`, `moderated=true`, `key=none`. */
function describe(c: RoomChange): string {
  if ('role' in c) return `${c.role}${c.granted ? '+' : '-'}${c.nick}`;
  if ('list' in c) return `${c.list}${c.added ? '+' : '-'}${c.mask}`;
  return `${c.setting}=${c.value ?? 'none'}`;
}
