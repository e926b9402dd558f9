// Torsion in the page: `node -C torsion-source --import tsx examples/browser-lines/server.ts [web endpoint]`, then open the
// printed URL. The page runs a LineReceiver that talks, through a WebSocket bridge served by this Site, to
// a TCP echo server (another LineReceiver) listening on 127.0.0.1.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Factory, reactor, serverFromString, TCPClientEndpoint, type IPv4Address } from 'torsion/internet';
import { LineReceiver } from 'torsion/protocols';
import { WebSocketBridgeResource } from 'torsion/live';
import { Data, Resource, Site } from 'torsion/web';

/** The TCP echo server: each line comes back as it was sent. */
export class LineEcho extends LineReceiver {
  override lineReceived(line: Uint8Array): void {
    this.sendLine(line);
  }
}

const PAGE = `<!DOCTYPE html>
<meta charset="utf-8">
<title>Torsion in the page</title>
<p id="status">connecting...</p>
<form><input name="line" autocomplete="off" placeholder="a line to echo; /quit closes"></form>
<ul id="log"></ul>
<script type="module" src="/app.js"></script>`;

/**
 * The export conditions this Node process was started with (`-C`/`--conditions`, on its command line or in
 * NODE_OPTIONS), so the page resolves `torsion/...` as the server does. Usually there are none; Torsion's
 * own repository runs its examples from source with `-C torsion-source`.
 */
function nodeConditions(): string[] {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.flatMap((flag, i) => {
    const m = /^(?:--conditions|-C)(?:=(.+))?$/.exec(flag);
    return m ? [m[1] ?? flags[i + 1] ?? ''] : [];
  });
}

/** Bundles page.ts (and the Torsion code it imports, in its browser build) into one ES module for the page. */
export async function bundlePage(): Promise<string> {
  const entry = fileURLToPath(new URL('./page.ts', import.meta.url));
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: nodeConditions(),
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** The web site: the page, its script, and the bridge to the echo server at `echoPort`. */
export async function makeSite(echoPort: number): Promise<Site> {
  const root = new Resource();
  root.putChild('', new Data(PAGE, 'text/html; charset=utf-8'));
  root.putChild('app.js', new Data(await bundlePage(), 'text/javascript; charset=utf-8'));
  // A fixed destination: the page can reach the echo server and nothing else.
  root.putChild('lines', new WebSocketBridgeResource(new TCPClientEndpoint(reactor, '127.0.0.1', echoPort)));
  return new Site(root, { accessLog: false });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const echo = reactor.listenTCP(0, Factory.forProtocol(LineEcho), { interface: '127.0.0.1' });
  const site = await makeSite((echo.getHost() as IPv4Address).port);
  const web = await serverFromString(reactor, process.argv[2] ?? 'tcp:8080:interface=127.0.0.1').listen(site);
  console.log(`open http://127.0.0.1:${(web.getHost() as IPv4Address).port}/`);
  await reactor.run();
}
