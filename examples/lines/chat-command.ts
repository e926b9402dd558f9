/**
 * Your own `torsion` command with one more plugin:
 * `node -C torsion-source --import tsx examples/lines/chat-command.ts chat --listen tcp:7000:interface=127.0.0.1`.
 * `--help` lists the built-in plugins and `chat`.
 */
import { registerPlugin } from 'torsion/app';
import { main } from 'torsion/cli';
import { chatPlugin } from './chat-plugin.js';

registerPlugin(chatPlugin);
process.exit(await main(process.argv.slice(2)));
