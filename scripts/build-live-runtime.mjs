#!/usr/bin/env node
// Part of `npm run build`, after tsc: bundles the live client runtime into one ES module in dist/, so an
// installed Torsion serves it without esbuild (an optional peer needed only to compile widget modules).
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleRuntime, RUNTIME_BUNDLE } from '../dist/live/modules.js';

await writeFile(RUNTIME_BUNDLE, await bundleRuntime());
console.log(`live client runtime: ${fileURLToPath(RUNTIME_BUNDLE)}`);
