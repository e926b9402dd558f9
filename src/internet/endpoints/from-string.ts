/**
 * `serverFromString` and `clientFromString`: endpoints from Twisted-style description strings.
 *
 * Servers: `tcp:8080:interface=127.0.0.1:backlog=50`, `ssl:8443:privateKey=key.pem:certKey=cert.pem`
 * (also `tls:`), `unix:/run/app.sock:mode=660:lockfile=1`.
 * Clients: `tcp:host=example.org:port=80:timeout=10` (or `tcp:example.org:80`), `ssl:host=...:port=...:caCerts=ca.pem`,
 * `tls:example.org:443` (a `HostnameEndpoint` racing IPv6 and IPv4, with TLS), `unix:path=/run/app.sock`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { EndpointSyntaxError } from '../error.js';
import type { IReactor, TLSOptions } from '../interfaces.js';
import { HostnameEndpoint } from './hostname.js';
import type { IStreamClientEndpoint, IStreamServerEndpoint } from './interfaces.js';
import { checkKnown, numberOption, parseDescription, portNumber } from './parse.js';
import { SSLClientEndpoint, SSLServerEndpoint, TCPClientEndpoint, TCPServerEndpoint, UNIXClientEndpoint, UNIXServerEndpoint } from './stream-endpoints.js';

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new EndpointSyntaxError(`${what}: cannot read ${JSON.stringify(file)}: ${(e as Error).message}`);
  }
}

function octal(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-7]{3,4}$/.test(value)) throw new EndpointSyntaxError(`${what}: mode ${JSON.stringify(value)} is not an octal file mode like 660`);
  return Number.parseInt(value, 8);
}

function flag(value: string | undefined, what: string): boolean {
  if (value === undefined) return false;
  if (['1', 'true', 'yes'].includes(value)) return true;
  if (['0', 'false', 'no'].includes(value)) return false;
  throw new EndpointSyntaxError(`${what}: ${JSON.stringify(value)} is not a boolean (1 or 0)`);
}

function tooMany(args: string[], max: number, description: string): void {
  if (args.length > max) throw new EndpointSyntaxError(`too many positional arguments (${args.slice(max).join(', ')}) in ${JSON.stringify(description)}`);
}

/**
 * A server endpoint from a description string. Throws `EndpointSyntaxError` naming the bad part.
 *
 * @example
 * const port = await serverFromString(reactor, 'tcp:8080:interface=127.0.0.1').listen(factory);
 */
export function serverFromString(reactor: IReactor, description: string): IStreamServerEndpoint {
  const { type, args, kwargs } = parseDescription(description);
  switch (type) {
    case 'tcp': {
      checkKnown(kwargs, ['port', 'interface', 'backlog'], 'tcp');
      tooMany(args, 3, description);
      const port = portNumber(kwargs.port ?? args[0], 'tcp');
      const backlog = numberOption(kwargs.backlog ?? args[1], 'tcp backlog');
      return new TCPServerEndpoint(reactor, port, { interface: kwargs.interface ?? args[2], backlog });
    }
    case 'ssl':
    case 'tls': {
      checkKnown(kwargs, ['port', 'privateKey', 'certKey', 'extraCertChain', 'caCerts', 'interface', 'backlog'], type);
      tooMany(args, 1, description);
      const port = portNumber(kwargs.port ?? args[0], type);
      const keyFile = kwargs.privateKey;
      if (!keyFile) throw new EndpointSyntaxError(`${type}: privateKey=<file> is required`);
      const key = readPem(keyFile, `${type} privateKey`);
      let cert = readPem(kwargs.certKey ?? keyFile, `${type} certKey`);
      if (kwargs.extraCertChain) cert += `\n${readPem(kwargs.extraCertChain, `${type} extraCertChain`)}`;
      const tlsOptions: TLSOptions = { key, cert };
      if (kwargs.caCerts) Object.assign(tlsOptions, { ca: readPem(kwargs.caCerts, `${type} caCerts`), requestCert: true });
      return new SSLServerEndpoint(reactor, port, tlsOptions, { interface: kwargs.interface, backlog: numberOption(kwargs.backlog, `${type} backlog`) });
    }
    case 'unix': {
      checkKnown(kwargs, ['address', 'mode', 'lockfile', 'backlog'], 'unix');
      tooMany(args, 1, description);
      const path = kwargs.address ?? args[0];
      if (!path) throw new EndpointSyntaxError('unix: a socket path is required');
      return new UNIXServerEndpoint(reactor, path, {
        mode: octal(kwargs.mode, 'unix'),
        wantPID: flag(kwargs.lockfile, 'unix lockfile'),
        backlog: numberOption(kwargs.backlog, 'unix backlog'),
      });
    }
    default:
      throw new EndpointSyntaxError(`unknown server endpoint type ${JSON.stringify(type)} in ${JSON.stringify(description)} (known: tcp, ssl, tls, unix)`);
  }
}

/**
 * A client endpoint from a description string. Throws `EndpointSyntaxError` naming the bad part.
 *
 * @example
 * const proto = await connectProtocol(clientFromString(reactor, 'tls:example.org:443'), new MyClient());
 */
export function clientFromString(reactor: IReactor, description: string): IStreamClientEndpoint {
  const { type, args, kwargs } = parseDescription(description);
  const timeout = numberOption(kwargs.timeout, `${type} timeout`);
  const bindAddress = kwargs.bindAddress ? { host: kwargs.bindAddress } : undefined;
  switch (type) {
    case 'tcp': {
      checkKnown(kwargs, ['host', 'port', 'timeout', 'bindAddress'], 'tcp');
      tooMany(args, 2, description);
      const host = kwargs.host ?? args[0];
      if (!host) throw new EndpointSyntaxError('tcp: host=<name or address> is required');
      return new TCPClientEndpoint(reactor, host, portNumber(kwargs.port ?? args[1], 'tcp'), { timeout, bindAddress });
    }
    case 'ssl': {
      checkKnown(kwargs, ['host', 'port', 'timeout', 'bindAddress', 'caCerts', 'certKey', 'privateKey', 'servername'], 'ssl');
      tooMany(args, 2, description);
      const host = kwargs.host ?? args[0];
      if (!host) throw new EndpointSyntaxError('ssl: host=<name or address> is required');
      return new SSLClientEndpoint(reactor, host, portNumber(kwargs.port ?? args[1], 'ssl'), clientTLS(kwargs, 'ssl'), { timeout, bindAddress });
    }
    case 'tls': {
      checkKnown(kwargs, ['host', 'port', 'timeout', 'bindAddress', 'caCerts', 'certKey', 'privateKey', 'servername'], 'tls');
      tooMany(args, 2, description);
      const host = kwargs.host ?? args[0];
      if (!host) throw new EndpointSyntaxError('tls: a host name is required');
      return new HostnameEndpoint(reactor, host, portNumber(kwargs.port ?? args[1], 'tls'), { timeout, bindAddress, tls: clientTLS(kwargs, 'tls') });
    }
    case 'unix': {
      checkKnown(kwargs, ['path', 'timeout', 'checkPID'], 'unix');
      tooMany(args, 1, description);
      const path = kwargs.path ?? args[0];
      if (!path) throw new EndpointSyntaxError('unix: path=<socket path> is required');
      return new UNIXClientEndpoint(reactor, path, { timeout, checkPID: flag(kwargs.checkPID, 'unix checkPID') });
    }
    default:
      throw new EndpointSyntaxError(`unknown client endpoint type ${JSON.stringify(type)} in ${JSON.stringify(description)} (known: tcp, ssl, tls, unix)`);
  }
}

function clientTLS(kwargs: Record<string, string>, type: string): TLSOptions {
  const o: TLSOptions = {};
  if (kwargs.caCerts) o.ca = readPem(kwargs.caCerts, `${type} caCerts`);
  if (kwargs.certKey) o.cert = readPem(kwargs.certKey, `${type} certKey`);
  if (kwargs.privateKey) o.key = readPem(kwargs.privateKey, `${type} privateKey`);
  if (kwargs.servername) o.servername = kwargs.servername;
  return o;
}
