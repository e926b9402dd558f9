#!/usr/bin/env node
/**
 * The `torsion` binary: see `run.ts`.
 * @module
 */
import { main } from './run.js';

process.exit(await main(process.argv.slice(2)));
