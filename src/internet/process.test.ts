import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deferred, type Failure } from '../defer/index.js';
import type { IPushProducer } from './interfaces.js';
import { ProcessDone, ProcessTerminated } from './error.js';
import { ProcessProtocol } from './protocol.js';
import { ProcessExitedAlready, ProcessSpawnError, spawnProcess } from './process.js';

/** Records every callback in order, and fires `ended` with processEnded's reason. */
class Recorder extends ProcessProtocol {
  events: string[] = [];
  out = '';
  err = '';
  fd3 = '';
  exitReason: Failure | undefined;
  /** A Promise, not a Deferred: a Deferred fired with a Failure would take the errback path. */
  readonly ended: Promise<Failure>;
  #end!: (f: Failure) => void;
  readonly started = new Deferred<void>();

  constructor() {
    super();
    this.ended = new Promise((resolve) => { this.#end = resolve; });
  }

  override connectionMade(): void {
    this.events.push('connectionMade');
    this.started.callback(undefined);
  }
  override childDataReceived(fd: number, data: Uint8Array): void {
    if (fd === 3) this.fd3 += Buffer.from(data).toString();
    super.childDataReceived(fd, data);
  }
  override outReceived(data: Uint8Array): void { this.out += Buffer.from(data).toString(); }
  override errReceived(data: Uint8Array): void { this.err += Buffer.from(data).toString(); }
  override childConnectionLost(fd: number): void {
    this.events.push(`lost ${fd}`);
    super.childConnectionLost(fd);
  }
  override processExited(reason: Failure): void {
    this.events.push('processExited');
    this.exitReason = reason;
  }
  override processEnded(reason: Failure): void {
    this.events.push('processEnded');
    this.#end(reason);
  }
}

/** Absolute path of a program, so tests can run with Twisted's default empty environment. */
function which(program: string, debianPackage: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  assert.ok(r.status === 0 && path, `${program} is missing: install the Debian package ${debianPackage}`);
  return path;
}

describe('spawnProcess', () => {
  test('cat echoes stdin to stdout; callbacks come in Twisted order and end with ProcessDone', async () => {
    const p = new Recorder();
    const t = spawnProcess(null, p, which('cat', 'coreutils'), ['cat']);
    assert.ok(typeof t.pid === 'number');
    t.write('hello ');
    t.write(new TextEncoder().encode('world'));
    t.closeStdin();
    const reason = await p.ended;
    assert.ok(reason.check(ProcessDone));
    assert.equal(p.out, 'hello world');
    assert.equal(p.events[0], 'connectionMade');
    assert.equal(p.events[p.events.length - 1], 'processEnded');
    assert.deepEqual(p.events.filter((e) => e.startsWith('lost')).sort(), ['lost 0', 'lost 1', 'lost 2']);
    assert.ok(p.events.indexOf('processExited') < p.events.indexOf('processEnded'));
    assert.equal(t.status, 0);
  });

  test('args[0] is the name the program sees; env and path are passed', async () => {
    const p = new Recorder();
    spawnProcess(null, p, which('sh', 'dash'), ['my-name', '-c', 'echo "$0 $GREETING $(pwd)"; echo oops >&2'], { env: { GREETING: 'hi' }, path: '/tmp' });
    await p.ended;
    assert.equal(p.out, 'my-name hi /tmp\n');
    assert.equal(p.err, 'oops\n');
  });

  test('the environment is empty by default (as Twisted on POSIX) and inherited with env: null', async () => {
    const sh = which('sh', 'dash');
    const empty = new Recorder();
    spawnProcess(null, empty, sh, ['sh', '-c', 'echo "[$HOME]"']);
    const inherited = new Recorder();
    spawnProcess(null, inherited, sh, ['sh', '-c', 'echo "[$HOME]"'], { env: null });
    await empty.ended;
    await inherited.ended;
    assert.equal(empty.out, '[]\n');
    assert.equal(inherited.out, `[${process.env.HOME}]\n`);
  });

  test('a non-zero exit gives ProcessTerminated with the exit code (true/false)', async () => {
    const ok = new Recorder();
    spawnProcess(null, ok, which('true', 'coreutils'), ['true']);
    const bad = new Recorder();
    spawnProcess(null, bad, which('false', 'coreutils'), ['false']);
    assert.ok((await ok.ended).check(ProcessDone));
    const reason = await bad.ended;
    assert.ok(reason.check(ProcessTerminated));
    assert.equal((reason.value as ProcessTerminated).exitCode, 1);
    assert.equal((reason.value as ProcessTerminated).signal, null);
    assert.ok(bad.exitReason?.check(ProcessTerminated));
  });

  test('signalProcess kills a sleeping child: ProcessTerminated with the signal; then ProcessExitedAlready', async () => {
    const p = new Recorder();
    const t = spawnProcess(null, p, which('sleep', 'coreutils'), ['sleep', '60']);
    t.signalProcess('TERM');
    const reason = await p.ended;
    assert.ok(reason.check(ProcessTerminated));
    assert.equal((reason.value as ProcessTerminated).signal, 'TERM');
    assert.equal((reason.value as ProcessTerminated).exitCode, null);
    assert.throws(() => t.signalProcess('KILL'), ProcessExitedAlready);
  });

  test('KILL by number works too', async () => {
    const p = new Recorder();
    const t = spawnProcess(null, p, which('sleep', 'coreutils'), ['sleep', '60']);
    t.signalProcess(9);
    assert.equal(((await p.ended).value as ProcessTerminated).signal, 'KILL');
  });

  test('an extra child fd 3 is readable by the parent, and writes go to a python3 child', async () => {
    const p = new Recorder();
    const script = 'import os,sys\nline=sys.stdin.readline()\nos.write(3, ("fd3:"+line.upper()).encode())\nprint("done")';
    const t = spawnProcess(null, p, which('python3', 'python3'), ['python3', '-c', script], { env: null, childFDs: { 0: 'w', 1: 'r', 2: 'r', 3: 'r' } });
    t.write('abc\n');
    const reason = await p.ended;
    assert.ok(reason.check(ProcessDone), p.err);
    assert.equal(p.fd3, 'fd3:ABC\n');
    assert.equal(p.out, 'done\n');
    assert.ok(p.events.includes('lost 3'));
  });

  test('the parent can write to an extra child fd and close it (the child sees end of file)', async () => {
    const p = new Recorder();
    const script = 'import os\ndata=b""\nwhile True:\n    chunk=os.read(3, 100)\n    if not chunk: break\n    data+=chunk\nprint(data.decode()[::-1])';
    const t = spawnProcess(null, p, which('python3', 'python3'), ['python3', '-c', script], { env: null, childFDs: { 0: 'w', 1: 'r', 2: 'r', 3: 'w' } });
    t.writeToChild(3, 'stressed');
    assert.throws(() => t.writeToChild(1, 'x'), /not a pipe the parent writes to/);
    t.closeChildFD(3);
    const reason = await p.ended;
    assert.ok(reason.check(ProcessDone), p.err);
    assert.equal(p.out, 'desserts\n');
  });

  test('uid and gid set the child\'s user and group', async () => {
    assert.equal(process.getuid?.(), 0, 'this test changes user and needs to run as root');
    const p = new Recorder();
    spawnProcess(null, p, which('id', 'coreutils'), ['id', '-u'], { uid: 65534, gid: 65534 });
    const g = new Recorder();
    spawnProcess(null, g, which('id', 'coreutils'), ['id', '-g'], { uid: 65534, gid: 65534 });
    await p.ended;
    await g.ended;
    assert.equal(p.out, '65534\n');
    assert.equal(g.out, '65534\n');
  });

  test('a producer writing into stdin is paused when the pipe is full, resumed when the child reads, stopped at the end', async () => {
    const p = new Recorder();
    // The child waits for a line on fd 3 before draining stdin, so the pipe fills first.
    const script = 'import os,sys\nos.read(3, 1)\nn=len(sys.stdin.buffer.read())\nprint(n)';
    const t = spawnProcess(null, p, which('python3', 'python3'), ['python3', '-c', script], { env: null, childFDs: { 0: 'w', 1: 'r', 2: 'r', 3: 'w' } });
    const events: string[] = [];
    let paused = false;
    const chunk = new Uint8Array(64 * 1024);
    let sent = 0;
    const pausedOnce = new Deferred<void>();
    const producer: IPushProducer = {
      pauseProducing: () => {
        events.push('pause');
        paused = true;
        if (!pausedOnce.called) pausedOnce.callback(undefined);
      },
      // A push producer writes until it is paused again (Deno and Bun take a write into flight at once,
      // so one more chunk need not pause it), then closes stdin after four chunks in all.
      resumeProducing: () => {
        events.push('resume');
        paused = false;
        while (!paused && sent < 4) { t.write(chunk); sent++; }
        if (!paused) t.closeStdin();
      },
      stopProducing: () => { events.push('stop'); },
    };
    t.registerProducer(producer, true);
    while (!paused && sent < 64) { t.write(chunk); sent++; }
    await pausedOnce;
    assert.deepEqual(events, ['pause']);
    assert.ok(sent < 64, 'the pipe filled up before 4 MiB were written');
    t.writeToChild(3, 'x');
    const reason = await p.ended;
    assert.ok(reason.check(ProcessDone), p.err);
    assert.equal(Number(p.out), sent * chunk.length);
    assert.equal(events[1], 'resume');
    assert.equal(events[events.length - 1], 'stop');
  });

  test('a parent fd can be handed to the child as is, and unlisted fds are closed', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'torsion-proc-')), 'out.txt');
    const fd = openSync(file, 'w');
    const p = new Recorder();
    spawnProcess(null, p, which('sh', 'dash'), ['sh', '-c', 'echo to-file; echo to-err >&2'], { childFDs: { 0: 'w', 1: fd } });
    await p.ended;
    closeSync(fd);
    assert.equal(readFileSync(file, 'utf8'), 'to-file\n');
    assert.equal(p.err, '');
  });

  test('a missing executable ends the protocol with ProcessSpawnError', async () => {
    const p = new Recorder();
    const t = spawnProcess(null, p, '/nonexistent/torsion-no-such-program', ['x']);
    assert.equal(t.pid, undefined);
    const reason = await p.ended;
    assert.ok(reason.check(ProcessSpawnError));
    assert.equal((reason.value.cause as NodeJS.ErrnoException).code, 'ENOENT');
    assert.ok(p.events.includes('processExited'));
  });

  test('loseConnection closes the pipes; a child blocked on stdin then exits', async () => {
    const p = new Recorder();
    const t = spawnProcess(null, p, which('cat', 'coreutils'), ['cat']);
    await p.started;
    t.loseConnection();
    assert.ok((await p.ended).check(ProcessDone));
  });
});
