// SPECIAL-USE (RFC 6154): attributes in LIST from the server's name map, `LIST (SPECIAL-USE)` for only
// those, `RETURN (SPECIAL-USE)`, and BAD for LIST-EXTENDED options that are not known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { connect, setup } from '../test-support/imap-session.js';

test('special-use attributes by name; LIST (SPECIAL-USE) lists only them; a map given replaces the default', async () => {
  const { factory, dir } = setup();
  try {
    const c = connect(factory);
    await c.send('a LOGIN alice secret\r\nb CREATE Sent\r\nc CREATE Trash\r\nd CREATE Notes\r\n', 'd');
    assert.equal(
      await c.send('e LIST "" *\r\n'),
      '* LIST (\\HasNoChildren) "/" INBOX\r\n* LIST (\\HasNoChildren) "/" "Notes"\r\n* LIST (\\HasNoChildren \\Sent) "/" "Sent"\r\n* LIST (\\HasNoChildren \\Trash) "/" "Trash"\r\ne OK LIST completed\r\n',
    );
    assert.equal(await c.send('f LIST (SPECIAL-USE) "" * RETURN (SPECIAL-USE)\r\n'), '* LIST (\\HasNoChildren \\Sent) "/" "Sent"\r\n* LIST (\\HasNoChildren \\Trash) "/" "Trash"\r\nf OK LIST completed\r\n');
    assert.match(await c.send('g LIST (REMOTE) "" *\r\n'), /^g BAD /);
    assert.match(await c.send('h LIST "" * RETURN (CHILDREN)\r\n'), /^h BAD /);
    const custom = setup({ specialUse: { Notes: '\\Drafts' } }, `${dir}/alice`);
    const d = connect(custom.factory);
    await d.send('a LOGIN alice secret\r\n');
    assert.equal(await d.send('b LIST (SPECIAL-USE) "" *\r\n'), '* LIST (\\HasNoChildren \\Drafts) "/" "Notes"\r\nb OK LIST completed\r\n');
    rmSync(custom.dir, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
