/**
 * The plugins the `torsion` command offers. A new subcommand is one import and one `registerPlugin` line here.
 * @module
 */
import { getPlugins, registerPlugin, type Plugin } from '../app/index.js';
import { Logger } from '../logger/index.js';
import { echoPlugin } from './plugins/echo.js';
import { dnsPlugin } from '../dns/plugin.js';
import { portforwardPlugin } from './plugins/portforward.js';
import { ftpPlugin } from '../ftp/plugin.js';
import { mailPlugin } from '../mail/plugin.js';
import { sshPlugin } from '../ssh/plugin.js';
import { webPlugin } from '../web/plugin.js';
import { wordsPlugin } from '../words/plugin.js';
import { newsPlugin } from '../nntp/plugin.js';
import { socksPlugin } from '../socks/plugin.js';

registerPlugin(echoPlugin);
registerPlugin(dnsPlugin);
registerPlugin(portforwardPlugin);
registerPlugin(ftpPlugin);
registerPlugin(mailPlugin);
registerPlugin(sshPlugin);
registerPlugin(webPlugin);
registerPlugin(wordsPlugin);
registerPlugin(newsPlugin);
registerPlugin(socksPlugin);

/**
 * Applications that ship with Torsion and are built only on its public subpaths, as a user's would be
 * (`apps/`). They are imported by name when the command starts, so the framework's own build never depends
 * on them, and one that cannot load leaves the others working.
 */
const APPLICATIONS = ['torsion/apps/review-board'];

const log = new Logger({ namespace: 'torsion.cli' });

function isPlugin(value: unknown): value is Plugin {
  const p = value as Plugin | null;
  return typeof p === 'object' && p !== null && typeof p.name === 'string' && typeof p.makeService === 'function';
}

/** Registers the applications' plugins (each module's exported plugins), once. */
export async function loadApplicationPlugins(): Promise<void> {
  for (const specifier of APPLICATIONS) {
    let module: Record<string, unknown>;
    try {
      module = (await import(specifier)) as Record<string, unknown>;
    } catch (e) {
      log.warn('application {specifier} not loaded: {why}', { specifier, why: (e as Error).message });
      continue;
    }
    for (const plugin of Object.values(module).filter(isPlugin)) {
      if (!getPlugins().some((p) => p.name === plugin.name)) registerPlugin(plugin);
    }
  }
}
