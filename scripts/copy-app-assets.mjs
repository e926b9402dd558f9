#!/usr/bin/env node
// After `tsc -p tsconfig.apps.json`: the applications' files that are read at run time rather than imported
// (browser widget sources the LivePage compiles, stylesheets, trained models) go next to their compiled code.
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
for (const app of readdirSync(join(root, 'apps'))) {
  for (const name of readdirSync(join(root, 'apps', app))) {
    if (/\.client\.ts$|\.css$|\.json$/.test(name)) copyFileSync(join(root, 'apps', app, name), join(root, 'dist', 'apps', app, name));
  }
}
