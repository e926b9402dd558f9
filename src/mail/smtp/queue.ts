/**
 * The outgoing queue: relayed mail kept on disk until a server takes it, retried with back-off, and
 * bounced to its sender (an RFC 3464 report) once it fails for good or is still undelivered after the
 * give-up time. Each message is two files: `<id>.eml`, then `<id>.json` (its envelope and schedule), each
 * written to a temporary name, flushed and renamed, so a crash never leaves a half envelope.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Deferred } from '../../defer/index.js';
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import { defaultReactor } from '../../time/default-reactor.js';
import type { Address } from '../address.js';
import { SMTPReplyError } from '../errors.js';
import type { IMXResolver } from '../interfaces.js';
import { QUEUE_LIMITS, type QueueLimits } from '../limits.js';
import type { SendResult } from './client.js';
import { bounceMessage, type FailedRecipient } from './dsn.js';
import { DNSMXResolver, NoMailHost } from './resolver.js';
import { sendmail } from './sendmail.js';

const log = new Logger({ namespace: 'torsion.mail.queue' });

/** A queued message's envelope and schedule (its `.json` file). */
export interface QueueEntry {
  id: string;
  /** The sender; '' for the null sender (a bounce, which is never bounced). */
  from: string;
  /** Recipients not yet delivered. */
  to: string[];
  /** Seconds (clock time) when it was queued. */
  queuedAt: number;
  attempts: number;
  /** Seconds (clock time) of the next try. */
  nextAttempt: number;
  lastError?: string;
}

/** Hands one message to one server: `sendmail` by default. */
export type RelaySender = (host: string, port: number, from: string, to: readonly string[], message: Uint8Array) => Deferred<SendResult>;

/** Options of an {@link OutgoingQueue}. */
export interface OutgoingQueueOptions {
  /** The queue's folder (made if missing). */
  directory: string;
  /** This server's name: the EHLO name, and the bounce's `MAILER-DAEMON@` domain. */
  hostname: string;
  /** Send everything through this server instead of looking up MX records. */
  smarthost?: { host: string; port: number };
  /** MX lookups (`DNSMXResolver`, through `torsion/dns` and the system's resolv.conf, by default). */
  resolver?: IMXResolver;
  /** How a message is handed to a server (sendmail with STARTTLS and certificate verification by default). */
  send?: RelaySender;
  /** Where bounces go (by default they are queued themselves, from `<>`). */
  deliverBounce?: (to: string, message: Uint8Array) => Deferred<void>;
  clock?: IReactorTime;
  limits?: Partial<QueueLimits>;
}

/**
 * Relayed mail on disk, delivered in the background.
 *
 * @example
 * const queue = new OutgoingQueue({ directory: './var/queue', hostname: 'mx.example.test', smarthost: { host: 'smtp.example.org', port: 587 } });
 * await queue.start();
 * await queue.enqueue(from, [to], message);
 */
export class OutgoingQueue {
  readonly limits: QueueLimits;
  readonly #o: OutgoingQueueOptions;
  readonly #clock: IReactorTime;
  readonly #resolver: IMXResolver;
  readonly #send: RelaySender;
  readonly #entries = new Map<string, QueueEntry>();
  readonly #inFlight = new Set<string>();
  #timer: IDelayedCall | null = null;
  #running = false;

  constructor(options: OutgoingQueueOptions) {
    this.#o = options;
    this.limits = { ...QUEUE_LIMITS, ...options.limits };
    this.#clock = options.clock ?? defaultReactor();
    this.#resolver = options.resolver ?? new DNSMXResolver();
    this.#send =
      options.send ??
      ((host, port, from, to, message) => sendmail(host, from, to, message, { port, hostname: options.hostname, requireTransportSecurity: false }));
  }

  /** The queued messages now. */
  entries(): QueueEntry[] {
    return [...this.#entries.values()].map((e) => ({ ...e, to: [...e.to] }));
  }

  /** Loads what a previous run left and starts delivering. */
  start(): Deferred<void> {
    return Deferred.fromPromise(
      (async () => {
        await mkdir(this.#o.directory, { recursive: true, mode: 0o700 });
        for (const name of await readdir(this.#o.directory)) {
          if (!name.endsWith('.json')) continue;
          try {
            const entry = JSON.parse(await readFile(join(this.#o.directory, name), 'utf8')) as QueueEntry;
            if (typeof entry.id === 'string' && /^[0-9a-f]+$/.test(entry.id) && Array.isArray(entry.to)) this.#entries.set(entry.id, entry);
          } catch (e) {
            log.warn('unreadable queue entry {name} skipped: {error}', { name, error: String(e) });
          }
        }
        this.#running = true;
        this.#schedule();
      })(),
    );
  }

  /** Stops delivering (what is on disk stays for the next start). */
  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#timer = null;
  }

  /** Puts `message` on disk for `to`; fires once it is safe there, and delivery starts at once. */
  enqueue(from: Address | string | null, to: readonly (Address | string)[], message: Uint8Array): Deferred<void> {
    return Deferred.fromPromise(this.#enqueue(from === null ? '' : String(from), to.map(String), message));
  }

  async #enqueue(from: string, to: string[], message: Uint8Array): Promise<void> {
    await mkdir(this.#o.directory, { recursive: true, mode: 0o700 });
    const now = this.#clock.seconds();
    const entry: QueueEntry = { id: randomBytes(12).toString('hex'), from, to, queuedAt: now, attempts: 0, nextAttempt: now };
    await writeDurably(join(this.#o.directory, `${entry.id}.eml`), message);
    await writeDurably(join(this.#o.directory, `${entry.id}.json`), Buffer.from(JSON.stringify(entry)));
    this.#entries.set(entry.id, entry);
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer?.cancel();
    this.#timer = null;
    let next = Infinity;
    for (const e of this.#entries.values()) if (!this.#inFlight.has(e.id)) next = Math.min(next, e.nextAttempt);
    if (next === Infinity) return;
    this.#timer = this.#clock.callLater(Math.max(0, next - this.#clock.seconds()), () => {
      this.#timer = null;
      this.#runDue();
    });
  }

  #runDue(): void {
    const now = this.#clock.seconds();
    for (const e of this.#entries.values()) {
      if (this.#inFlight.size >= this.limits.concurrency) break;
      if (this.#inFlight.has(e.id) || e.nextAttempt > now) continue;
      this.#inFlight.add(e.id);
      this.#attempt(e)
        .catch((err: unknown) => log.error('queue entry {id} failed: {error}', { id: e.id, error: String(err) }))
        .finally(() => {
          this.#inFlight.delete(e.id);
          this.#schedule();
        });
    }
    this.#schedule();
  }

  async #attempt(entry: QueueEntry): Promise<void> {
    const message = await readFile(join(this.#o.directory, `${entry.id}.eml`));
    const byDomain = new Map<string, string[]>();
    for (const rcpt of entry.to) {
      const domain = rcpt.slice(rcpt.lastIndexOf('@') + 1).toLowerCase();
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), rcpt]);
    }
    const remaining: string[] = [];
    const failed: FailedRecipient[] = [];
    let lastError = entry.lastError ?? '';
    for (const [domain, rcpts] of byDomain) {
      let hosts: { host: string; port: number }[];
      try {
        hosts = this.#o.smarthost ? [this.#o.smarthost] : (await this.#resolver.lookupMX(domain).asPromise()).map((mx) => ({ host: mx.exchange, port: 25 }));
      } catch (e) {
        if (e instanceof NoMailHost) for (const r of rcpts) failed.push({ address: r, status: '5.1.2', diagnostic: e.message });
        else {
          lastError = `MX lookup for ${domain}: ${String(e)}`;
          remaining.push(...rcpts);
        }
        continue;
      }
      let settled = false;
      for (const { host, port } of hosts) {
        try {
          const result = await this.#send(host, port, entry.from, rcpts, message).asPromise();
          for (const r of result.rejected) {
            if (r.code >= 500) failed.push({ address: r.address, status: statusOf(r.text, '5.0.0'), diagnostic: `${r.code} ${r.text}` });
            else remaining.push(r.address);
          }
          settled = true;
          break;
        } catch (e) {
          lastError = `${host}: ${e instanceof Error ? e.message : String(e)}`;
          if (e instanceof SMTPReplyError && !e.isTransient) {
            for (const r of rcpts) failed.push({ address: r, status: e.enhanced || '5.0.0', diagnostic: e.message });
            settled = true;
            break;
          }
        }
      }
      if (!settled) remaining.push(...rcpts);
    }
    const now = this.#clock.seconds();
    if (remaining.length > 0 && now - entry.queuedAt >= this.limits.giveUpAfter) {
      for (const r of remaining.splice(0)) failed.push({ address: r, status: '4.4.7', diagnostic: `gave up after ${entry.attempts + 1} tries: ${lastError}` });
    }
    if (failed.length > 0) await this.#bounce(entry, failed, message);
    if (remaining.length === 0) {
      // The envelope goes first: a crash in between leaves a stray .eml, never an envelope without its message.
      await unlink(join(this.#o.directory, `${entry.id}.json`)).catch(() => undefined);
      await unlink(join(this.#o.directory, `${entry.id}.eml`)).catch(() => undefined);
      this.#entries.delete(entry.id);
      return;
    }
    const attempts = entry.attempts + 1;
    const wait = Math.min(this.limits.firstRetry * this.limits.backoffFactor ** (attempts - 1), this.limits.maxRetryInterval);
    const updated: QueueEntry = { ...entry, to: remaining, attempts, lastError, nextAttempt: now + wait };
    await writeDurably(join(this.#o.directory, `${entry.id}.json`), Buffer.from(JSON.stringify(updated)));
    Object.assign(entry, updated);
    log.info('queue entry {id}: {count} recipients deferred, next try in {wait} s: {error}', { id: entry.id, count: remaining.length, wait, error: lastError });
  }

  async #bounce(entry: QueueEntry, failed: FailedRecipient[], original: Uint8Array): Promise<void> {
    // A bounce that fails is not bounced again (RFC 5321 §4.5.5): no mail loops between two daemons.
    if (entry.from === '') {
      log.warn('bounce {id} undeliverable, dropped', { id: entry.id });
      return;
    }
    const now = this.#clock.seconds();
    const dsn = bounceMessage({ hostname: this.#o.hostname, to: entry.from, failed, arrival: entry.queuedAt, now, original });
    if (this.#o.deliverBounce) await this.#o.deliverBounce(entry.from, dsn).asPromise();
    else await this.#enqueue('', [entry.from], dsn);
  }
}

function statusOf(text: string, fallback: string): string {
  return /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? fallback;
}

/** Writes `data` to `path` through a temporary name, flushed before the rename. */
async function writeDurably(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}
