// An XMPP echo bot: `node -C torsion-source --import tsx examples/xmpp/echo-bot.ts JID PASSWORD [host] [port] [ca.pem]`
// (defaults 127.0.0.1 5222). It logs in over STARTTLS (verifying the server's certificate, against ca.pem when
// given), sends presence, echoes every chat message back, and accepts nothing else. SIGTERM closes the stream.
import { readFileSync } from 'node:fs';
import { clientFromString, connectProtocol, reactor } from 'torsion/internet';
import { XMPPClient, type Element, type XMPPClientOptions } from 'torsion/xmpp';

/** The bot: answers `chat` messages with their body. */
export class EchoBot extends XMPPClient {
  constructor(options: XMPPClientOptions) {
    super(options);
  }

  override sessionStarted(): void {
    this.sendPresence({ status: 'echoing' });
  }

  override messageReceived(message: Element): void {
    const body = message.getChildText('body');
    const from = message.getAttribute('from');
    if (message.getAttribute('type') !== 'chat' || body === undefined || from === undefined) return;
    this.sendMessage(from, `echo: ${body}`);
  }
}

if (process.argv[1]?.endsWith('echo-bot.ts')) {
  const [jid, password, host = '127.0.0.1', port = '5222', ca] = process.argv.slice(2);
  if (!jid || !password) {
    console.error('usage: echo-bot.ts JID PASSWORD [host] [port] [ca.pem]');
    process.exit(2);
  }
  const bot = new EchoBot({ jid, password, clock: reactor, tlsOptions: ca ? { ca: readFileSync(ca, 'utf8') } : {} });
  connectProtocol(clientFromString(reactor, `tcp:${host}:${port}`), bot).addErrback((f) => {
    console.error(`cannot connect: ${f.getErrorMessage()}`);
    reactor.stop();
  });
  bot.ready.addCallbacks(
    (bound) => console.log(`logged in as ${bound.toString()}`),
    (f) => {
      console.error(`login failed: ${f.getErrorMessage()}`);
      reactor.stop();
    },
  );
  process.on('SIGTERM', () => {
    bot.close();
    reactor.stop();
  });
  reactor.run();
}
