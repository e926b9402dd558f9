/**
 * A process runner: starts a program, labels each line of its output, feeds it text on stdin, and ends
 * with the program's own exit status.
 *
 *   node -C torsion-source --import tsx examples/process/runner.ts [--stdin TEXT] [--timeout SECONDS] program [args...]
 *   node -C torsion-source --import tsx examples/process/runner.ts --stdin 'b\na\n' sort
 *   node -C torsion-source --import tsx examples/process/runner.ts --timeout 1 sleep 30
 */
import { Deferred, type Failure } from 'torsion/defer';
import { ProcessTerminated, ProcessProtocol, reactor, ExitStatus, react } from 'torsion/internet';

class Runner extends ProcessProtocol {
  /** Fires with processEnded's reason (as a value: a Deferred given a Failure would take the errback path). */
  readonly ended = new Deferred<{ reason: Failure }>();
  #partial: Record<string, string> = { out: '', err: '' };

  constructor(readonly input: string | undefined) {
    super();
  }

  override connectionMade(): void {
    console.log(`started pid ${this.transport!.pid}`);
    if (this.input !== undefined) this.transport!.write(this.input.replaceAll('\\n', '\n'));
    this.transport!.closeStdin();
  }

  override outReceived(data: Uint8Array): void {
    this.#lines('out', data);
  }

  override errReceived(data: Uint8Array): void {
    this.#lines('err', data);
  }

  override processEnded(reason: Failure): void {
    for (const label of ['out', 'err']) if (this.#partial[label]) console.log(`${label}| ${this.#partial[label]}`);
    console.log(`ended: ${reason.getErrorMessage()}`);
    this.ended.callback({ reason });
  }

  /** Output arrives in arbitrary chunks: print whole lines only, keeping the rest for later. */
  #lines(label: string, data: Uint8Array): void {
    const lines = (this.#partial[label] + Buffer.from(data).toString()).split('\n');
    this.#partial[label] = lines.pop()!;
    for (const line of lines) console.log(`${label}| ${line}`);
  }
}

react(async () => {
  const args = process.argv.slice(2);
  let input: string | undefined;
  let timeout: number | undefined;
  while (args[0]?.startsWith('--')) {
    const flag = args.shift();
    if (flag === '--stdin') input = args.shift();
    else if (flag === '--timeout') timeout = Number(args.shift());
    else throw new ExitStatus(2);
  }
  if (args.length === 0) throw new ExitStatus(2);
  const runner = new Runner(input);
  // args[0] doubles as the program's own name (argv[0]), as Twisted's spawnProcess expects.
  const transport = reactor.spawnProcess(runner, args[0], args, { env: null });
  const killer = timeout === undefined ? undefined : reactor.callLater(timeout, () => transport.signalProcess('TERM'));
  const { reason } = await runner.ended;
  if (killer?.active()) killer.cancel();
  if (reason.value instanceof ProcessTerminated) throw new ExitStatus(reason.value.exitCode ?? 128);
});
