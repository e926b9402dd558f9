/**
 * From callbacks to Deferreds: a slow lookup that returns a Deferred, a chain of callbacks, an errback
 * that recovers, and a timeout that cancels. Run: node -C torsion-source --import tsx examples/defer/callbacks.ts
 */
import { CancelledError, Deferred, Failure, TimeoutError } from 'torsion/defer';
import { reactor } from 'torsion/internet';

class NoSuchPoem extends Error {
  override name = 'NoSuchPoem';
}

const poems: Record<string, string> = {
  ozymandias: 'I met a traveller from an antique land',
  jabberwocky: "'Twas brillig, and the slithy toves",
};

/** Looks a poem up "over the network": the answer comes later, through the Deferred. */
function getPoem(name: string, delay = 0.01): Deferred<string> {
  // The canceller stops the lookup if the caller gives up.
  const d = new Deferred<string>(() => call.cancel());
  const call = reactor.callLater(delay, () => {
    if (name in poems) d.callback(poems[name]);
    else d.errback(new NoSuchPoem(`no poem called ${name}`));
  });
  return d;
}

function firstWords(text: string, n: number): string {
  return text.split(' ').slice(0, n).join(' ');
}

// 1. A chain: each callback gets what the previous one returned.
const one = getPoem('ozymandias')
  .addCallback(firstWords, 4)
  .addCallback((words) => console.log(`poem starts: ${words}...`));

// 2. An errback: trap the failure we expect, recover with a default.
const two = getPoem('the-raven')
  .addErrback((failure: Failure) => {
    failure.trap(NoSuchPoem);
    console.log(`lookup failed (${failure.getErrorMessage()}), using a default`);
    return 'Once upon a midnight dreary';
  })
  .addCallback((text) => console.log(`poem starts: ${firstWords(text, 3)}...`));

// 3. A timeout: the lookup takes 5 s but we only wait 0.05 s; the canceller stops it.
const three = getPoem('jabberwocky', 5)
  .addTimeout(0.05, reactor)
  .addErrback((failure: Failure) => {
    failure.trap(TimeoutError, CancelledError);
    console.log(`gave up: ${failure.getErrorMessage()}`);
  });

// Deferreds are awaitable, so a script can wait for all three.
await one;
await two;
await three;
console.log('done');
