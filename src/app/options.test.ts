import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { commandHelp, parseOptions, pluginHelp, UsageError } from './options.js';
import type { Plugin, PluginOption } from './interfaces.js';
import { getPlugin, getPlugins, registerPlugin, unregisterPlugin, DuplicatePluginError } from './plugins.js';
import { Service } from './service.js';

const options: PluginOption[] = [
  { name: 'listen', short: 'l', description: 'Endpoint to listen on', multiple: true, default: ['tcp:8007'], metavar: 'endpoint' },
  { name: 'dest', description: 'Where to forward', required: true },
  { name: 'verbose', description: 'More logs', type: 'boolean' },
  { name: 'limit', description: 'A number', type: 'number', default: 5 },
];

describe('parseOptions', () => {
  test('collects repeated options, inline values, flags, numbers and defaults', () => {
    const o = parseOptions(options, ['--listen', 'tcp:1', '-l', 'tcp:2', '--listen=unix:/x', '--dest', 'tcp:host=a:port=1', '--verbose', '--limit', '7']);
    assert.deepEqual(o, { listen: ['tcp:1', 'tcp:2', 'unix:/x'], dest: 'tcp:host=a:port=1', verbose: true, limit: 7 });
    const d = parseOptions(options, ['--dest', 'x']);
    assert.deepEqual(d, { dest: 'x', listen: ['tcp:8007'], verbose: false, limit: 5 });
  });

  test('rejects unknown options, missing values, bad numbers and missing required options', () => {
    assert.throws(() => parseOptions(options, ['--dest', 'x', '--nope']), (e: Error) => e instanceof UsageError && /unknown option --nope/.test(e.message));
    assert.throws(() => parseOptions(options, ['--dest']), /--dest needs a value/);
    assert.throws(() => parseOptions(options, ['--dest', 'x', '--limit', 'many']), /needs a number/);
    assert.throws(() => parseOptions(options, []), /--dest is required/);
  });
});

describe('plugin registry and help', () => {
  const plugin: Plugin = { name: 'zz-test', description: 'A test plugin', options, makeService: () => new Service() };

  test('registers, lists sorted, refuses duplicates and bad names, unregisters', () => {
    registerPlugin(plugin);
    try {
      assert.equal(getPlugin('zz-test'), plugin);
      assert.ok(getPlugins().includes(plugin));
      const names = getPlugins().map((p) => p.name);
      assert.deepEqual(names, [...names].sort());
      assert.throws(() => registerPlugin(plugin), DuplicatePluginError);
      assert.throws(() => registerPlugin({ ...plugin, name: 'Bad Name' }), /lower-case/);
    } finally {
      assert.equal(unregisterPlugin('zz-test'), true);
    }
    assert.equal(getPlugin('zz-test'), undefined);
  });

  test('help texts list plugins and options', () => {
    assert.match(commandHelp([plugin]), /zz-test\s+A test plugin/);
    const h = pluginHelp(plugin);
    assert.match(h, /Usage: torsion zz-test/);
    assert.match(h, /-l, --listen <endpoint>\s+Endpoint to listen on \(may repeat; default: tcp:8007\)/);
    assert.match(h, /--dest <value>\s+Where to forward \(required\)/);
    assert.match(h, /--verbose\s+More logs/);
  });
});
