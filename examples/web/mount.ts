/**
 * Mounting both ways. An Express app serves a Torsion resource tree under `/torsion` (pages, a response that
 * arrives later, a WebSocket through Express's server), and a Torsion site serves an Express app under `/api`.
 *
 *   node -C torsion-source --import tsx examples/web/mount.ts [port]   (Express on port, Torsion on port+1; 0: free ports)
 */
import express from 'express';
import { reactor } from 'torsion/internet';
import { NodeHandlerResource, NOT_DONE_YET, Resource, Site, toNodeHandler, WebSocketProtocol, WebSocketResource, type Request } from 'torsion/web';

/** `/torsion/hello`: a Torsion page; `prePathURL()` knows it is mounted under `/torsion`. */
class Hello extends Resource {
  override isLeaf = true;
  renderGET(request: Request): string {
    request.setHeader('Content-Type', 'text/plain; charset=utf-8');
    return `hello from Torsion at ${request.prePathURL()}`;
  }
}

/** `/torsion/later`: NOT_DONE_YET, finished a moment later on the reactor's clock. */
class Later extends Resource {
  override isLeaf = true;
  renderGET(request: Request): typeof NOT_DONE_YET {
    request.write('wait... ');
    const call = reactor.callLater(0.2, () => {
      request.write('done');
      request.finish();
    });
    request.notifyFinish().addErrback(() => call.cancel());
    return NOT_DONE_YET;
  }
}

/** `/torsion/shout`: a WebSocket that answers in capitals. */
class Shout extends WebSocketProtocol {
  override textMessageReceived(text: string): void {
    this.transport.sendTextMessage(text.toUpperCase());
  }
}

const tree = new Resource();
tree.putChild('hello', new Hello());
tree.putChild('later', new Later());
tree.putChild('shout', new WebSocketResource(() => new Shout()));

// One way: Torsion inside Express.
const torsion = toNodeHandler(tree, { prefix: '/torsion' });
const outer = express();
outer.get('/', (_req, res) => {
  res.send('Express here; Torsion is under /torsion/hello');
});
outer.use('/torsion', torsion);

// The other way: Express inside Torsion.
const api = express();
api.get('/users', (req, res) => {
  res.json({ users: ['ada', 'bob'], path: req.url });
});
const root = new Resource();
root.putChild('api', new NodeHandlerResource(api));

const port = Number(process.argv[2] ?? 8080);
const server = outer.listen(port, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  server.on('upgrade', torsion.upgrade);
  const listening = reactor.listenTCP(port === 0 ? 0 : port + 1, new Site(root), { interface: '127.0.0.1' });
  const torsionPort = (listening.getHost() as unknown as { port: number }).port;
  console.log(`express listening on http://127.0.0.1:${address.port}/`);
  console.log(`torsion listening on http://127.0.0.1:${torsionPort}/`);
});
