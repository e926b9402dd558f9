/**
 * A client for tests that writes each event it is told as one readable line.
 * @module
 */
import type { ChatMessage, IChatClient, LeaveKind, RoomChange } from '../interfaces.js';

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
}

/** `voice+member`, `operator-bob`, `moderated=true`, `key=none`. */
function describe(c: RoomChange): string {
  if ('role' in c) return `${c.role}${c.granted ? '+' : '-'}${c.nick}`;
  return `${c.setting}=${c.value ?? 'none'}`;
}
