/**
 * A small Torsion web site: a dynamic page, a form, a counter kept in the session, a JSON endpoint that
 * answers later (a Promise), and a static folder with gzip, on one port.
 *
 *   node -C torsion-source --import tsx examples/web/site.ts [port]     (default 8080; 0 picks a free one)
 */
import { fileURLToPath } from 'node:url';
import { reactor } from 'torsion/internet';
import { EncodingResourceWrapper, escapeHTML, File, GzipEncoderFactory, Resource, Site, type Request } from 'torsion/web';

/** `/`: a greeting, with the name from the query string (escaped: it is user input). */
class Home extends Resource {
  renderGET(request: Request): string {
    const name = request.args.get('name')?.[0] ?? 'world';
    request.setHeader('Content-Type', 'text/html; charset=utf-8');
    return `<!DOCTYPE html><h1>Hello, ${escapeHTML(name)}!</h1><form method="post" action="/echo"><input name="text"><button>Send</button></form>`;
  }
}

/** `/echo`: echoes a posted form field. */
class Echo extends Resource {
  override isLeaf = true;
  renderPOST(request: Request): string {
    const form = new URLSearchParams(Buffer.from(request.content).toString('utf8'));
    request.setHeader('Content-Type', 'text/plain; charset=utf-8');
    return `you said: ${form.get('text') ?? ''}`;
  }
}

/** `/count`: a per-visitor counter in the session (cookie `TORSION_SESSION`). */
class Counter extends Resource {
  override isLeaf = true;
  renderGET(request: Request): string {
    const session = request.getSession();
    const visits = ((session.data.get('visits') as number | undefined) ?? 0) + 1;
    session.data.set('visits', visits);
    return `visit number ${visits}`;
  }
}

/** `/time`: answers after an asynchronous step, by returning a Promise. */
class Time extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<string> {
    const now = await new Promise<string>((resolve) => setTimeout(() => resolve(new Date().toISOString()), 10));
    request.setHeader('Content-Type', 'application/json');
    return JSON.stringify({ now });
  }
}

const root = new Home();
root.putChild('echo', new Echo());
root.putChild('count', new Counter());
root.putChild('time', new Time());
root.putChild('static', new EncodingResourceWrapper(new File(fileURLToPath(new URL('./public', import.meta.url))), [new GzipEncoderFactory()]));

const port = reactor.listenTCP(Number(process.argv[2] ?? 8080), new Site(root), { interface: '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}/`);
