import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../defer/index.js';
import { MultiService, Service, DuplicateServiceNameError, ServiceNotFoundError } from './service.js';

class Recording extends Service {
  constructor(
    name: string,
    readonly log: string[],
    readonly stopWith?: Deferred<void>,
  ) {
    super(name);
  }
  override startService() {
    super.startService();
    this.log.push(`start ${this.name}`);
  }
  override stopService() {
    super.stopService();
    this.log.push(`stop ${this.name}`);
    return this.stopWith;
  }
}

describe('Service', () => {
  test('tracks running; setName is refused once parented', () => {
    const s = new Service('a');
    assert.equal(s.running, false);
    s.startService();
    assert.equal(s.running, true);
    s.stopService();
    assert.equal(s.running, false);
    s.setServiceParent(new MultiService());
    assert.throws(() => s.setName('b'), /parent/);
  });
});

describe('MultiService', () => {
  test('starts children in order, stops them in reverse, and waits for every stop Deferred', () => {
    const log: string[] = [];
    const slow = new Deferred<void>();
    const m = new MultiService();
    new Recording('a', log).setServiceParent(m);
    new Recording('b', log, slow).setServiceParent(m);
    new Recording('c', log).setServiceParent(m);
    m.startService();
    assert.deepEqual(log, ['start a', 'start b', 'start c']);
    const stopped = m.stopService() as Deferred<unknown>;
    assert.deepEqual(log.slice(3), ['stop c', 'stop b', 'stop a']);
    assert.equal(stopped.called, false, 'waits for b');
    slow.callback(undefined);
    assert.equal(stopped.called, true);
    assert.equal(m.running, false);
  });

  test('a child added while running is started; removed while running is stopped', () => {
    const log: string[] = [];
    const m = new MultiService();
    m.startService();
    const a = new Recording('a', log);
    a.setServiceParent(m);
    assert.deepEqual(log, ['start a']);
    assert.equal(m.getServiceNamed('a'), a);
    a.disownServiceParent();
    assert.deepEqual(log, ['start a', 'stop a']);
    assert.throws(() => m.getServiceNamed('a'), ServiceNotFoundError);
    assert.deepEqual([...m], []);
  });

  test('duplicate names are refused', () => {
    const m = new MultiService();
    new Service('x').setServiceParent(m);
    assert.throws(() => new Service('x').setServiceParent(m), DuplicateServiceNameError);
  });

  test('startService fails when a child fails to start, after all children were started', async () => {
    const m = new MultiService();
    const bad = new (class extends Service {
      override startService() {
        super.startService();
        return Deferred.fail(new Error('port taken'));
      }
    })();
    bad.setServiceParent(m);
    const good = new Service();
    good.setServiceParent(m);
    await assert.rejects(Promise.resolve(m.startService()), /port taken/);
    assert.equal(good.running, true);
  });
});
