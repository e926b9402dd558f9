// A WebSocket client: `node -C torsion-source --import tsx examples/websocket/client.ts [url] [message...]`
// (default ws://127.0.0.1:8080/echo). Prints the greeting and the echo of each message, then closes.
import { reactor } from 'torsion/internet';
import type { Failure } from 'torsion/defer';
import { connectWebSocket, WebSocketProtocol, type WebSocketClosedError } from 'torsion/web';

class EchoClient extends WebSocketProtocol {
  #waiting: number;
  constructor(readonly messages: string[]) {
    super();
    this.#waiting = messages.length + 1; // the greeting, then one echo per message
  }

  override negotiationFinished(): void {
    for (const m of this.messages) this.transport.sendTextMessage(m);
  }

  override textMessageReceived(text: string): void {
    console.log(this.#waiting-- === this.messages.length + 1 ? `greeting: ${text}` : `echo: ${text}`);
    if (this.#waiting === 0) this.transport.loseConnection(1000, 'done');
  }

  override connectionLost(reason: Failure): void {
    const closed = reason.value as WebSocketClosedError;
    console.log(`closed: ${closed.closeCode}${closed.wasClean ? ' (clean)' : ''}`);
    reactor.stop();
  }
}

const [url = 'ws://127.0.0.1:8080/echo', ...rest] = process.argv.slice(2);
const messages = rest.length > 0 ? rest : ['hello', 'world'];
reactor.callWhenRunning(() => {
  connectWebSocket(url, new EchoClient(messages), { subprotocols: ['echo'], perMessageDeflate: true }).addErrback((f: Failure) => {
    console.error(`cannot connect: ${f.getErrorMessage()}`);
    process.exitCode = 1;
    reactor.stop();
  });
});
await reactor.run();
