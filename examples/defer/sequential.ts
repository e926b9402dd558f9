/**
 * Sequential-looking code over Deferreds: inlineCallbacks (generators), async functions with
 * ensureDeferred, gatherResults, a DeferredSemaphore limiting concurrency and a DeferredQueue.
 * Run: node -C torsion-source --import tsx examples/defer/sequential.ts
 */
import { Deferred, DeferredQueue, DeferredSemaphore, ensureDeferred, gatherResults, inlineCallbacks, race } from 'torsion/defer';
import { reactor } from 'torsion/internet';

/** A pretend remote call: fires with `value` after `seconds`, cancellable. */
function later<T>(seconds: number, value: T): Deferred<T> {
  const d = new Deferred<T>(() => call.cancel());
  const call = reactor.callLater(seconds, () => d.callback(value));
  return d;
}

// inlineCallbacks: yield a Deferred, get its result back; failures are thrown at the yield.
const fetchProfile = inlineCallbacks(function* (user: string) {
  const id: number = yield later(0.01, user.length);
  const karma: number = yield later(0.01, id * 10);
  return `${user} (#${id}) has ${karma} karma`;
});

// The same with async/await: ensureDeferred turns the Promise into a Deferred for Deferred-based callers.
async function fetchProfileAsync(user: string): Promise<string> {
  const id = await later(0.01, user.length);
  const karma = await later(0.01, id * 10);
  return `${user} (#${id}) has ${karma} karma`;
}

console.log(await fetchProfile('alice'));
console.log(await ensureDeferred(fetchProfileAsync('bob')));

// gatherResults: wait for several at once; results come back in order.
const all = await gatherResults([fetchProfile('carol'), ensureDeferred(fetchProfileAsync('dave'))]);
console.log(`gathered: ${all.length} profiles, first is "${all[0]}"`);

// race: the first success wins, the losers are cancelled.
const [index, winner] = await race([later(1, 'slow mirror'), later(0.01, 'fast mirror')]);
console.log(`race won by #${index}: ${winner}`);

// DeferredSemaphore: at most two jobs at a time.
const sem = new DeferredSemaphore(2);
let running = 0;
let peak = 0;
const jobs = [1, 2, 3, 4, 5].map((n) =>
  sem.run(() => {
    running++;
    peak = Math.max(peak, running);
    return later(0.01, n * n).addBoth((r) => {
      running--;
      return r;
    });
  }),
);
console.log(`squares: ${(await gatherResults(jobs)).join(' ')} (at most ${peak} at once)`);

// DeferredQueue: a consumer waits on get(); the producer puts.
const queue = new DeferredQueue<string>({ size: 10 });
const consumer = inlineCallbacks(function* () {
  const got: string[] = [];
  for (;;) {
    const item: string = yield queue.get();
    if (item === 'end') return got;
    got.push(item);
  }
})();
for (const word of ['one', 'two', 'three', 'end']) queue.put(word);
console.log(`consumed: ${(await consumer).join(', ')}`);
