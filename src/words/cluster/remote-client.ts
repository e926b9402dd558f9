/**
 * The client of a user mirrored from another node: what reaches that user alone is sent to its node; room
 * events are not, since every node delivers those to its own users.
 * @module
 */
import type { ChatMessage, ChatSignal, IChatClient } from '../interfaces.js';
import { isRoomName } from '../names.js';
import type { DirectEvent } from './wire.js';

/** Sends `event` to `node`'s channel. */
export type SendToNode = (node: string, event: DirectEvent) => void;

/** The {@link IChatClient} of a user of another node. */
export class RemoteClient implements IChatClient {
  constructor(
    readonly node: string,
    readonly uid: string,
    readonly send: SendToNode,
  ) {}

  receive(message: ChatMessage): void {
    if (!isRoomName(message.to)) this.send(this.node, { k: 'pm', uid: this.uid, message });
  }

  signal(signal: ChatSignal): void {
    if (!isRoomName(signal.to)) this.send(this.node, { k: 'signal', uid: this.uid, signal });
  }

  invited(room: string, by: string): void {
    this.send(this.node, { k: 'invited', uid: this.uid, room, by });
  }

  disconnect(reason: string): void {
    this.send(this.node, { k: 'kill', uid: this.uid, reason });
  }

  userJoined(): void {}
  userLeft(): void {}
  userQuit(): void {}
  nickChanged(): void {}
  topicChanged(): void {}
  roomChanged(): void {}
}
