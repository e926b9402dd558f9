/**
 * Marking values to be moved between threads instead of copied.
 * @module
 */
import type { TransferListItem } from 'node:worker_threads';
import type { Transfer } from './interfaces.js';

/** Brands Transfer records; `Symbol.for` so that two copies of this module still recognise each other. */
const BRAND = Symbol.for('torsion.threads.transfer');

/**
 * Marks `value` to be moved to the other thread: the listed objects (by default the value's own
 * ArrayBuffer) are detached on this side rather than copied. Works for task arguments, for a task's
 * return value, and for `callFromThread` arguments.
 *
 * @example
 * const bytes = new Uint8Array(64 << 20);
 * await deferToThread(digest, transfer(bytes)); // bytes.byteLength is now 0 here
 */
export function transfer<T>(value: T, list?: readonly TransferListItem[]): Transfer<T> {
  let items = list;
  if (items === undefined) {
    if (value instanceof ArrayBuffer) items = [value];
    else if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) items = [value.buffer];
    else if (value !== null && typeof value === 'object' && 'postMessage' in value) items = [value as unknown as TransferListItem];
    else throw new TypeError('transfer(value) needs an explicit list unless value is an ArrayBuffer, a typed array or a MessagePort');
  }
  return { [BRAND]: true, value, list: items } as Transfer<T>;
}

/** True for values made by {@link transfer}. */
export function isTransfer(value: unknown): value is Transfer<unknown> {
  return value !== null && typeof value === 'object' && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Unwraps transfer marks in `args` (in place), returning the transfer list, or undefined when nothing
 * is to be moved.
 */
export function takeTransfers(args: unknown[]): TransferListItem[] | undefined {
  let list: TransferListItem[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (isTransfer(a)) {
      args[i] = a.value;
      list ??= [];
      for (const item of a.list) if (!list.includes(item)) list.push(item);
    }
  }
  return list;
}
