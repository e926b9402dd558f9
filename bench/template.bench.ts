/**
 * Templates (issue 6): a 1,000-row table page rendered to a string with Torsion's Stan, XML template and
 * JSX, against React's renderToString and a plain template-literal function; then time to first byte
 * over a real loopback HTTP connection for a page whose table waits 100 ms for its data, against React's
 * streaming renderer (Suspense) and the template literal (which must wait for all the data).
 *
 * Every string is read through once after rendering (`consume`), so engines that return an unflattened
 * rope pay for it as a socket write would. All renderers escape the same user-supplied names.
 */
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Deferred } from '../src/defer/index.js';
import { flattenString, h, renderElement } from '../src/template/index.js';
import { UsersPage as JsxUsersPage } from '../examples/template/page-jsx.js';
import { usersPage } from '../examples/template/page-stan.js';
import { UsersPage as XmlUsersPage } from '../examples/template/page-xml.js';
import { makeUsers, type User } from '../examples/template/users.js';
import { opsPerSecond, type BenchCase } from './harness.js';

// React picks its development or production build when first loaded: load the production one, as a
// server would run it, without leaving NODE_ENV changed for other benchmarks.
const savedEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
const { renderToString, renderToPipeableStream } = await import('react-dom/server');
const { jsx, jsxs } = await import('react/jsx-runtime');
const { Suspense, use } = await import('react');
if (savedEnv === undefined) delete process.env.NODE_ENV;
else process.env.NODE_ENV = savedEnv;

let sink = 0;
function consume(html: string): void {
  sink += html.charCodeAt(html.length >> 1) + html.length;
}

function reactRow(u: User) {
  return jsxs(
    'tr',
    {
      className: u.id % 2 === 0 ? 'even' : 'odd',
      children: [
        jsx('td', { children: u.id }),
        jsx('td', { children: jsx('a', { href: `/users/${u.id}`, children: u.name }) }),
        jsx('td', { children: u.email }),
        jsx('td', { children: u.score }),
      ],
    },
    u.id,
  );
}

/** The same page as React elements, written as the automatic JSX transform would emit them. */
function reactPage(rows: unknown) {
  return jsxs('html', {
    lang: 'en',
    children: [
      jsxs('head', {
        children: [jsx('meta', { charSet: 'utf-8' }), jsx('title', { children: 'Users' }), jsx('link', { rel: 'stylesheet', href: '/style.css' })],
      }),
      jsxs('body', {
        children: [
          jsx('h1', { children: 'Users' }),
          jsxs('table', {
            className: 'users',
            children: [
              jsx('thead', {
                children: jsxs('tr', {
                  children: [jsx('th', { children: 'ID' }), jsx('th', { children: 'Name' }), jsx('th', { children: 'Email' }), jsx('th', { children: 'Score' })],
                }),
              }),
              jsx('tbody', { children: rows }),
            ],
          }),
          jsx('footer', { children: 'Rendered by Torsion' }),
        ],
      }),
    ],
  });
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
/** Text escaping, as a careful hand-written page would do it (attributes here hold only numbers and constants). */
const esc = (s: string | number): string => String(s).replace(/[&<>]/g, (c) => ESCAPES[c]);

/** The floor: one template literal, escaping by hand. */
function literalPage(users: User[]): string {
  let rows = '';
  for (const u of users) {
    rows += `<tr class="${u.id % 2 === 0 ? 'even' : 'odd'}"><td>${u.id}</td><td><a href="/users/${u.id}">${esc(u.name)}</a></td><td>${esc(u.email)}</td><td>${u.score}</td></tr>`;
  }
  return (
    `<html lang="en"><head><meta charset="utf-8" /><title>Users</title><link rel="stylesheet" href="/style.css" /></head>` +
    `<body><h1>Users</h1><table class="users"><thead><tr><th>ID</th><th>Name</th><th>Email</th><th>Score</th></tr></thead>` +
    `<tbody>${rows}</tbody></table><footer>Rendered by Torsion</footer></body></html>`
  );
}

const syncString = (d: Deferred<string>): string => {
  if (!d.called) throw new Error('expected a synchronous render');
  return d.result as string;
};

/** Runs every subject in alternation, `rounds` times, and keeps each one's best rate (ops/s). */
async function bestRates(subjects: (() => void)[], rounds: number, seconds: number): Promise<number[]> {
  const best = subjects.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < subjects.length; i++) best[i] = Math.max(best[i], await opsPerSecond(subjects[i], 1, seconds));
  }
  return best;
}

async function tableToString(): Promise<BenchCase[]> {
  const users = makeUsers(1000);
  const stan = () => consume(syncString(flattenString(null, usersPage(users))));
  const xml = () => consume(syncString(flattenString(null, new XmlUsersPage(users))));
  const jsxPage = () => consume(syncString(flattenString(null, h(JsxUsersPage, { users }))));
  const react = () => consume(renderToString(reactPage(users.map(reactRow))));
  const literal = () => consume(literalPage(users));

  // All Torsion pages and the literal must produce the same markup (the XML template adds indentation).
  const squeeze = (s: string) => s.replace(/>\s+</g, '><');
  const expected = literalPage(users);
  for (const [name, html] of [
    ['Stan', syncString(flattenString(null, usersPage(users)))],
    ['XML', syncString(flattenString(null, new XmlUsersPage(users)))],
    ['JSX', syncString(flattenString(null, h(JsxUsersPage, { users })))],
  ] as const) {
    if (squeeze(html) !== expected) throw new Error(`${name} page differs from the template-literal page`);
  }

  const [rStan, rXml, rJsx, rReact, rLiteral] = await bestRates([stan, xml, jsxPage, react, literal], 3, 0.6);
  const unit = 'pages/s';
  const others = [
    { subject: 'React renderToString', value: rReact, unit },
    { subject: 'template literal', value: rLiteral, unit },
  ];
  const goal = '>= 1x React; ratio to the literal floor';
  return [
    { name: '1,000-row table to string: Stan', higherIsBetter: true, goal, measurements: [{ subject: 'torsion Stan', value: rStan, unit }, ...others] },
    { name: '1,000-row table to string: XML', higherIsBetter: true, goal, measurements: [{ subject: 'torsion XML', value: rXml, unit }, ...others] },
    { name: '1,000-row table to string: JSX', higherIsBetter: true, goal, measurements: [{ subject: 'torsion JSX', value: rJsx, unit }, ...others] },
  ];
}

const WAIT_MS = 100;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** GETs the page; returns [ms to the first body byte, ms to the end]. */
function fetchTimes(port: number): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    let first = -1;
    get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.on('data', () => {
        if (first < 0) first = performance.now() - start;
      });
      res.on('end', () => resolve([first, performance.now() - start]));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function timeToFirstByte(): Promise<BenchCase[]> {
  const users = makeUsers(1000);
  const later = <T>(value: T): Deferred<T> => {
    const d = new Deferred<T>();
    setTimeout(() => d.callback(value), WAIT_MS);
    return d;
  };
  const servers: Record<string, Server> = {
    torsion: createServer((_req, res) => {
      // The XML page's `rows` renderer waits 100 ms for its data.
      renderElement({ write: (b) => res.write(b), finish: () => res.end(), setHeader: (n, v) => res.setHeader(n, v) }, new XmlUsersPage(later(users)));
    }),
    react: createServer((_req, res) => {
      const data = new Promise<User[]>((resolve) => setTimeout(() => resolve(users), WAIT_MS));
      const Rows = () => use(data).map(reactRow);
      const stream = renderToPipeableStream(reactPage(jsx(Suspense, { fallback: null, children: jsx(Rows, {}) })), {
        onShellReady() {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          stream.pipe(res);
        },
      });
    }),
    literal: createServer((_req, res) => {
      setTimeout(() => {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(`<!DOCTYPE html>\n${literalPage(users)}`);
      }, WAIT_MS);
    }),
  };
  const ttfb: Record<string, number[]> = { torsion: [], react: [], literal: [] };
  try {
    const ports: Record<string, number> = {};
    for (const [name, server] of Object.entries(servers)) ports[name] = await listen(server);
    for (let round = 0; round < 6; round++) {
      for (const name of Object.keys(servers)) {
        const [first, total] = await fetchTimes(ports[name]);
        if (round > 0) ttfb[name].push(first); // round 0 warms up
        if (name === 'torsion' && total < WAIT_MS) throw new Error('the page finished before its data arrived');
      }
    }
  } finally {
    for (const server of Object.values(servers)) server.close();
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return [
    {
      name: `time to first byte, one renderer waits ${WAIT_MS} ms`,
      higherIsBetter: false,
      goal: `first byte before the ${WAIT_MS} ms wait ends`,
      measurements: [
        { subject: 'torsion renderElement', value: median(ttfb.torsion), unit: 'ms' },
        { subject: 'React renderToPipeableStream', value: median(ttfb.react), unit: 'ms' },
        { subject: 'template literal (waits)', value: median(ttfb.literal), unit: 'ms' },
      ],
    },
  ];
}

export default async function templateBench(): Promise<BenchCase[]> {
  const cases = [...(await tableToString()), ...(await timeToFirstByte())];
  if (sink === 0) throw new Error('nothing rendered');
  return cases;
}
