/**
 * Your own `torsion` command with the greeter plugin:
 * `node -C torsion-source --import tsx examples/cred/command.ts greeter --auth memory:alice:secret --auth anonymous`.
 */
import { registerPlugin } from 'torsion/app';
import { main } from 'torsion/cli';
import { greeterPlugin } from './greeter-plugin.js';

registerPlugin(greeterPlugin);
process.exit(await main(process.argv.slice(2)));
