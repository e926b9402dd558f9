/**
 * Run by unhandled.test.ts in a child process (`node --expose-gc --import tsx unhandled-fixture.ts <mode>`),
 * so that garbage collection and process exit can be observed from outside.
 * @module
 */
import { Deferred, fail, setDebugging } from '../index.js';

class BoomError extends Error {
  override name = 'BoomError';
}

const gc = (globalThis as { gc?: () => void }).gc;
const mode = (globalThis as { process?: { argv: string[] } }).process?.argv[2];
const kept: Deferred<unknown>[] = [];

function createHere(): Deferred<number> {
  return new Deferred<number>();
}

function fireHere(d: Deferred<number>): void {
  d.errback(new BoomError('fired in fireHere'));
}

function dropFailed(message: string): void {
  fail(new BoomError(message));
}

async function collect(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

if (mode === 'gc') {
  dropFailed('collected unhandled');
  await collect();
  console.log('after gc');
} else if (mode === 'exit') {
  kept.push(fail(new BoomError('alive at exit')));
  console.log('exiting');
} else if (mode === 'handled') {
  fail(new BoomError('handled')).addErrback(() => undefined);
  const d = new Deferred<number>();
  d.addCallback(() => {
    throw new BoomError('handled later');
  });
  d.callback(1);
  d.addErrback(() => 'recovered');
  kept.push(d);
  await collect();
  console.log('after gc');
} else if (mode === 'debug') {
  setDebugging(true);
  const d = createHere();
  fireHere(d);
  kept.push(d);
} else if (mode === 'json') {
  const { globalLogBeginner, jsonFileLogObserver } = await import('../../logger/index.js');
  globalLogBeginner.beginLoggingTo([jsonFileLogObserver({ write: (t: string) => console.log(t.trimEnd()) })]);
  kept.push(fail(new BoomError('through the logger')));
} else {
  throw new Error(`unknown mode ${mode}`);
}
