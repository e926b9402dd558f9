// Torsion's layer rules (../shared/DESIGN.md), checked by dependency-cruiser: `npm run lint:deps`.
// src/layer-rules.test.ts runs them over a small tree, written to a temporary folder, that breaks each one.
// Paths are relative to the directory depcruise runs in, so they hold for the repository and the fixture.
import { builtinModules } from 'node:module';

/** Tests and test helpers: test files, test-support files and folders, and the test kits. */
const TEST_CODE = ['\\.test\\.tsx?$', '(^|/)test-support(/|\\.tsx?$)', '^src/testing/', '^src/[^/]+/testing/'];

/**
 * Code that runs in a page. defer/, time/, the framings of protocols/, the browser reactor and transport (internet/browser), the live client, the IRC protocol;
 * not the Node entries that add Node-only modules to them (protocols/index.ts re-exports FileSender,
 * irc/index.ts the reconnecting client factory).
 */
const BROWSER_CODE = ['^src/defer/', '^src/time/', '^src/protocols/', '^src/internet/browser/', '^src/live/(client|shared)/', '^src/irc/'];
const NODE_ONLY = [
  '^src/protocols/(index|file-sender)\\.ts$',
  '^src/irc/(index|client-factory)\\.ts$',
];

/** Every Node built-in, with or without the `node:` scheme. */
const NODE_BUILTINS = `^(node:)?(${builtinModules.filter((m) => !m.startsWith('_')).join('|')})$`;

/** Node's socket and process modules: only the transports in src/internet hold them. */
const SOCKET_MODULES = '^(node:)?(net|tls|dgram|child_process)$';

/**
 * Top-level folders that depend on each other today. Each pair is a refactor named by issue 13; until it
 * lands, edges between the two are not reported, while any other cycle through either still is.
 */
const KNOWN_FOLDER_CYCLES = [
  // Issue 13: defer reports unhandled failures through logger's Logger, and logger formats defer's
  // Failure. DESIGN.md puts the two on one layer; splitting them (a reporting hook in defer, or Failure
  // in a module of its own) is a refactor of its own.
  ['defer', 'logger'],
];

/** One folder-cycle rule per folder of a known pair (its partner exempted), one for every other folder. */
function folderCycleRules() {
  const partners = new Map();
  for (const [a, b] of KNOWN_FOLDER_CYCLES) {
    partners.set(a, [...(partners.get(a) ?? []), b]);
    partners.set(b, [...(partners.get(b) ?? []), a]);
  }
  const rule = (from, exempt) => ({
    name: 'no-folder-cycle',
    comment: 'Layers only point down: two folders of src/ never depend on each other, however indirectly.',
    severity: 'error',
    scope: 'folder',
    from,
    // Edges inside one top-level folder (src/live to src/live/client) are that folder's own business.
    to: { circular: true, pathNot: ['^src/$1(/|$)', ...exempt.map((f) => `^src/${f}(/|$)`)] },
  });
  const known = [...partners.keys()];
  return [
    rule({ path: '^src/([^/]+)', pathNot: known.map((f) => `^src/${f}(/|$)`) }, []),
    ...known.map((f) => rule({ path: `^src/(${f})(/|$)` }, partners.get(f))),
  ];
}

export default {
  forbidden: [
    ...folderCycleRules(),
    {
      name: 'no-test-code-in-production',
      comment: 'Production code never imports tests or test helpers; the build leaves them out of dist/.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'only-plugins-import-app',
      comment: 'A protocol folder reaches torsion/app from its plugin.ts only (the `torsion <name>` command).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/app/', '^src/cli/', '(^|/)plugin\\.ts$', ...TEST_CODE] },
      to: { path: '^src/app/' },
    },
    {
      name: 'browser-code-no-node',
      comment: 'Browser code never reaches a Node built-in, not even through a module it imports.',
      severity: 'error',
      from: { path: BROWSER_CODE, pathNot: [...NODE_ONLY, ...TEST_CODE] },
      to: { path: NODE_BUILTINS, reachable: true },
    },
    {
      name: 'sockets-only-in-internet',
      comment: 'Only the transports of src/internet import node:net, node:tls, node:dgram and node:child_process.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/internet/', ...TEST_CODE] },
      to: { path: SOCKET_MODULES },
    },
  ],
  options: {
    // Test code is in the graph (so production code importing it is seen), but its own imports are not
    // followed: a test may import anything, and that makes no cycle and reaches nothing.
    doNotFollow: { path: ['node_modules', ...TEST_CODE] },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
