/**
 * `torsion/amp`: Twisted's Asynchronous Messaging Protocol, byte for byte, so TypeScript and Python
 * (Twisted) services call each other. Browser-safe.
 * @module
 */
export { AMP, responder, StartTLS, UNKNOWN_ERROR_CODE, UNHANDLED_ERROR_CODE, type AMPOptions, type Responder, type SwitchArguments, type SwitchResponder } from './protocol.js';
export { Command, ProtocolSwitchCommand, type CommandDefinition, type ErrorClass, type ProtocolSwitchDefinition, type Schema, type SwitchCommand, type ValuesOf } from './command.js';
export {
  Argument,
  Integer,
  String,
  Unicode,
  Boolean,
  Float,
  Decimal,
  DateTime,
  ListOf,
  AmpList,
  objectsToBox,
  boxToObjects,
  type ArgumentOptions,
  type ArgumentContext,
  type AmpListSchema,
} from './arguments.js';
export { BoxDecoder, serializeBox, parseBoxes, type AmpBox } from './box.js';
export { AMP_LIMITS, type AMPLimits } from './limits.js';
export { AMPError, AMPTooLongError, AMPMalformedBoxError, AMPArgumentError, RemoteAMPError, UnknownRemoteError, UnhandledCommandError, AMPTooManyPendingError, AMPTLSError, AMPProtocolSwitchedError } from './errors.js';
