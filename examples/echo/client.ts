// An echo client: `node -C torsion-source --import tsx examples/echo/client.ts [endpoint] [message...]`
// (default endpoint tcp:127.0.0.1:8007). Sends each message as a line, prints the echoes, then exits.
import { clientFromString, connectProtocol, Protocol, reactor } from 'torsion/internet';

class EchoClient extends Protocol {
  #received = '';
  constructor(readonly messages: string[], readonly done: () => void) {
    super();
  }

  override connectionMade(): void {
    this.transport.writeSequence(this.messages.map((m) => `${m}\n`));
  }

  override dataReceived(data: Uint8Array): void {
    this.#received += Buffer.from(data).toString('utf8');
    const lines = this.#received.split('\n');
    this.#received = lines.pop()!;
    for (const line of lines) console.log(`echo: ${line}`);
    if (lines.length > 0 && this.messages.splice(0, lines.length).length > 0 && this.messages.length === 0) this.transport.loseConnection();
  }

  override connectionLost(): void {
    this.done();
  }
}

const [description = 'tcp:127.0.0.1:8007', ...rest] = process.argv.slice(2);
const messages = rest.length > 0 ? rest : ['hello', 'world'];
reactor.callWhenRunning(async () => {
  try {
    await connectProtocol(clientFromString(reactor, description), new EchoClient([...messages], () => reactor.stop()));
  } catch (e) {
    console.error(`cannot connect: ${(e as Error).message}`);
    process.exitCode = 1;
    reactor.stop();
  }
});
await reactor.run();
