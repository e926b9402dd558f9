/**
 * The `--auth` option of server plugins: parsed with the other options, repeatable, each value a checker;
 * bad values are usage errors naming the problem (never echoing a password); `--help-auth` lists the kinds.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AllowAnonymousAccess, InMemoryUsernamePasswordDatabase } from '../cred/index.js';
import { main } from '../cli/run.js';
import { AUTH_HELP, addAuthOption, authCheckers, parseOptions, pluginHelp, registerPlugin, unregisterPlugin, UsageError, type Plugin } from './index.js';

const options = addAuthOption([{ name: 'listen', description: 'where', multiple: true, default: ['tcp:0'] }]);

describe('--auth', () => {
  test('repeated --auth options give their checkers in order', () => {
    const parsed = parseOptions(options, ['--auth', 'memory:alice:secret', '--auth=anonymous']);
    const checkers = authCheckers(parsed);
    assert.ok(checkers[0] instanceof InMemoryUsernamePasswordDatabase);
    assert.ok(checkers[1] instanceof AllowAnonymousAccess);
    assert.deepEqual(authCheckers(parseOptions(options, [])), []);
  });

  test('a bad value, or none when required, is a UsageError naming the problem without the password', () => {
    assert.throws(() => authCheckers(parseOptions(options, ['--auth', 'memory:alice:hunter22:bob'])), (e: Error) => e instanceof UsageError && /^--auth: memory: .*"bob" has no password/.test(e.message) && !e.message.includes('hunter22'));
    assert.throws(() => authCheckers(parseOptions(options, ['--auth', 'ldap'])), (e: Error) => e instanceof UsageError && /unknown --auth kind "ldap"/.test(e.message));
    assert.throws(() => authCheckers(parseOptions(options, []), { required: true }), (e: Error) => e instanceof UsageError && /--auth is required/.test(e.message));
  });

  test('--help shows --auth as repeatable; torsion <plugin> --help-auth lists the kinds, for plugins that take --auth', async () => {
    const plugin: Plugin = { name: 'auth-option-test', description: 'test', options, makeService: () => assert.fail('not run') };
    const plain: Plugin = { ...plugin, name: 'auth-option-plain', options: [] };
    assert.match(pluginHelp(plugin), /--auth <strcred>\s+How users log in: .*\(may repeat\)/);
    registerPlugin(plugin);
    registerPlugin(plain);
    try {
      let out = '';
      const io = { stdout: { write: (s: string) => void (out += s) }, stderr: { write: () => undefined } };
      assert.equal(await main(['auth-option-test', '--help-auth'], io), 0);
      assert.equal(out, AUTH_HELP);
      for (const kind of ['memory:USER:PASSWORD', 'file:PATH', 'anonymous', 'sshkeys[:DIR]']) assert.ok(out.includes(kind), kind);
      out = '';
      assert.notEqual(await main(['auth-option-plain', '--help-auth'], io), 0, 'a plugin without --auth does not know --help-auth');
    } finally {
      unregisterPlugin(plugin.name);
      unregisterPlugin(plain.name);
    }
  });
});
