/**
 * A chat page for tests that only care whether, and why, its session ended.
 * @module
 */
import type { IChatView } from '../interfaces.js';

/** A view that ignores everything but `closed`, whose reasons it records. */
export function closedOnlyView(): { view: IChatView; closed: string[] } {
  const closed: string[] = [];
  const ignore = (): void => undefined;
  const view: IChatView = {
    loggedIn: ignore,
    roomJoined: ignore,
    roomLeft: ignore,
    message: ignore,
    event: ignore,
    quit: ignore,
    memberJoined: ignore,
    memberLeft: ignore,
    memberChanged: ignore,
    renamed: ignore,
    topic: ignore,
    nickChanged: ignore,
    closed: (reason) => closed.push(reason),
  };
  return { view, closed };
}
