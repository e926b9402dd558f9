/**
 * `torsion news`: a news server (NNTP) keeping its groups and articles in SQLite under `--data`:
 * `torsion news --listen tcp:1119 --groups local.test,local.misc --data ./var/news [--auth ...] [--posting-requires-auth]`.
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Deferred } from '../defer/index.js';
import { LISTEN_HELP, MultiService, addAuthOption, authCheckers, loopbackEndpoints, strportsService, UsageError, type Plugin, type StreamServerEndpointService } from '../app/index.js';
import { Portal, type ICredentialsChecker } from '../cred/index.js';
import type { IReactor, TLSOptions } from '../internet/interfaces.js';
import { reactor as defaultReactor } from '../internet/index.js';
import { Logger } from '../logger/index.js';
import { isNewsgroupName } from './article.js';
import { DbNewsStorage } from './db-storage.js';
import type { INewsStorage } from './interfaces.js';
import type { NNTPLimits } from './limits.js';
import { MemoryNewsStorage } from './memory-storage.js';
import { NNTPServerFactory } from './server/factory.js';
import { NewsRealm } from './server/realm.js';

const log = new Logger({ namespace: 'torsion.nntp' });

/** The SQLite file's name inside the data folder. */
export const NEWS_DATABASE_FILE = 'news.sqlite';

/** What a {@link NewsApplication} serves. */
export interface NewsApplicationOptions {
  /** Endpoints to listen on. */
  listen: readonly string[];
  /** Groups made when first seen (their creation time is then, for NEWGROUPS). */
  groups: readonly string[];
  /** The data folder of the SQLite store; `null` keeps everything in memory. */
  data: string | null;
  /** Checkers of AUTHINFO; none means no AUTHINFO. */
  checkers?: readonly ICredentialsChecker[];
  postingRequiresAuth?: boolean;
  /** Certificate and key (PEM) to offer STARTTLS with. */
  tls?: TLSOptions;
  /** The domain of generated Message-IDs. */
  domain?: string;
  limits?: Partial<NNTPLimits>;
  reactor?: IReactor;
}

/** The news server as one service: opens the store and makes the groups before listening. */
export class NewsApplication extends MultiService {
  readonly storage: INewsStorage;
  readonly factory: NNTPServerFactory;
  readonly listeners: StreamServerEndpointService[] = [];
  readonly #reactor: IReactor;

  constructor(readonly config: NewsApplicationOptions) {
    super();
    this.#reactor = config.reactor ?? defaultReactor;
    this.storage = config.data === null ? new MemoryNewsStorage() : new DbNewsStorage({ filename: join(resolve(config.data), NEWS_DATABASE_FILE), clock: this.#reactor });
    const portal = config.checkers && config.checkers.length > 0 ? new Portal(new NewsRealm(), config.checkers, { failureDelay: 1, clock: this.#reactor }) : undefined;
    this.factory = new NNTPServerFactory({
      storage: this.storage,
      clock: this.#reactor,
      ...(portal ? { portal } : {}),
      postingRequiresAuth: config.postingRequiresAuth ?? false,
      ...(config.tls ? { tls: config.tls } : {}),
      ...(config.domain ? { domain: config.domain } : {}),
      ...(config.limits ? { limits: config.limits } : {}),
    });
    for (const e of config.listen) {
      const s = strportsService(e, this.factory, this.#reactor);
      s.setServiceParent(this);
      this.listeners.push(s);
    }
  }

  /** The ports listened on, once started. */
  get ports(): number[] {
    return this.listeners.map((s) => (s.port?.getHost() as { port?: number } | undefined)?.port ?? 0);
  }

  override startService(): Deferred<void> {
    return Deferred.fromPromise(
      (async () => {
        if (this.config.data !== null) mkdirSync(resolve(this.config.data), { recursive: true });
        const now = this.#reactor.seconds();
        for (const name of this.config.groups) {
          if ((await this.storage.getGroup(name)) === undefined) await this.storage.createGroup(name, { created: now });
        }
        log.info('news store open: {where}, {count} groups', { where: this.config.data === null ? 'in memory' : join(resolve(this.config.data), NEWS_DATABASE_FILE), count: (await this.storage.listGroups()).length });
        await super.startService();
        for (const s of this.listeners) log.info('NNTP server on {address}', { address: String(s.port?.getHost()) });
      })(),
    );
  }

  override stopService(): Deferred<void> {
    return Deferred.fromPromise(
      (async () => {
        await super.stopService();
        this.factory.closeAll();
        await this.storage.close();
      })(),
    );
  }
}

/** Reads the plugin's options. */
export function newsOptions(options: Record<string, unknown>, reactor: IReactor): NewsApplicationOptions {
  const groups = String(options.groups ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  for (const g of groups) if (!isNewsgroupName(g)) throw new UsageError(`--groups: ${JSON.stringify(g)} is not a newsgroup name`);
  const cert = options['tls-cert'];
  const key = options['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const out: NewsApplicationOptions = {
    listen: options.listen as string[],
    groups,
    data: options.memory === true ? null : String(options.data ?? './var/news'),
    checkers: authCheckers(options as never),
    postingRequiresAuth: options['posting-requires-auth'] === true,
    reactor,
  };
  if (out.postingRequiresAuth && out.checkers!.length === 0) throw new UsageError('--posting-requires-auth needs --auth');
  if (typeof cert === 'string' && typeof key === 'string') out.tls = { cert: readFileSync(cert), key: readFileSync(key) };
  if (typeof options.domain === 'string') out.domain = options.domain;
  return out;
}

export const newsPlugin: Plugin = {
  name: 'news',
  description: 'A news server (NNTP): groups and articles kept in SQLite, posting, IHAVE feeds, STARTTLS, AUTHINFO',
  options: addAuthOption([
    { name: 'listen', short: 'l', description: 'Endpoint to listen on (tcp:1119)', multiple: true, default: loopbackEndpoints(1119), metavar: 'endpoint' },
    { name: 'groups', description: 'Comma-separated groups to carry, made when first seen: local.test,local.misc', metavar: 'list' },
    { name: 'data', description: 'Data folder for the SQLite store (made if missing)', default: './var/news', metavar: 'dir' },
    { name: 'memory', description: 'Keep articles in memory only (lost on exit)', type: 'boolean' },
    { name: 'posting-requires-auth', description: 'Refuse POST and IHAVE until AUTHINFO succeeds', type: 'boolean' },
    { name: 'tls-cert', description: 'PEM certificate for STARTTLS', metavar: 'file' },
    { name: 'tls-key', description: 'PEM private key for STARTTLS', metavar: 'file' },
    { name: 'domain', description: 'Domain of generated Message-IDs and of Path', default: 'torsion.invalid', metavar: 'domain' },
  ]),
  epilog: LISTEN_HELP,
  makeService(options, { reactor }) {
    return new NewsApplication(newsOptions(options, reactor));
  },
};
