/**
 * `torsion mail`: a mail server for one domain, on maildirs.
 * `torsion mail --smtp tcp:2525 --pop3 tcp:1110 --domain example.test --maildir ./var/mail --auth memory:alice:secret`
 * (SMTP on 2525 and POP3 on 1110 of this machine only by default; `none` turns one off).
 * Every `--auth` user has a mailbox; mail to other users of the domain gets 550 5.1.1, mail to other domains
 * is taken only from authenticated clients and relayed through the outgoing queue (`--smarthost`, or MX).
 * @module
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Deferred } from '../defer/index.js';
import { MultiService, UsageError, addAuthOption, authCheckers, loopbackEndpoints, strportsService, LISTEN_HELP, type MaybeAsync, type Plugin, type PluginOptions, type StreamServerEndpointService } from '../app/index.js';
import { FilePasswordDB, Portal, type ICredentialsChecker } from '../cred/index.js';
import { reactor as defaultReactor } from '../internet/index.js';
import type { IProtocolFactory, IReactor } from '../internet/interfaces.js';
import { Logger } from '../logger/index.js';
import { Address } from './address.js';
import { MailDomain } from './domain.js';
import { POP3_LIMITS } from './limits.js';
import { APOPChecker } from './pop3/apop.js';
import { POP3Factory } from './pop3/server.js';
import { IMAP4Factory } from './imap/factory.js';
import { OutgoingQueue } from './smtp/queue.js';
import { SMTPFactory } from './smtp/server.js';

const log = new Logger({ namespace: 'torsion.mail' });

/** Seconds a shutdown waits for clients to take their goodbye and close. */
const CLOSE_WAIT = 3;

/** The queue's folder inside the maildir root (no user can be named with a leading dot). */
export const QUEUE_FOLDER = '.queue';

/** What a {@link MailApplication} serves, and where. */
export interface MailApplicationOptions {
  /** SMTP endpoints (STARTTLS offered when `tls` is given). */
  smtp?: readonly string[];
  /** SMTP endpoints with TLS from the start (RFC 8314); need `tls`. */
  smtps?: readonly string[];
  /** POP3 endpoints (STLS offered when `tls` is given). */
  pop3?: readonly string[];
  /** POP3 endpoints with TLS from the start; need `tls`. */
  pop3s?: readonly string[];
  /** IMAP endpoints (STARTTLS offered when `tls` is given). */
  imap?: readonly string[];
  /** IMAP endpoints with TLS from the start (port 993); need `tls`. */
  imaps?: readonly string[];
  /** The mail domain (`example.test`). */
  domain: string;
  /** The server's name in greetings and `Received:` (the domain by default). */
  hostname?: string;
  /** The folder of the users' maildirs (and the outgoing queue). */
  maildir: string;
  /** How users log in (`--auth`). */
  checkers: readonly ICredentialsChecker[];
  /** The users who have mailboxes. */
  users: readonly string[];
  /** Passwords known in the clear (from `memory:`), for APOP. */
  clearPasswords?: ReadonlyMap<string, string>;
  /** PEM key and certificate, with their files (implicit-TLS endpoints name the files). */
  tls?: { key: string; cert: string; keyFile: string; certFile: string };
  /** Relay through this server instead of looking up MX records. */
  smarthost?: { host: string; port: number };
  /** Passwords over connections without TLS (local tests only). */
  allowPlaintextAuth?: boolean;
  /** Let a logged-in SMTP client give any sender address, not only `<login>@<domain>`. */
  anySender?: boolean;
  reactor?: IReactor;
}

/**
 * The mail service: SMTP and POP3 front doors on one domain's maildirs, and the outgoing queue.
 * IMAP is one more front door in {@link MailApplication.frontDoors}.
 *
 * @example
 * const app = new MailApplication({ smtp: ['tcp:2525'], pop3: ['tcp:1110'], domain: 'example.test', maildir: './var/mail',
 *   checkers: [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })], users: ['alice'] });
 * await app.startService();
 */
export class MailApplication extends MultiService {
  readonly domain: MailDomain;
  readonly queue: OutgoingQueue;
  readonly portal: Portal;
  readonly smtpFactory: SMTPFactory;
  readonly pop3Factory: POP3Factory;
  readonly imapFactory: IMAP4Factory;
  /** The listeners by front door (`smtp`, `smtps`, `pop3`, `pop3s`, `imap`, `imaps`). */
  readonly listeners = new Map<string, StreamServerEndpointService[]>();

  constructor(readonly config: MailApplicationOptions) {
    super();
    const reactor = config.reactor ?? defaultReactor;
    const hostname = config.hostname ?? config.domain;
    const root = resolve(config.maildir);
    this.queue = new OutgoingQueue({
      directory: join(root, QUEUE_FOLDER),
      hostname,
      clock: reactor,
      ...(config.smarthost ? { smarthost: config.smarthost } : {}),
      // A bounce for one of our own users goes straight to the maildir.
      deliverBounce: (to, message) => {
        const local = localMaildir(this.domain, to);
        return local ? local.deliver(message).addCallback(() => undefined) : this.queue.enqueue(null, [to], message);
      },
    });
    this.domain = new MailDomain({ domain: config.domain, root, users: config.users, ...(config.users[0] !== undefined ? { postmaster: config.users[0] } : {}), relay: this.queue, ...(config.anySender === true ? { senders: 'any' as const } : {}), clock: reactor, maxMessages: POP3_LIMITS.maxMessages });
    const checkers = [...config.checkers];
    if (config.clearPasswords && config.clearPasswords.size > 0) checkers.push(new APOPChecker(config.clearPasswords));
    this.portal = new Portal(this.domain, checkers, { failureDelay: 1, clock: reactor });
    const tls = config.tls ? { key: config.tls.key, cert: config.tls.cert } : undefined;
    const plaintext = config.allowPlaintextAuth ?? false;
    this.smtpFactory = new SMTPFactory({ hostname, domain: config.domain, delivery: this.domain, portal: this.portal, allowPlaintextAuth: plaintext, clock: reactor, ...(tls ? { tls } : {}) });
    this.pop3Factory = new POP3Factory({ hostname, portal: this.portal, allowPlaintextAuth: plaintext, clock: reactor, ...(tls ? { tls } : {}) });
    this.imapFactory = new IMAP4Factory({ hostname, portal: this.portal, allowPlaintextAuth: plaintext, clock: reactor, ...(tls ? { tls } : {}) });
    for (const door of this.frontDoors()) {
      const services: StreamServerEndpointService[] = [];
      for (const endpoint of door.endpoints) {
        const description = door.implicitTLS ? implicitTLSEndpoint(endpoint, config.tls, door.name) : endpoint;
        const s = strportsService(description, door.factory, reactor);
        s.setServiceParent(this);
        services.push(s);
      }
      this.listeners.set(door.name, services);
    }
  }

  /** The front doors and their endpoints: the one place a new protocol is added. */
  frontDoors(): { name: string; endpoints: readonly string[]; factory: IProtocolFactory; implicitTLS: boolean }[] {
    const c = this.config;
    return [
      { name: 'smtp', endpoints: c.smtp ?? [], factory: this.smtpFactory, implicitTLS: false },
      { name: 'smtps', endpoints: c.smtps ?? [], factory: this.smtpFactory, implicitTLS: true },
      { name: 'pop3', endpoints: c.pop3 ?? [], factory: this.pop3Factory, implicitTLS: false },
      { name: 'pop3s', endpoints: c.pop3s ?? [], factory: this.pop3Factory, implicitTLS: true },
      { name: 'imap', endpoints: c.imap ?? [], factory: this.imapFactory, implicitTLS: false },
      { name: 'imaps', endpoints: c.imaps ?? [], factory: this.imapFactory, implicitTLS: true },
    ];
  }

  /** The ports listened on, by front door (once started). */
  get ports(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, services] of this.listeners) out[name] = services.map((s) => (s.port?.getHost() as { port?: number } | undefined)?.port ?? 0);
    return out;
  }

  override startService(): Deferred<void> {
    return Deferred.fromPromise(
      (async () => {
        await this.domain.create();
        await this.queue.start();
        await super.startService();
        log.info('mail for {domain} in {maildir}, users: {users}', { domain: this.config.domain, maildir: resolve(this.config.maildir), users: this.config.users.join(', ') || '(none)' });
        for (const [name, services] of this.listeners) {
          for (const s of services) {
            const host = s.port?.getHost() as { host?: string; port?: number } | undefined;
            log.info('{door} listening on {host} port {port}', { door: name.toUpperCase(), host: host?.host ?? '?', port: host?.port ?? 0 });
          }
        }
      })(),
    );
  }

  /** Stops listening and the queue, tells every client (SMTP 421, POP3 -ERR, deleting nothing) and waits for them to close. */
  override stopService(): MaybeAsync {
    return Deferred.fromPromise(
      (async () => {
        await super.stopService();
        this.queue.stop();
        this.smtpFactory.closeAll();
        this.pop3Factory.closeAll();
        this.imapFactory.closeAll();
        const clock = this.config.reactor ?? defaultReactor;
        const started = clock.seconds();
        while (this.smtpFactory.connections.size + this.pop3Factory.connections.size + this.imapFactory.connections.size > 0 && clock.seconds() - started < CLOSE_WAIT) {
          await new Promise<void>((resolve) => clock.callLater(0.02, resolve));
        }
        log.info('mail service stopped');
      })(),
    );
  }
}

function localMaildir(domain: MailDomain, address: string): ReturnType<MailDomain['maildirOf']> {
  try {
    const a = Address.parse(address, true);
    return a.domainKey === domain.domain ? domain.maildirOf(a.local) : undefined;
  } catch {
    return undefined;
  }
}

/** `tcp:465:interface=...` as an `ssl:` endpoint with the key and certificate files (an `ssl:` one as given). */
export function implicitTLSEndpoint(endpoint: string, tls: MailApplicationOptions['tls'], option: string): string {
  if (/^ssl:/i.test(endpoint)) return endpoint;
  if (tls === undefined) throw new UsageError(`--${option} needs --tls-cert and --tls-key`);
  const m = /^tcp:(.*)$/i.exec(endpoint);
  if (m === null) throw new UsageError(`--${option} takes a tcp: or ssl: endpoint, not ${JSON.stringify(endpoint)}`);
  const escape = (path: string): string => path.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return `ssl:${m[1]}:privateKey=${escape(tls.keyFile)}:certKey=${escape(tls.certFile)}`;
}

/** The users named by `--auth` values: every `memory:` user, with their passwords, and every `file:` user. */
export async function authUsers(values: readonly string[], checkers: readonly ICredentialsChecker[]): Promise<{ users: string[]; clear: Map<string, string> }> {
  const clear = new Map<string, string>();
  for (const v of values) {
    if (!v.startsWith('memory:')) continue;
    const parts = v.slice('memory:'.length).split(':');
    for (let i = 0; i + 1 < parts.length; i += 2) clear.set(parts[i]!, parts[i + 1]!);
  }
  const users = new Set(clear.keys());
  for (const c of checkers) if (c instanceof FilePasswordDB) for (const [u] of await c.entries().asPromise()) users.add(u);
  return { users: [...users], clear };
}

/** Reads the plugin's parsed options into {@link MailApplicationOptions}. */
export async function mailOptions(options: PluginOptions): Promise<MailApplicationOptions> {
  const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);
  const off = (v: string[]): string[] => (v.length === 1 && v[0] === 'none' ? [] : v);
  const out: MailApplicationOptions = {
    smtp: off(list(options.smtp)),
    smtps: list(options.smtps),
    pop3: off(list(options.pop3)),
    pop3s: list(options.pop3s),
    imap: off(list(options.imap)),
    imaps: list(options.imaps),
    domain: typeof options.domain === 'string' ? options.domain : 'localhost',
    maildir: typeof options.maildir === 'string' ? options.maildir : './var/mail',
    checkers: [],
    users: [],
    allowPlaintextAuth: options['allow-plaintext-auth'] === true,
    anySender: options['any-sender'] === true,
  };
  if ([out.smtp, out.smtps, out.pop3, out.pop3s, out.imap, out.imaps].every((e) => e!.length === 0)) throw new UsageError('nothing to serve: give --smtp, --smtps, --pop3, --pop3s, --imap or --imaps an endpoint');
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(out.domain)) throw new UsageError(`--domain takes a domain name, not ${JSON.stringify(out.domain)}`);
  if (typeof options.hostname === 'string') out.hostname = options.hostname;
  const certFile = options['tls-cert'];
  const keyFile = options['tls-key'];
  if ((typeof certFile === 'string') !== (typeof keyFile === 'string')) throw new UsageError('--tls-cert and --tls-key go together');
  if (typeof certFile === 'string' && typeof keyFile === 'string') {
    const read = (path: string, what: string): string => {
      try {
        return readFileSync(path, 'utf8');
      } catch (e) {
        throw new UsageError(`${what}: cannot read ${path}: ${(e as Error).message}`);
      }
    };
    out.tls = { cert: read(certFile, '--tls-cert'), key: read(keyFile, '--tls-key'), certFile: resolve(certFile), keyFile: resolve(keyFile) };
  }
  if (typeof options.smarthost === 'string') {
    const m = /^tcp:(?:host=)?([^:]+):(?:port=)?(\d{1,5})$/.exec(options.smarthost);
    if (m === null) throw new UsageError(`--smarthost takes tcp:HOST:PORT, not ${JSON.stringify(options.smarthost)}`);
    out.smarthost = { host: m[1]!, port: Number(m[2]) };
  }
  const checkers = authCheckers(options);
  const { users, clear } = await authUsers(list(options.auth), checkers);
  out.checkers = checkers;
  out.users = users;
  out.clearPasswords = clear;
  return out;
}

export const mailPlugin: Plugin = {
  name: 'mail',
  description: 'A mail server for one domain: SMTP in, POP3 and IMAP out, maildirs on disk, relaying for users who log in',
  options: addAuthOption([
    { name: 'smtp', description: "SMTP endpoint, STARTTLS with --tls-cert/--tls-key ('none' for no SMTP)", multiple: true, default: loopbackEndpoints(2525), metavar: 'endpoint' },
    { name: 'smtps', description: 'SMTP endpoint with TLS from the start (port 465)', multiple: true, metavar: 'endpoint' },
    { name: 'pop3', description: "POP3 endpoint, STLS with --tls-cert/--tls-key ('none' for no POP3)", multiple: true, default: loopbackEndpoints(1110), metavar: 'endpoint' },
    { name: 'pop3s', description: 'POP3 endpoint with TLS from the start (port 995)', multiple: true, metavar: 'endpoint' },
    { name: 'imap', description: 'IMAP endpoint, STARTTLS with --tls-cert/--tls-key (none by default)', multiple: true, metavar: 'endpoint' },
    { name: 'imaps', description: 'IMAP endpoint with TLS from the start (port 993)', multiple: true, metavar: 'endpoint' },
    { name: 'domain', description: 'The mail domain: mail to USER@DOMAIN goes to USER\'s maildir', default: 'localhost', metavar: 'domain' },
    { name: 'hostname', description: 'The server name in greetings and Received: headers (the domain by default)', metavar: 'name' },
    { name: 'maildir', description: 'Folder of the users\' maildirs and the outgoing queue (made if missing)', default: './var/mail', metavar: 'dir' },
    { name: 'tls-cert', description: 'PEM certificate for STARTTLS, STLS and the implicit-TLS endpoints', metavar: 'file' },
    { name: 'tls-key', description: 'PEM private key of --tls-cert', metavar: 'file' },
    { name: 'smarthost', description: 'Relay outgoing mail through this server: tcp:HOST:PORT (MX lookup otherwise)', metavar: 'endpoint' },
    { name: 'allow-plaintext-auth', description: 'Accept passwords on connections without TLS (local tests only)', type: 'boolean' },
    { name: 'any-sender', description: 'Let a logged-in SMTP client send as any address (by default only as <login>@<domain>)', type: 'boolean' },
  ]),
  epilog: LISTEN_HELP,
  async makeService(options, { reactor }) {
    return new MailApplication({ ...(await mailOptions(options)), reactor });
  },
};
