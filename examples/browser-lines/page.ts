// The page's side, bundled by server.ts for the browser: an ordinary Torsion LineReceiver, the same class
// you would run over TCP in Node, connected through the server's WebSocket bridge to a TCP echo server.
import type { Failure } from 'torsion/defer';
import { decodeUtf8, LineReceiver } from 'torsion/protocols';
import { browserReactor, connectWebSocketStream } from 'torsion/live/client';

const log = document.querySelector<HTMLUListElement>('#log')!;
const form = document.querySelector<HTMLFormElement>('form')!;
const input = document.querySelector<HTMLInputElement>('input[name=line]')!;
const status = document.querySelector<HTMLElement>('#status')!;

function show(kind: 'sent' | 'received', text: string): void {
  const li = document.createElement('li');
  li.className = kind;
  li.textContent = text;
  log.append(li);
}

class EchoClient extends LineReceiver {
  override connectionMade(): void {
    status.textContent = 'connected';
    // The browser reactor's callLater works as the Node reactor's does: a greeting a moment after connecting.
    browserReactor().callLater(0.1, () => this.say('hello from the page'));
  }

  say(text: string): void {
    show('sent', text);
    this.sendLine(text);
  }

  override lineReceived(line: Uint8Array): void {
    show('received', decodeUtf8(line));
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    status.textContent = `closed: ${reason.getErrorMessage()}`;
  }
}

const client = await connectWebSocketStream(`ws://${location.host}/lines`, new EchoClient());
form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (input.value === '/quit') client.transport.loseConnection();
  else client.say(input.value);
  input.value = '';
});
