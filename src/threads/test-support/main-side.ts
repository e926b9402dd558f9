/** A module whose function a worker asks the main thread to run, by task. */
import { isMainThread } from 'node:worker_threads';

export function shout(word: string): string {
  return `${word.toUpperCase()}! (main thread: ${isMainThread})`;
}
