/**
 * Starting a worker on Torsion's entry script, from the built `.js` files or from the `.ts` sources.
 *
 * Under tsx, Node 20 does not apply the main thread's `--import tsx` loader hooks inside workers, so a
 * TypeScript worker starts on a two-line bootstrap that registers tsx in the worker, then imports the
 * entry (tsx maps its `.js` URL to the `.ts` file).
 * @module
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import type { WorkerBoot } from './messages.js';
import type { WorkerThreadOptions } from './interfaces.js';

const ENTRY = new URL('./worker-entry.js', import.meta.url).href;
const FROM_SOURCES = import.meta.url.endsWith('.ts');

function underTsx(): boolean {
  return process.execArgv.some((arg) => /(^|[/\\@])tsx([/\\]|$)/.test(arg) || arg === 'tsx');
}

let tsxApi: string | undefined;
function tsxApiUrl(): string {
  if (tsxApi === undefined) {
    try {
      tsxApi = import.meta.resolve('tsx/esm/api');
    } catch (e) {
      throw new Error('workers that load TypeScript need the "tsx" package (npm install --save-dev tsx)', { cause: e });
    }
  }
  return tsxApi;
}

/** A started worker, and the main thread's ends of its side channels. */
export interface SpawnedWorker {
  worker: Worker;
  /** Where answers to the worker's blocking calls are posted. */
  syncPort: MessagePort;
  /** The word the worker waits on during a blocking call. */
  state: Int32Array;
}

/** Starts a worker running Torsion's task loop. */
export function spawnWorker(options: WorkerThreadOptions = {}): SpawnedWorker {
  const channel = new MessageChannel();
  const shared = new SharedArrayBuffer(4);
  const boot: WorkerBoot = { torsion: true, syncPort: channel.port2, state: shared };
  const typescript = options.typescript ?? (FROM_SOURCES || underTsx());
  const common = {
    name: options.name ?? 'torsion-worker',
    execArgv: options.execArgv ?? process.execArgv,
    resourceLimits: options.resourceLimits,
    workerData: boot,
    transferList: [channel.port2],
  };
  let worker: Worker;
  if (typescript) {
    const source = `import(${JSON.stringify(tsxApiUrl())}).then((m) => { m.register(); return import(${JSON.stringify(ENTRY)}); });`;
    worker = new Worker(source, { ...common, eval: true });
  } else {
    worker = new Worker(new URL(ENTRY), common);
  }
  channel.port1.unref();
  return { worker, syncPort: channel.port1, state: new Int32Array(shared) };
}
