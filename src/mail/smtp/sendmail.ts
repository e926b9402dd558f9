/**
 * `sendmail`: one message to a smarthost (Twisted's `twisted.mail.smtp.sendmail`).
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { ClientFactory, reactor as defaultReactor } from '../../internet/index.js';
import type { IConnector, IReactor, TLSOptions } from '../../internet/interfaces.js';
import type { Failure } from '../../defer/index.js';
import type { MailClientLimits } from '../limits.js';
import { ESMTPClient, type SendResult } from './client.js';

/** Options of {@link sendmail}. */
export interface SendmailOptions {
  /** The server's port (25 by default; 587 for submission). */
  port?: number;
  username?: string;
  password?: string;
  /**
   * Refuse to send unless STARTTLS (or `implicitTLS`) protects the connection. Defaults to true when a
   * username is given, so a password never crosses the network in the clear.
   */
  requireTransportSecurity?: boolean;
  /** Use STARTTLS when the server offers it (default true); turning it off only makes sense on loopback. */
  startTLS?: boolean;
  /** Connect with TLS from the start (port 465, RFC 8314) instead of STARTTLS. */
  implicitTLS?: boolean;
  /** TLS options: `ca` to trust a private CA, `servername` (the smarthost by default). Verification stays on. */
  tls?: TLSOptions;
  /** The EHLO name (`localhost` by default). */
  hostname?: string;
  /** The reactor to connect on (also the clock of the timeouts). */
  reactor?: IReactor;
  limits?: Partial<MailClientLimits>;
}

/**
 * Sends `message` from `from` to `to` through `smarthost`. Fires with the accepted and refused recipients;
 * fails with `SMTPReplyError` when the server refuses the sender, every recipient or the message, with
 * `TLSRequiredError` when TLS was required and not had.
 *
 * @example
 * const result = await sendmail('smtp.example.org', 'alice@example.org', ['bob@example.net'], 'Subject: hi\r\n\r\nhello\r\n',
 *   { port: 587, username: 'alice', password: 'secret' });
 */
export function sendmail(smarthost: string, from: string, to: string | readonly string[], message: string | Uint8Array, options: SendmailOptions = {}): Deferred<SendResult> {
  const reactor = options.reactor ?? defaultReactor;
  const tls: TLSOptions = { servername: smarthost, ...options.tls };
  const client = new ESMTPClient({
    from,
    to: typeof to === 'string' ? [to] : to,
    message: typeof message === 'string' ? Buffer.from(message, 'utf8') : message,
    tls,
    clock: reactor,
    ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.requireTransportSecurity !== undefined ? { requireTransportSecurity: options.requireTransportSecurity } : {}),
    ...(options.limits !== undefined ? { limits: options.limits } : {}),
    ...(options.startTLS !== undefined ? { startTLS: options.startTLS } : {}),
  });
  const factory = new SendmailFactory(client);
  const port = options.port ?? (options.implicitTLS ? 465 : 25);
  if (options.implicitTLS) reactor.connectSSL(smarthost, port, factory, tls);
  else reactor.connectTCP(smarthost, port, factory);
  return client.result;
}

class SendmailFactory extends ClientFactory<ESMTPClient> {
  constructor(readonly client: ESMTPClient) {
    super();
  }

  override buildProtocol(): ESMTPClient {
    return this.client;
  }

  override clientConnectionFailed(_connector: IConnector, reason: Failure): void {
    if (!this.client.result.called) this.client.result.errback(reason);
  }
}
