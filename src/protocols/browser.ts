/**
 * `torsion/protocols` for browsers (the `browser` export condition): everything but `FileSender`, which
 * reads files through `node:fs`.
 * @module
 */
export { LineReceiver, type LineTransport } from './line-receiver.js';
export { Echo, Discard } from './wire.js';
export { LineOnlyReceiver } from './line-only-receiver.js';
export { NetstringReceiver } from './netstring.js';
export { IntNStringReceiver, Int8StringReceiver, Int16StringReceiver, Int32StringReceiver } from './int-string.js';
export { NetstringParseError, StringTooLongError } from './errors.js';
export { IdleTimeout, TimeoutMixin, type TimeoutMixinBase } from './timeout.js';
export { ProtocolWrapper, WrappingFactory } from './wrapper.js';
export { TimeoutFactory, TimeoutProtocol } from './timeout-factory.js';
export { ThrottlingFactory, ThrottlingProtocol, type ThrottlingOptions } from './throttling.js';
export { LimitConnectionsByPeer, peerHost } from './limit-connections.js';
export { Proxy, ProxyClient, ProxyClientFactory, ProxyServer, ProxyFactory, type ProxyTarget, type ClientEndpointLike } from './portforward.js';
export { toBytes, decodeUtf8, concatBytes, indexOfBytes } from './bytes.js';
export { PROTOCOL_LIMITS } from './limits.js';
