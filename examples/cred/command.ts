/**
 * Your own `torsion` command with the greeter plugin:
 * `node --import tsx examples/cred/command.ts greeter --auth memory:alice:secret --auth anonymous`.
 */
import { registerPlugin } from '../../src/app/index.js';
import { main } from '../../src/cli/run.js';
import { greeterPlugin } from './greeter-plugin.js';

registerPlugin(greeterPlugin);
process.exit(await main(process.argv.slice(2)));
