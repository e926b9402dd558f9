import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, successResultOf } from '../../testing/index.js';
import { CookieAgent } from './cookie-agent.js';
import { CookieJar } from './cookie-jar.js';
import { accept, memoryAgent } from './test-support.js';

const u = (s: string): URL => new URL(s);

describe('CookieJar', () => {
  test('host-only cookies go back to that host only', () => {
    const jar = new CookieJar(new Clock());
    jar.setCookies(u('http://example.org/'), ['a=1']);
    assert.equal(jar.cookieHeader(u('http://example.org/x')), 'a=1');
    assert.equal(jar.cookieHeader(u('http://www.example.org/')), null);
  });

  test('a Domain cookie goes to subdomains; a foreign or top-level Domain is refused', () => {
    const jar = new CookieJar(new Clock());
    jar.setCookies(u('http://www.example.org/'), ['a=1; Domain=.example.org', 'b=2; Domain=evil.com', 'c=3; Domain=org', 'd=4; Domain=sub.www.example.org']);
    assert.equal(jar.cookieHeader(u('http://example.org/')), 'a=1');
    assert.equal(jar.cookieHeader(u('http://deep.www.example.org/')), 'a=1');
    assert.equal(jar.all().length, 1);
    jar.setCookies(u('http://127.0.0.1/'), ['e=5; Domain=0.0.1']);
    assert.equal(jar.cookieHeader(u('http://127.0.0.1/')), null);
  });

  test('a public suffix as Domain is refused: evil.co.uk cannot set a cookie that bank.co.uk receives', () => {
    const jar = new CookieJar(new Clock());
    jar.setCookies(u('https://evil.co.uk/'), ['sid=evil; Domain=co.uk', 'sid2=evil; Domain=.CO.UK']);
    assert.equal(jar.cookieHeader(u('https://bank.co.uk/')), null);
    assert.equal(jar.all().length, 0);
    jar.setCookies(u('https://www.bank.co.uk/'), ['own=1; Domain=bank.co.uk']);
    assert.equal(jar.cookieHeader(u('https://login.bank.co.uk/')), 'own=1', 'a registrable domain under co.uk still works');
    assert.equal(jar.cookieHeader(u('https://other.co.uk/')), null);
  });

  test("private suffixes count too: one github.io site cannot set another's cookies", () => {
    const jar = new CookieJar(new Clock());
    jar.setCookies(u('https://attacker.github.io/'), ['a=1; Domain=github.io']);
    assert.equal(jar.cookieHeader(u('https://victim.github.io/')), null);
    jar.setCookies(u('https://docs.project.github.io/'), ['b=2; Domain=project.github.io']);
    assert.equal(jar.cookieHeader(u('https://project.github.io/')), 'b=2');
  });

  test('a host that is itself a public suffix keeps a Domain cookie naming it, as host-only (RFC 6265 §5.3 step 5)', () => {
    const jar = new CookieJar(new Clock());
    jar.setCookies(u('https://github.io/'), ['a=1; Domain=github.io']);
    assert.equal(jar.cookieHeader(u('https://github.io/')), 'a=1');
    assert.equal(jar.cookieHeader(u('https://victim.github.io/')), null);
    assert.equal(jar.all()[0]!.hostOnly, true);
  });

  test('paths: the default path is the directory; /docs does not match /docsx; longer paths first', () => {
    const jar = new CookieJar(new Clock());
    jar.setCookies(u('http://h/docs/page'), ['dir=1']);
    jar.setCookies(u('http://h/'), ['root=1; Path=/', 'deep=1; Path=/docs/api']);
    assert.equal(jar.cookieHeader(u('http://h/docs')), 'dir=1; root=1');
    assert.equal(jar.cookieHeader(u('http://h/docs/api/x')), 'deep=1; dir=1; root=1');
    assert.equal(jar.cookieHeader(u('http://h/docsx')), 'root=1');
  });

  test('Secure cookies are only set and sent over https', () => {
    const jar = new CookieJar(new Clock());
    jar.setCookies(u('http://h/'), ['s=plain; Secure']);
    assert.equal(jar.all().length, 0);
    jar.setCookies(u('https://h/'), ['s=1; Secure']);
    assert.equal(jar.cookieHeader(u('http://h/')), null);
    assert.equal(jar.cookieHeader(u('https://h/')), 's=1');
  });

  test('Max-Age and Expires expire cookies on the jar clock; Max-Age wins; a past date deletes', () => {
    const clock = new Clock();
    const jar = new CookieJar(clock);
    jar.setCookies(u('http://h/'), ['short=1; Max-Age=10; Expires=Fri, 01 Jan 2100 00:00:00 GMT', 'session=1', 'gone=1']);
    jar.setCookies(u('http://h/'), ['gone=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    assert.equal(jar.cookieHeader(u('http://h/')), 'short=1; session=1');
    clock.advance(10);
    assert.equal(jar.cookieHeader(u('http://h/')), 'session=1');
    jar.setCookies(u('http://h/'), ['session=2; Max-Age=0']);
    assert.equal(jar.cookieHeader(u('http://h/')), null);
  });

  test('a cookie replaces the one with the same name, domain and path', () => {
    const jar = new CookieJar(new Clock());
    jar.setCookies(u('http://h/'), ['a=1', 'a=2', 'a=3; Path=/x']);
    assert.equal(jar.cookieHeader(u('http://h/x')), 'a=3; a=2');
  });

  test('oversized cookies are ignored and a domain keeps at most 50', () => {
    const jar = new CookieJar(new Clock());
    jar.setCookies(u('http://h/'), [`big=${'x'.repeat(5000)}`]);
    assert.equal(jar.all().length, 0);
    jar.setCookies(u('http://h/'), Array.from({ length: 60 }, (_, i) => `c${i}=1`));
    assert.equal(jar.all().length, 50);
    assert.equal(jar.all()[0].name, 'c10');
  });
});

describe('CookieAgent', () => {
  test('stores Set-Cookie from responses and sends Cookie on the next request', () => {
    const { reactor, agent } = memoryAgent(false);
    const jar = new CookieJar(reactor);
    const cookies = new CookieAgent(agent, jar);
    const d = cookies.request('GET', 'http://h/login');
    accept(reactor).send('HTTP/1.1 200 OK\r\nSet-Cookie: sid=abc; Path=/; HttpOnly\r\nSet-Cookie: theme=dark\r\nContent-Length: 0\r\n\r\n');
    successResultOf(d);
    cookies.request('GET', 'http://h/home');
    assert.match(accept(reactor).received(), /\r\ncookie: sid=abc; theme=dark\r\n/);
    cookies.request('GET', 'http://other/');
    assert.doesNotMatch(accept(reactor).received(), /cookie/);
  });

  test('a Cookie header given by the caller is left alone', () => {
    const { reactor, agent } = memoryAgent(false);
    const jar = new CookieJar(reactor);
    jar.setCookies(u('http://h/'), ['a=1']);
    new CookieAgent(agent, jar).request('GET', 'http://h/', { cookie: 'mine=1' });
    const sent = accept(reactor).received();
    assert.match(sent, /cookie: mine=1\r\n/);
    assert.doesNotMatch(sent, /a=1/);
  });
});
