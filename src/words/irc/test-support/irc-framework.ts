/**
 * The npm package irc-framework (an IRC client library nobody here wrote), typed just enough for the interop
 * tests that point it at Torsion's IRC server.
 * @module
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

/** The part of an irc-framework `Client` the interop tests use. */
export interface IRCFrameworkClient extends EventEmitter {
  connect(options: object): void;
  join(channel: string): void;
  say(target: string, text: string): void;
  raw(...args: string[]): void;
  tagmsg(target: string, tags: Record<string, string>): void;
  whowas(target: string, callback: (event: any) => void): void;
  quit(message?: string): void;
  connection: { end(): void } | null;
  user: { nick: string };
}

const IRC = createRequire(import.meta.url)('irc-framework') as { Client: new (options?: object) => IRCFrameworkClient };

/** A new, unconnected irc-framework client. */
export function newIRCFrameworkClient(): IRCFrameworkClient {
  return new IRC.Client();
}

/** Resolves with the first `event` the client emits that `predicate` accepts; rejects after `seconds`. */
export function waitFor<T = any>(client: IRCFrameworkClient, event: string, predicate: (e: T) => boolean = () => true, seconds = 60): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`timed out waiting for irc-framework event ${event}`));
    }, seconds * 1000);
    const listener = (e: T): void => {
      if (!predicate(e)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(e);
    };
    client.on(event, listener);
  });
}

/**
 * Connects a new client as `nick` to the server on 127.0.0.1:`port` (no reconnecting) and waits until it is
 * registered; `options` add to or override the connect options. The client goes into `clients` first, so the
 * caller's cleanup ends it even when registration fails.
 */
export async function connectIRCFramework(clients: IRCFrameworkClient[], port: number, nick: string, options: object = {}): Promise<IRCFrameworkClient> {
  const client = newIRCFrameworkClient();
  clients.push(client);
  const registered = waitFor(client, 'registered');
  client.connect({ host: '127.0.0.1', port, nick, username: nick, gecos: nick, auto_reconnect: false, ...options });
  await registered;
  return client;
}
