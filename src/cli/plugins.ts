/**
 * The plugins the `torsion` command offers. A new subcommand is one import and one `registerPlugin` line here.
 * @module
 */
import { registerPlugin } from '../app/index.js';
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
