import { EventEmitter } from 'node:events';
import { Clock } from '../../testing/index.js';
import { WorkerBus, WorkerBusHost, type PrimaryLink, type WorkerLink } from '../workers.js';

/** A worker and its primary joined as cluster's IPC would: each message a JSON copy, delivered on a later turn. */
export function ipcPair(): { worker: WorkerLink & { exit(): void }; primary: PrimaryLink } {
  const toPrimary = new EventEmitter();
  const toWorker = new EventEmitter();
  const later = (e: EventEmitter, m: unknown): boolean => {
    const copy: unknown = JSON.parse(JSON.stringify(m));
    setImmediate(() => e.emit('message', copy));
    return true;
  };
  const worker = {
    send: (m: unknown) => later(toWorker, m),
    on: (event: string, listener: (...a: unknown[]) => void) => toPrimary.on(event, listener),
    exit: () => toPrimary.emit('exit'),
  } as unknown as WorkerLink & { exit(): void };
  const primary: PrimaryLink = { send: (m) => later(toPrimary, m), on: (event, listener) => toWorker.on(event, listener) };
  return { worker, primary };
}

/** A primary's bus host with two workers' buses, `a` and `b`, on it. */
export function twoWorkers(): { host: WorkerBusHost; a: WorkerBus; b: WorkerBus; links: ReturnType<typeof ipcPair>[] } {
  const host = new WorkerBusHost(new Clock());
  const links = [ipcPair(), ipcPair()];
  for (const l of links) host.attach(l.worker);
  return { host, a: new WorkerBus(links[0]!.primary, 'a'), b: new WorkerBus(links[1]!.primary, 'b'), links };
}
