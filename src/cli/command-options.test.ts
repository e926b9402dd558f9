/**
 * The command's own options: `--version`, `--log-level` and `--log-format` (before or after the plugin
 * name, so every plugin takes them), and debug lines left out unless asked for. Also: every built-in
 * plugin listens on the loopback addresses only unless told otherwise, and its `--help` says how to open up.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getPlugins, parseOptions, pluginHelp } from '../app/index.js';
import { parseDescription } from '../internet/index.js';
import { COMMAND_OPTIONS, logSettings } from './logging.js';
import { loadApplicationPlugins } from './plugins.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const chatty = fileURLToPath(new URL('./test-support/chatty-command.ts', import.meta.url));
const main = fileURLToPath(new URL('./main.ts', import.meta.url));

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const levelsIn = (text: string, who = 'chatty') => [...text.matchAll(new RegExp(`${who} (\\w+) line`, 'g'))].map((m) => m[1]);

describe('torsion --version', () => {
  test('prints the version of package.json', { timeout: 60_000 }, async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await run(main, ['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `torsion ${version}\n`);
  });
});

describe('--log-level and --log-format', () => {
  test('by default no debug lines; info and above are logged as text', { timeout: 60_000 }, async () => {
    const r = await run(chatty, ['chatty']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(levelsIn(r.stderr), ['info', 'warn', 'error', 'critical']);
    assert.match(r.stderr, /\[torsion\.chatty#info\] chatty info line/);
  });

  test('--log-level debug after the plugin name, or warn before it; per namespace too', { timeout: 60_000 }, async () => {
    const debug = await run(chatty, ['chatty', '--log-level', 'debug']);
    assert.deepEqual(levelsIn(debug.stderr), ['debug', 'info', 'warn', 'error', 'critical']);
    const warn = await run(chatty, ['--log-level=warn', 'chatty']);
    assert.deepEqual(levelsIn(warn.stderr), ['warn', 'error', 'critical']);
    const mixed = await run(chatty, ['--log-level', 'error', 'chatty', '--log-level', 'error,torsion.chatty.quiet=debug']);
    assert.deepEqual(levelsIn(mixed.stderr), ['error', 'critical']);
    assert.deepEqual(levelsIn(mixed.stderr, 'quiet'), ['debug', 'info', 'warn', 'error', 'critical']);
  });

  test('--log-format json writes one JSON event per line', { timeout: 60_000 }, async () => {
    const r = await run(chatty, ['--log-format', 'json', 'chatty']);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stderr.trim().split('\n').map((line) => JSON.parse(line) as { log_level: string; log_namespace: string; log_text: string });
    const mine = events.filter((e) => e.log_namespace === 'torsion.chatty');
    assert.deepEqual(mine.map((e) => e.log_level), ['info', 'warn', 'error', 'critical']);
    assert.equal(mine[0].log_text, 'chatty info line');
  });

  test('bad values are usage errors (exit 64)', { timeout: 60_000 }, async () => {
    const level = await run(chatty, ['chatty', '--log-level', 'loud']);
    assert.equal(level.code, 64);
    assert.match(level.stderr, /--log-level: unknown log level "loud"/);
    const format = await run(chatty, ['--log-format', 'xml', 'chatty']);
    assert.equal(format.code, 64);
    assert.match(format.stderr, /--log-format takes text or json/);
  });

  test('logSettings reads levels per namespace', () => {
    const s = logSettings(parseOptions(COMMAND_OPTIONS, ['--log-level', 'warn, torsion.web=debug']));
    assert.equal(s.levels.defaultLogLevel, 'warn');
    assert.equal(s.levels.logLevelForNamespace('torsion.web.server'), 'debug');
    assert.equal(s.format, 'text');
  });
});

describe('every built-in plugin listens on loopback only by default', () => {
  test('the default endpoints bind 127.0.0.1 (and ::1), never every interface; --help says how to open up', async () => {
    await loadApplicationPlugins();
    const plugins = getPlugins();
    assert.deepEqual(
      plugins.map((p) => p.name),
      ['dns', 'echo', 'ftp', 'mail', 'news', 'portforward', 'review', 'socks', 'ssh', 'web', 'words'],
    );
    for (const plugin of plugins) {
      const help = pluginHelp(plugin, 'torsion', COMMAND_OPTIONS);
      assert.match(help, /--log-level <level>/, plugin.name);
      const iface = plugin.options.find((o) => o.name === 'interface');
      if (iface !== undefined) {
        // `torsion dns` keeps Twisted's `twistd dns` options: a port, and an interface that is loopback by default.
        assert.equal(iface.default, '127.0.0.1', plugin.name);
        assert.match(help, /0\.0\.0\.0 or :: listens on every interface/, plugin.name);
        continue;
      }
      const listening = plugin.options.filter((o) => o.metavar === 'endpoint' && Array.isArray(o.default));
      assert.ok(listening.length > 0, plugin.name);
      for (const option of listening) {
        const parsed = (option.default as string[]).map(parseDescription);
        for (const p of parsed) assert.equal(p.type, 'tcp', `${plugin.name} --${option.name}`);
        const interfaces = parsed.map((p) => p.kwargs.interface);
        assert.ok(interfaces.includes('127.0.0.1'), `${plugin.name} --${option.name}`);
        for (const i of interfaces) assert.ok(i === '127.0.0.1' || i === '::1', `${plugin.name} --${option.name} listens on ${String(i)}`);
      }
      assert.match(help, /listen on this machine only/, plugin.name);
      assert.match(help, /tcp:8080 listens on every interface/, plugin.name);
    }
  });
});
