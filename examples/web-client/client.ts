/**
 * The web client: an `Agent` with a keep-alive pool, wrapped to follow redirects, keep cookies and decode
 * gzip, talking to a small Torsion site it starts on a free port of 127.0.0.1.
 *
 *   node -C torsion-source --import tsx examples/web-client/client.ts
 */
import { reactor } from 'torsion/internet';
import {
  EncodingResourceWrapper,
  GzipEncoderFactory,
  Resource,
  Site,
  type Request,
  Agent,
  ContentDecoderAgent,
  CookieAgent,
  CookieJar,
  HTTPConnectionPool,
  readBody,
  RedirectAgent,
  StringBodyProducer,
} from 'torsion/web';

/** `/login` sets a cookie and sends the browser on to `/home` (303: the POST becomes a GET). */
class Login extends Resource {
  override isLeaf = true;
  renderPOST(request: Request): string {
    const user = new URLSearchParams(Buffer.from(request.content).toString()).get('user') ?? 'nobody';
    request.addCookie('user', user, { path: '/', httpOnly: true });
    request.redirect('/home', 303);
    return '';
  }
}

/** `/home` greets whoever the cookie names, with a long (compressible) body. */
class Home extends Resource {
  override isLeaf = true;
  renderGET(request: Request): string {
    request.setHeader('Content-Type', 'text/plain; charset=utf-8');
    return `welcome back, ${request.getCookie('user') ?? 'stranger'}\n` + '.'.repeat(2000);
  }
}

const root = new Resource();
root.putChild('login', new Login());
root.putChild('home', new EncodingResourceWrapper(new Home(), [new GzipEncoderFactory()]));
const port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
const base = `http://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}`;

const pool = new HTTPConnectionPool(reactor);
const agent = new RedirectAgent(new ContentDecoderAgent(new CookieAgent(new Agent(reactor, { pool, connectTimeout: 10 }), new CookieJar(reactor))));

const response = await agent.request('POST', `${base}/login`, { 'content-type': 'application/x-www-form-urlencoded' }, new StringBodyProducer('user=ada'));
const body = Buffer.from(await readBody(response)).toString('utf8');
console.log(`${response.previousResponse?.code} then ${response.code} ${response.phrase}`);
console.log(body.split('\n')[0]);
console.log(`${body.length} bytes after decoding`);

await pool.closeCachedConnections();
await port.stopListening();
