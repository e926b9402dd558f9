/**
 * A Torsion `Site` on 127.0.0.1 serving one page of bundled test code and a bridge, for the bridge's browser
 * tests.
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { IListeningPort } from '../../../internet/interfaces.js';
import { reactor } from '../../../internet/reactor.js';
import { bundleForBrowser } from '../../../testing/chromium.js';
import { Data, Resource } from '../../../web/resource.js';
import { Site } from '../../../web/site.js';

/** The listening site and its `http://127.0.0.1:<port>` origin. */
export interface PageSite {
  web: IListeningPort;
  origin: string;
}

/**
 * Bundles `entry` for the browser and serves it as `/app.js` under a page at `/` titled `title`, with
 * `bridge` (a `WebSocketBridgeResource`) at `/<bridgePath>`.
 */
export async function servePage(entry: URL, title: string, bridgePath: string, bridge: Resource): Promise<PageSite> {
  const bundle = await bundleForBrowser(fileURLToPath(entry));
  const root = new Resource();
  root.putChild('', new Data(`<!DOCTYPE html><meta charset="utf-8"><title>${title}</title><script type="module" src="/app.js"></script>`, 'text/html; charset=utf-8'));
  root.putChild('app.js', new Data(bundle, 'text/javascript; charset=utf-8'));
  root.putChild(bridgePath, bridge);
  const web = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
  return { web, origin: `http://127.0.0.1:${(web.getHost() as unknown as { port: number }).port}` };
}
