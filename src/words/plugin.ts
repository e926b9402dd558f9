/**
 * `torsion words`: the chat service with its front doors, the project's main job. One words service
 * (accounts and history in SQLite under `--data`, or PostgreSQL with `--db`), an IRC server on `--irc` and
 * the web chat on `--web`, all on the same rooms:
 * `torsion words --irc tcp:6667 --web tcp:8080 --data ./var` (by default both listen on this machine only).
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Deferred, gatherResults } from '../defer/index.js';
import { LISTEN_HELP, MultiService, loopbackEndpoints, strportsService, UsageError, type Plugin, type StreamServerEndpointService } from '../app/index.js';
import cluster from 'node:cluster';
import { WorkerBus, connectRedisBus, type IBus } from '../bus/index.js';
import { ConnectionPool } from '../db/index.js';
import type { IReactor, IReactorTime } from '../internet/interfaces.js';
import { reactor as defaultReactor } from '../internet/index.js';
import { IRCServerFactory } from './irc/index.js';
import type { LiveLimits, LivePage } from '../live/index.js';
import { Logger } from '../logger/index.js';
import { Site } from '../web/index.js';
import { ClusterPolls, WordsCluster } from './cluster/index.js';
import { DbStore } from './db-store.js';
import { createWordsService, type WordsService } from './service.js';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from './passwords.js';
import { createWebChat } from './web/index.js';
import { XMPPWordsFactory } from './xmpp/index.js';
import { DbRosterStore } from '../xmpp/server/roster-store.js';

const log = new Logger({ namespace: 'torsion.words' });

/** The SQLite file's name inside the data folder. */
export const DATABASE_FILE = 'words.sqlite';

/** Seconds a shutdown waits for IRC clients to take their ERROR line and close. */
const CLOSE_WAIT = 3;

/** What a {@link WordsApplication} serves, and where. */
export interface WordsApplicationOptions {
  /** IRC endpoints (none for no IRC server). */
  irc: readonly string[];
  /** Web chat endpoints (none for no web chat). */
  web: readonly string[];
  /** XMPP client endpoints (none, the default, for no XMPP front door). */
  xmpp?: readonly string[];
  /** The XMPP domain (`nick@<domain>`, rooms at `conference.<domain>`); `localhost` by default. */
  xmppDomain?: string;
  /** Offer XMPP in-band registration (XEP-0077), which makes words accounts (off by default). */
  xmppRegister?: boolean;
  /** XMPP external component endpoints (XEP-0114; none by default); needs {@link componentSecret}. */
  xmppComponent?: readonly string[];
  /** The shared secret external components prove they know. */
  componentSecret?: string;
  /** PEM key and certificate for XMPP's STARTTLS (needed for password logins). */
  tls?: { key: string; cert: string };
  /** The data folder, made if missing, holding the SQLite database (when `db` is not given). */
  data: string;
  /** A PostgreSQL connection string (`postgres://user:pw@host/db`) to use instead of SQLite. */
  db?: string;
  /** The server's name in IRC prefixes ('torsion.words' by default). */
  name?: string;
  /** IRC message-of-the-day lines. */
  motd?: readonly string[];
  /** The reactor to listen on (the global one by default). */
  reactor?: IReactor;
  /** scrypt cost for new passwords (tests lower it). */
  scrypt?: ScryptParams;
  /**
   * Origins (`https://chat.example.org`) besides the chat page's own that may use its WebSocket and long
   * polling: the public origin when the chat is served behind a proxy under another host name.
   */
  webOrigins?: readonly string[];
  /** The chat page's live limits (byte budgets, stalled connections, page admission); the live layer's defaults otherwise. */
  webLimits?: Partial<LiveLimits>;
  /**
   * Server operator accounts (IRC's OPER), with their passwords in the clear as given on the command line:
   * they are hashed with scrypt when the service starts, and only the hashes are kept.
   */
  operators?: readonly OperatorCredentials[];
  /**
   * A Redis URL (`redis://host:6379/0`): this process becomes one node of a chat shared by every node on
   * that Redis (rooms, users, nicks; see docs/scale.md). Needs the npm package `ioredis`.
   */
  redis?: string;
  /** A bus already connected, instead of `redis` (tests, or the workers' bus of `--workers N`). */
  bus?: IBus;
  /**
   * True when every node on the bus writes to the same store, so that a room line is stored once, by the
   * node it was said on: with `db` (PostgreSQL) always; the workers of `--workers N` also share their SQLite
   * file. Defaults to whether `db` is given.
   */
  sharedStore?: boolean;
  /**
   * Seconds after which the other nodes count a node that stopped answering as gone: its users quit there
   * and its nicks are free (15 by default). Its heartbeat runs at a sixth of this.
   */
  nodeTimeout?: number;
}

/** Default of {@link WordsApplicationOptions.nodeTimeout}, in seconds. */
export const NODE_TIMEOUT = 15;

/** A server operator account as `--oper name:password` gives it. */
export interface OperatorCredentials {
  readonly name: string;
  readonly password: string;
}

/**
 * The words service with its IRC and web front doors, as one service: it opens the store before listening
 * and, on stop, stops listening, tells every client (IRC clients get `ERROR`, pages are told), flushes the
 * history and closes the database.
 *
 * @example
 * const app = new WordsApplication({ irc: ['tcp:6667'], web: ['tcp:8080'], data: './var' });
 * await app.startService();
 */
export class WordsApplication extends MultiService {
  /** The chat service both front doors serve. */
  readonly words: WordsService;
  readonly ircFactory: IRCServerFactory;
  readonly webChat: LivePage;
  /** The XMPP front door (made whether or not it listens). */
  readonly xmppFactory: XMPPWordsFactory;
  /** The listeners, IRC first. */
  readonly ircListeners: StreamServerEndpointService[] = [];
  readonly webListeners: StreamServerEndpointService[] = [];
  readonly xmppListeners: StreamServerEndpointService[] = [];
  readonly componentListeners: StreamServerEndpointService[] = [];
  readonly #pool: ConnectionPool | undefined;
  /** XMPP rosters, in the words database. */
  readonly #rosterStore: DbRosterStore;
  readonly #data: string;
  readonly #clock: IReactorTime;
  /** Operator passwords not hashed yet: dropped once {@link startService} has hashed them. */
  #operators: readonly OperatorCredentials[];
  /** This node's link to the others, once started with `redis` or `bus`. */
  cluster: WordsCluster | undefined;
  /** With `redis` or `bus`: the web chat's long polls forwarded to and from the other nodes. */
  readonly clusterPolls: ClusterPolls | undefined;

  constructor(readonly config: WordsApplicationOptions) {
    super();
    const reactor = config.reactor ?? defaultReactor;
    this.#clock = reactor;
    this.#data = resolve(config.data);
    this.#operators = config.operators ?? [];
    let store: DbStore;
    if (config.db !== undefined) {
      this.#pool = new ConnectionPool('pg', { connectionString: config.db });
      store = new DbStore({ pool: this.#pool });
    } else {
      store = new DbStore({ filename: join(this.#data, DATABASE_FILE) });
    }
    this.words = createWordsService({ store, clock: reactor, name: config.name ?? 'torsion.words', ...(config.scrypt ? { scrypt: config.scrypt } : {}) });
    this.ircFactory = new IRCServerFactory(this.words, { clock: reactor, motd: config.motd ?? ['Welcome to Torsion words. Join #lobby to meet the web chat.'] });
    if (config.redis !== undefined || config.bus !== undefined) {
      const limits = { nodeCheck: (config.nodeTimeout ?? NODE_TIMEOUT) / 3 };
      this.clusterPolls = new ClusterPolls({ nodeId: config.bus?.nodeId ?? randomUUID(), clock: reactor, limits });
    }
    this.webChat = createWebChat(this.words, {
      clock: reactor,
      ...(this.clusterPolls ? { remote: this.clusterPolls } : {}),
      ...(config.webOrigins ? { allowedOrigins: config.webOrigins } : {}),
      ...(config.webLimits ? { limits: config.webLimits } : {}),
    });
    this.#rosterStore = new DbRosterStore(store.pool);
    this.xmppFactory = new XMPPWordsFactory(this.words, { domain: config.xmppDomain ?? 'localhost', clock: reactor, rosterStore: this.#rosterStore, allowRegistration: config.xmppRegister === true, ...(config.tls ? { tls: config.tls } : {}), ...(config.componentSecret !== undefined ? { componentSecret: config.componentSecret } : {}) });
    const site = new Site(this.webChat, { clock: reactor });
    for (const e of config.irc) {
      const s = strportsService(e, this.ircFactory, reactor);
      s.setServiceParent(this);
      this.ircListeners.push(s);
    }
    for (const e of config.web) {
      const s = strportsService(e, site, reactor);
      s.setServiceParent(this);
      this.webListeners.push(s);
    }
    for (const e of config.xmpp ?? []) {
      const s = strportsService(e, this.xmppFactory, reactor);
      s.setServiceParent(this);
      this.xmppListeners.push(s);
    }
    for (const e of this.xmppFactory.components ? (config.xmppComponent ?? []) : []) {
      const s = strportsService(e, this.xmppFactory.components!, reactor);
      s.setServiceParent(this);
      this.componentListeners.push(s);
    }
  }

  /** The ports listened on (once started): `{ irc: [6667], web: [8080], xmpp: [5222], component: [5347] }`. */
  get ports(): { irc: number[]; web: number[]; xmpp: number[]; component: number[] } {
    return { irc: this.ircListeners.map(portOf), web: this.webListeners.map(portOf), xmpp: this.xmppListeners.map(portOf), component: this.componentListeners.map(portOf) };
  }

  /** Hashes the operator passwords (scrypt, as account passwords) and gives the accounts to the service. */
  #addOperators(): Deferred<void> {
    const operators = this.#operators;
    this.#operators = [];
    return gatherResults(
      operators.map((op) =>
        hashPassword(op.password, this.config.scrypt ?? DEFAULT_SCRYPT).addCallback((hash) => {
          this.words.addOperator(op.name, hash);
        }),
      ),
    ).addCallback(() => {
      if (operators.length > 0) log.info('{count} IRC operator account(s): {names}', { count: operators.length, names: operators.map((o) => o.name).join(', ') });
    });
  }

  /** Opens the store (making the data folder first), hashes the operator passwords, then listens. */
  override startService(): Deferred<void> {
    if (this.config.db === undefined) mkdirSync(this.#data, { recursive: true });
    const where = this.config.db === undefined ? join(this.#data, DATABASE_FILE) : 'PostgreSQL';
    return this.words
      .start()
      .addCallback(() => (this.config.xmpp?.length ? this.#rosterStore.start() : undefined))
      .addCallback(() => this.#addOperators())
      .addCallback(() => this.#joinCluster())
      .addCallback(() => {
        log.info('words service open, accounts and history in {where}', { where });
        return super.startService();
      })
      .addCallback(() => {
        for (const s of this.ircListeners) log.info('IRC server on {address}: connect an IRC client to port {port}', { address: String(s.port?.getHost()), port: portOf(s) });
        for (const s of this.webListeners) log.info('web chat at {url}', { url: urlOf(s) });
        for (const s of this.xmppListeners) log.info('XMPP on port {port}, domain {domain}, rooms at {muc}', { port: portOf(s), domain: this.xmppFactory.domain, muc: this.xmppFactory.mucDomain });
        for (const s of this.componentListeners) log.info('XMPP components (XEP-0114) on port {port}, for subdomains of {domain}', { port: portOf(s), domain: this.xmppFactory.domain });
      });
  }

  /** Stops listening, tells every client, flushes the history and closes the database. */
  override stopService(): Deferred<void> {
    const reason = 'Server shutting down';
    return Deferred.fromPromise(
      (async () => {
        await super.stopService();
        // Logged-in users first: IRC clients get ERROR, pages are told their session ended.
        await this.words.stop(reason);
        await this.#leaveCluster();
        this.ircFactory.closeAll(reason);
        this.xmppFactory.closeAll();
        this.webChat.close();
        await this.#drained();
        await this.#pool?.close();
        log.info('words service stopped; history flushed');
      })(),
    );
  }

  /** With `redis` or `bus`: connects (for `redis`) and joins the other nodes before anyone logs in. */
  #joinCluster(): Deferred<void> | undefined {
    const { redis, bus } = this.config;
    if (redis === undefined && bus === undefined) return undefined;
    const timeout = this.config.nodeTimeout ?? NODE_TIMEOUT;
    return Deferred.fromPromise(
      (async () => {
        const nodeId = this.clusterPolls!.options.nodeId;
        const joined = bus ?? (await connectRedisBus(redis!, { reactor: this.#clock, nodeId, limits: { presenceTtl: (timeout * 2) / 3, heartbeat: timeout / 6 } }));
        this.cluster = new WordsCluster(this.words, joined, { clock: this.#clock, sharedStore: this.config.sharedStore ?? this.config.db !== undefined, limits: { nodeCheck: timeout / 3 } });
        await this.cluster.start();
        await this.clusterPolls!.start(joined, this.webChat.polling);
        log.info('node {node} of a chat shared through {via}', { node: joined.nodeId, via: bus ? 'the bus given' : 'Redis' });
      })(),
    );
  }

  async #leaveCluster(): Promise<void> {
    await this.clusterPolls?.stop();
    await this.cluster?.stop();
    if (this.config.bus === undefined) await this.cluster?.bus.close();
  }

  /** Fires once every IRC connection has closed, or after {@link CLOSE_WAIT} seconds. */
  #drained(): Deferred<void> {
    const d = new Deferred<void>();
    const started = this.#clock.seconds();
    const check = (): void => {
      if ((this.ircFactory.connections.size === 0 && this.xmppFactory.connections.size === 0) || this.#clock.seconds() - started >= CLOSE_WAIT) d.callback(undefined);
      else this.#clock.callLater(0.02, check);
    };
    check();
    return d;
  }
}

function portOf(s: StreamServerEndpointService): number {
  return (s.port?.getHost() as { port?: number } | undefined)?.port ?? 0;
}

/** The chat page's URL on a web listener, for the log (a wildcard address shown as `localhost`). */
function urlOf(s: StreamServerEndpointService): string {
  const host = (s.port?.getHost() as { host?: string } | undefined)?.host ?? '';
  const shown = host === '' || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const scheme = s.description.startsWith('ssl:') || s.description.startsWith('tls:') ? 'https' : 'http';
  return `${scheme}://${shown}:${portOf(s)}/`;
}

/** Reads the plugin's parsed options into {@link WordsApplicationOptions}. */
export function wordsOptions(options: Record<string, unknown>): WordsApplicationOptions {
  const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);
  const off = (v: string[]): string[] => (v.length === 1 && v[0] === 'none' ? [] : v);
  const irc = off(list(options.irc));
  const web = off(list(options.web));
  const xmpp = off(list(options.xmpp)).flatMap((e) => (/^\d+$/.test(e) ? loopbackEndpoints(Number(e)) : [e]));
  if (irc.length === 0 && web.length === 0 && xmpp.length === 0) throw new UsageError('nothing to serve: give --irc, --web or --xmpp an endpoint');
  const db = typeof options.db === 'string' && options.db !== '' ? options.db : undefined;
  if (db !== undefined && !/^postgres(ql)?:\/\//.test(db)) throw new UsageError(`--db takes a postgres:// connection string, not ${JSON.stringify(db)}`);
  const out: WordsApplicationOptions = { irc, web, data: typeof options.data === 'string' ? options.data : './var' };
  if (db !== undefined) out.db = db;
  if (xmpp.length > 0) out.xmpp = xmpp;
  if (xmpp.length > 0 && typeof options['xmpp-domain'] === 'string') out.xmppDomain = options['xmpp-domain'];
  if (options['xmpp-register'] === true) out.xmppRegister = true;
  const components = off(list(options['xmpp-component'])).flatMap((e) => (/^\d+$/.test(e) ? loopbackEndpoints(Number(e)) : [e]));
  const secret = options['component-secret'];
  if (components.length > 0) {
    if (xmpp.length === 0) throw new UsageError('--xmpp-component needs --xmpp: components serve subdomains of the XMPP domain');
    if (typeof secret !== 'string' || secret === '') throw new UsageError('--xmpp-component needs --component-secret');
    out.xmppComponent = components;
    out.componentSecret = secret;
  }
  const certFile = options['tls-cert'];
  const keyFile = options['tls-key'];
  if ((typeof certFile === 'string') !== (typeof keyFile === 'string')) throw new UsageError('--tls-cert and --tls-key go together');
  if (typeof certFile === 'string' && typeof keyFile === 'string') out.tls = { cert: readPem(certFile, '--tls-cert'), key: readPem(keyFile, '--tls-key') };
  if (xmpp.length > 0 && out.tls === undefined) throw new UsageError('--xmpp needs --tls-cert and --tls-key: XMPP clients send their passwords inside TLS');
  if (typeof options.name === 'string') out.name = options.name;
  if (typeof options.motd === 'string') out.motd = options.motd.split('\n');
  const origins = list(options['web-origin']).map(webOrigin);
  if (origins.length > 0) out.webOrigins = origins;
  const operators = list(options.oper).map(operatorCredentials);
  if (operators.length > 0) out.operators = operators;
  if (typeof options.redis === 'string' && options.redis !== '') {
    if (!/^rediss?:\/\//.test(options.redis)) throw new UsageError(`--redis takes a redis:// URL, not ${JSON.stringify(options.redis)}`);
    out.redis = options.redis;
  }
  if (options['node-timeout'] !== undefined) {
    const t = Number(options['node-timeout']);
    if (!Number.isFinite(t) || t < 1 || t > 3600) throw new UsageError('--node-timeout takes seconds, from 1 to 3600');
    out.nodeTimeout = t;
  }
  return out;
}

/** A PEM file named by `option`, or a usage error naming it. */
function readPem(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${option}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** `name:password` of `--oper`, split at the first colon; both parts are needed. */
function operatorCredentials(value: string): OperatorCredentials {
  const colon = value.indexOf(':');
  const name = colon < 0 ? '' : value.slice(0, colon);
  const password = colon < 0 ? '' : value.slice(colon + 1);
  if (name === '' || password === '' || /[\s,]/.test(name)) throw new UsageError('--oper takes name:password (a name without spaces or commas, then a password)');
  return { name, password };
}

/**
 * `value` as browsers send it in `Origin` (`scheme://host[:port]`, lower case, no default port), since the
 * live layer compares origins as strings; anything more than an origin is a usage error.
 */
function webOrigin(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new UsageError(`--web-origin takes an origin such as https://chat.example.org (scheme, host and any port, no path), not ${JSON.stringify(value)}`);
  }
  return url.origin;
}

export const wordsPlugin: Plugin = {
  name: 'words',
  description: 'A chat server: IRC, a web chat and (with --xmpp) XMPP on the same rooms, accounts and history kept on disk',
  options: [
    { name: 'irc', description: "IRC endpoint ('none' for no IRC server)", multiple: true, default: loopbackEndpoints(6667), metavar: 'endpoint' },
    { name: 'web', description: "Web chat endpoint ('none' for no web chat)", multiple: true, default: loopbackEndpoints(8080), metavar: 'endpoint' },
    {
      name: 'xmpp',
      description: "XMPP client endpoint, off by default (a bare port listens on this machine only); needs --tls-cert/--tls-key",
      multiple: true,
      metavar: 'endpoint',
    },
    { name: 'xmpp-domain', description: 'The XMPP domain: users are nick@DOMAIN, rooms ROOM@conference.DOMAIN', default: 'localhost', metavar: 'domain' },
    { name: 'xmpp-register', description: 'Let XMPP clients register words accounts in-band (XEP-0077, inside TLS)', type: 'boolean' },
    {
      name: 'xmpp-component',
      description: 'XMPP external component endpoint (XEP-0114), off by default (a bare port listens on this machine only); components serve subdomains of --xmpp-domain; needs --component-secret',
      multiple: true,
      metavar: 'endpoint',
    },
    { name: 'component-secret', description: 'The shared secret of XMPP external components (a long random string: the handshake can be guessed at online)', metavar: 'secret' },
    { name: 'tls-cert', description: 'PEM certificate for XMPP STARTTLS', metavar: 'file' },
    { name: 'tls-key', description: 'PEM private key of --tls-cert', metavar: 'file' },
    { name: 'data', description: 'Data folder for the SQLite database (made if missing)', default: './var', metavar: 'dir' },
    { name: 'db', description: 'Keep accounts and history in PostgreSQL instead: postgres://user:pw@host/db', metavar: 'url' },
    { name: 'name', description: 'The server name IRC clients see', default: 'torsion.words', metavar: 'name' },
    { name: 'motd', description: 'The IRC message of the day', metavar: 'text' },
    {
      name: 'web-origin',
      description: "Another origin whose pages may use the web chat's connections, for a chat behind a proxy under another host name: https://chat.example.org",
      multiple: true,
      metavar: 'origin',
    },
    {
      name: 'oper',
      description: 'A server operator account for IRC OPER (KILL, WALLOPS): name:password, repeatable; the password is hashed with scrypt at start',
      multiple: true,
      metavar: 'name:password',
    },
    { name: 'redis', description: 'Share rooms, users and nicks with every other torsion words on this Redis: redis://host:6379/0 (needs the npm package ioredis)', metavar: 'url' },
    { name: 'node-timeout', description: `With --redis: seconds after which a node that stopped answering counts as gone and its users quit elsewhere (default ${NODE_TIMEOUT})`, metavar: 'seconds' },
  ],
  epilog: LISTEN_HELP,
  makeService(options, { reactor }) {
    const config = wordsOptions(options);
    // A worker of --workers without Redis shares the chat with the other workers through the primary, and
    // the SQLite file of the data folder with them.
    if (config.redis === undefined && cluster.isWorker) {
      config.bus = new WorkerBus(process);
      config.sharedStore = true;
    }
    return new WordsApplication({ ...config, reactor });
  },
};

