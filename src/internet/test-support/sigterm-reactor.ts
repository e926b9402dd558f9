// Child process for reactor.test.ts: runs a reactor whose 'before shutdown' trigger takes a while.
import { Deferred } from '../../defer/index.js';
import { NodeReactor } from '../reactor.js';

const reactor = new NodeReactor();
reactor.addSystemEventTrigger('before', 'shutdown', () => {
  const d = new Deferred<void>();
  setTimeout(() => {
    process.stdout.write('before-shutdown-done\n');
    d.callback(undefined);
  }, 200);
  return d;
});
reactor.addSystemEventTrigger('after', 'shutdown', () => process.stdout.write('after-shutdown\n'));
reactor.callWhenRunning(() => process.stdout.write('running\n'));
// Still pending at shutdown: it must not keep the process alive once run() has returned.
reactor.callLater(3600, () => process.stdout.write('never\n'));
await reactor.run();
process.stdout.write('run-returned\n');
