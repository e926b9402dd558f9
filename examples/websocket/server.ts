// A WebSocket echo server: `node -C torsion-source --import tsx examples/websocket/server.ts [port]` (default 8080, on 127.0.0.1).
// Open http://127.0.0.1:8080/ in a browser, or run examples/websocket/client.ts against ws://127.0.0.1:8080/echo.
import { reactor } from 'torsion/internet';
import { Data, Resource, Site, WebSocketProtocol, WebSocketResource } from 'torsion/web';

/** Sends every message back; says hello first. */
class Echo extends WebSocketProtocol {
  override negotiationFinished(): void {
    this.transport.sendTextMessage(`hello from Torsion (subprotocol: ${this.transport.subprotocol ?? 'none'})`);
  }
  override textMessageReceived(text: string): void {
    this.transport.sendTextMessage(text);
  }
  override bytesMessageReceived(data: Uint8Array): void {
    this.transport.sendBytesMessage(data);
  }
}

const page = `<!DOCTYPE html>
<title>Torsion WebSocket echo</title>
<input id="msg" value="hi"> <button id="send">send</button>
<pre id="log"></pre>
<script>
  const log = (line) => (document.getElementById('log').textContent += line + '\\n');
  const ws = new WebSocket('ws://' + location.host + '/echo', ['echo']);
  ws.onmessage = (e) => log('< ' + e.data);
  ws.onclose = (e) => log('closed ' + e.code);
  document.getElementById('send').onclick = () => ws.send(document.getElementById('msg').value);
</script>`;

const root = new Resource();
root.putChild('', new Data(page, 'text/html; charset=utf-8'));
root.putChild('echo', new WebSocketResource(() => new Echo(), { subprotocols: ['echo'], perMessageDeflate: true, maxMessageSize: 1024 * 1024 }));

const port = reactor.listenTCP(Number(process.argv[2] ?? 8080), new Site(root), { interface: '127.0.0.1' });
console.log(`websocket echo server on 127.0.0.1:${(port.getHost() as unknown as { port: number }).port}`);
reactor.addSystemEventTrigger('after', 'shutdown', () => console.log('websocket echo server stopped'));
await reactor.run();
