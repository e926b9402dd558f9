/**
 * The AMP protocol (Twisted's `AMP`): both ends call commands on each other over one connection. A box
 * with `_command` is a call (`_ask` when an answer is wanted), `_answer` its result, `_error` its failure
 * with `_error_code` and `_error_description`. Browser-safe: it only needs an ITransport.
 * @module
 */
import { Deferred, Failure, maybeDeferred, succeed, type Deferrable } from '../defer/index.js';
import { Protocol } from '../internet/protocol.js';
import type { IConnector, IProtocol, IProtocolFactory, ITransport, TLSOptions } from '../internet/interfaces.js';
import { Logger } from '../logger/index.js';
import { boxToObjects, objectsToBox, type ArgumentContext } from './arguments.js';
import { BoxDecoder, serializeBox, type AmpBox } from './box.js';
import { Command, isSwitchCommand, type Schema, type SwitchCommand, type ValuesOf } from './command.js';
import { AMPError, AMPMalformedBoxError, AMPProtocolSwitchedError, AMPTLSError, AMPTooManyPendingError, RemoteAMPError, UnhandledCommandError, UnknownRemoteError } from './errors.js';
import { AMP_LIMITS, type AMPLimits } from './limits.js';

const log = new Logger({ namespace: 'torsion.amp' });
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Twisted's error codes for a failure the command does not declare, and for a command without a responder. */
export const UNKNOWN_ERROR_CODE = 'UNKNOWN';
export const UNHANDLED_ERROR_CODE = 'UNHANDLED';

/** Twisted's `StartTLS` command: no arguments on the wire; both ends switch to TLS after the answer. */
export const StartTLS = Command.define({ name: 'StartTLS' });

/** A function answering a command: returns the response values, a Promise or a Deferred of them. */
export type Responder<A extends Schema, R extends Schema> = (args: ValuesOf<A>) => Deferrable<ValuesOf<R>>;

/** A switch command's responder: returns the protocol this end of the connection switches to. */
export type SwitchResponder<A extends Schema> = (args: ValuesOf<A>) => Deferrable<IProtocol>;

/** The arguments of a switch command's call: its own, plus the factory of the protocol the caller switches to. */
export type SwitchArguments<A extends Schema> = ValuesOf<A> & { _protoToSwitchToFactory: IProtocolFactory };

/** Options of {@link AMP}. */
export interface AMPOptions {
  /** Limits to change from {@link AMP_LIMITS}. */
  limits?: Partial<AMPLimits>;
  /** TLS options to answer a peer's `StartTLS` with (as the TLS server); without them StartTLS is UNHANDLED. */
  tlsServerOptions?: TLSOptions;
}

const RESPONDS_TO = Symbol('torsion.amp.respondsTo');

/**
 * Marks a method of an {@link AMP} subclass as the responder of `command` (standard decorators).
 * @example
 * class Calculator extends AMP {
 *   @responder(Divide) divide({ numerator, denominator }) { return { result: Math.trunc(numerator / denominator) }; }
 * }
 */
export function responder<A extends Schema, R extends Schema>(command: Command<A, R>) {
  return function <This>(method: (this: This, args: ValuesOf<A>) => Deferrable<ValuesOf<R>>, context: ClassMethodDecoratorContext<This>): void {
    if (context.kind !== 'method' || context.static) throw new TypeError('@responder applies to instance methods');
    (method as unknown as Record<symbol, unknown>)[RESPONDS_TO] = command;
  };
}

/** The callbacks of a client factory that a switch reports to, when the factory has them (Twisted does the same). */
interface ClientFactoryLike {
  clientConnectionFailed(connector: IConnector, reason: Failure): void;
  clientConnectionLost(connector: IConnector, reason: Failure): void;
}

interface Outstanding {
  command: Command<any, any>;
  deferred: Deferred<any>;
}

interface Registered {
  command: Command<any, any>;
  fn: (args: any) => Deferrable<any>;
}

/**
 * An AMP connection end; use it with any Factory or endpoint, on either side.
 * @example
 * const amp = new AMP();
 * amp.addResponder(Divide, ({ numerator, denominator }) => ({ result: Math.trunc(numerator / denominator) }));
 * const { result } = await amp.callRemote(Divide, { numerator: 7, denominator: 2 });
 */
export class AMP extends Protocol {
  /** The limits in force. */
  readonly limits: Readonly<AMPLimits>;
  readonly #context: ArgumentContext;
  readonly #decoder: BoxDecoder;
  readonly #responders = new Map<string, Registered>();
  readonly #outstanding = new Map<string, Outstanding>();
  readonly #tlsServerOptions: TLSOptions | undefined;
  #counter = 0;
  #unanswered = 0;
  #connected = false;
  #failed = false;
  /** A switch command was sent and its answer is awaited: no other calls, and boxes are read one at a time. */
  #locked = false;
  /** The protocol the connection was switched to; it gets every byte from then on. */
  #inner: IProtocol | undefined;
  #innerFactory: IProtocolFactory | undefined;

  constructor(options: AMPOptions = {}) {
    super();
    this.limits = Object.freeze({ ...AMP_LIMITS, ...options.limits });
    this.#context = { limits: this.limits, depth: 0 };
    this.#decoder = new BoxDecoder(this.limits);
    this.#tlsServerOptions = options.tlsServerOptions;
    this.#collectDecorated();
  }

  /** Answers `command` with `fn` (replacing an earlier responder of the same name). */
  addResponder<A extends Schema>(command: SwitchCommand<A>, fn: SwitchResponder<A>): this;
  addResponder<A extends Schema, R extends Schema>(command: Command<A, R>, fn: Responder<A, R>): this;
  addResponder<A extends Schema, R extends Schema>(command: Command<A, R>, fn: Responder<A, R> | SwitchResponder<A>): this {
    this.#responders.set(command.commandName, { command, fn: fn as (args: any) => Deferrable<any> });
    return this;
  }

  /** The responder of a command name, or undefined (Twisted's `locateResponder`); override to route dynamically. */
  locateResponder(name: string): Registered | undefined {
    return this.#responders.get(name);
  }

  /**
   * Calls `command` on the peer. The Deferred fires with the response values, or fails with the declared
   * error class for a declared code, {@link UnknownRemoteError} (`TORSION_AMP_UNKNOWN`),
   * {@link UnhandledCommandError} (`TORSION_AMP_UNHANDLED`), or the reason the connection was lost.
   */
  callRemote<A extends Schema>(command: SwitchCommand<A>, args: SwitchArguments<A>): Deferred<Record<never, never>>;
  callRemote<A extends Schema, R extends Schema>(command: Command<A, R>, args: ValuesOf<A>): Deferred<ValuesOf<R>>;
  callRemote<A extends Schema, R extends Schema>(command: Command<A, R>, args: ValuesOf<A>): Deferred<ValuesOf<R>> {
    if (this.#locked || this.#inner !== undefined) {
      return Deferred.fail(new AMPProtocolSwitchedError(`cannot call ${command.commandName}: the connection is switching to another protocol`));
    }
    if (!this.#connected || this.transport === undefined) return Deferred.fail(new AMPError(`cannot call ${command.commandName}: not connected`));
    let box: AmpBox;
    let factory: IProtocolFactory | undefined;
    try {
      box = new Map([['_command', encoder.encode(command.commandName)]]);
      let values = args as Record<string, unknown>;
      if (isSwitchCommand(command)) {
        ({ _protoToSwitchToFactory: factory, ...values } = values as SwitchArguments<A>);
        if (factory === undefined) throw new AMPError(`${command.commandName} switches protocols: give _protoToSwitchToFactory`);
      }
      objectsToBox(values, command.arguments, this.#context, box);
    } catch (e) {
      return Deferred.fail(e);
    }
    if (factory !== undefined) return this.#callSwitch(command, box, factory) as Deferred<ValuesOf<R>>;
    if (!command.requiresAnswer) {
      this.sendBox(box);
      return succeed({} as ValuesOf<R>);
    }
    const tag = (++this.#counter).toString(16);
    box.set('_ask', encoder.encode(tag));
    const deferred = new Deferred<ValuesOf<R>>();
    this.#outstanding.set(tag, { command, deferred });
    try {
      this.sendBox(box);
    } catch (e) {
      this.#outstanding.delete(tag);
      return Deferred.fail(e);
    }
    return deferred;
  }

  /** Sends a switch command; on its answer, hands the connection to a protocol from `factory` (Twisted's `_doCommand`). */
  #callSwitch(command: Command<any, any>, box: AmpBox, factory: IProtocolFactory): Deferred<Record<never, never>> {
    const tag = (++this.#counter).toString(16);
    box.set('_ask', encoder.encode(tag));
    const deferred = new Deferred<Record<never, never>>();
    this.#outstanding.set(tag, { command, deferred });
    this.#locked = true;
    this.sendBox(box);
    return deferred.addCallbacks((response) => {
      this.#locked = false;
      const inner = factory.buildProtocol(this.transport.getPeer());
      if (inner === null) {
        this.transport.loseConnection();
        throw new AMPProtocolSwitchedError(`the factory for ${command.commandName} refused to build a protocol`);
      }
      this.#switchTo(inner, factory);
      return response;
    }, (failure: Failure) => {
      this.#locked = false;
      (factory as Partial<Pick<ClientFactoryLike, 'clientConnectionFailed'>>).clientConnectionFailed?.(null as unknown as IConnector, failure);
      return failure;
    });
  }

  /** From now on the connection is `inner`'s: it is connected to this transport and gets the bytes already read past the switch. */
  #switchTo(inner: IProtocol, factory?: IProtocolFactory): void {
    let rest: Uint8Array;
    try {
      rest = this.#decoder.takeBuffered();
    } catch (e) {
      // The peer sent part of another AMP box while the switch was pending: neither protocol can read on.
      this.#protocolFailure(e);
      return;
    }
    this.#inner = inner;
    this.#innerFactory = factory;
    inner.makeConnection(this.transport);
    if (rest.length > 0 && this.#connected) inner.dataReceived(rest);
  }

  /** The protocol the connection was switched to by a `ProtocolSwitchCommand`, if any. */
  get innerProtocol(): IProtocol | undefined {
    return this.#inner;
  }

  /**
   * Asks the peer to switch to TLS (Twisted's `StartTLS`), then switches this end as the TLS client.
   * Boxes sent while waiting go out in the clear before the switch, as the peer expects.
   */
  startTLS(options: TLSOptions): Deferred<void> {
    const transport = this.transport as (ITransport & { startTLS?: (o: TLSOptions, asServer?: boolean) => void }) | undefined;
    if (typeof transport?.startTLS !== 'function') return Deferred.fail(new AMPTLSError('this transport cannot start TLS'));
    return this.callRemote(StartTLS, {}).addCallback(() => {
      transport.startTLS!(options, false);
    });
  }

  /** Writes one box. */
  sendBox(box: AmpBox): void {
    this.transport?.write(serializeBox(box, this.limits));
  }

  override connectionMade(): void {
    this.#connected = true;
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#inner !== undefined) return this.#inner.dataReceived(data);
    if (this.#failed) return;
    // While a switch is awaited, one box at a time: the bytes after its answer belong to the next protocol.
    let chunk: Uint8Array = data;
    do {
      let boxes: AmpBox[];
      try {
        boxes = this.#decoder.feed(chunk, this.#locked ? 1 : Infinity);
      } catch (e) {
        this.#protocolFailure(e);
        return;
      }
      chunk = new Uint8Array(0);
      if (boxes.length === 0) return;
      for (const box of boxes) {
        if (this.#failed || this.#inner !== undefined) return;
        try {
          this.ampBoxReceived(box);
        } catch (e) {
          this.#protocolFailure(e);
        }
      }
    } while (this.#locked && this.#inner === undefined);
  }

  /** Dispatches one box: an answer, an error, or a command. */
  ampBoxReceived(box: AmpBox): void {
    const answer = box.get('_answer');
    if (answer !== undefined) return this.#answerReceived(decoder.decode(answer), box);
    const error = box.get('_error');
    if (error !== undefined) return this.#errorReceived(decoder.decode(error), box);
    const command = box.get('_command');
    if (command !== undefined) return this.#commandReceived(decoder.decode(command), box);
    throw new AMPMalformedBoxError('an AMP box with no _command, _answer or _error');
  }

  override connectionLost(reason: Failure): void {
    this.#connected = false;
    if (this.#inner !== undefined) {
      this.#inner.connectionLost(reason);
      (this.#innerFactory as Partial<ClientFactoryLike> | undefined)?.clientConnectionLost?.(null as unknown as IConnector, reason);
    }
    const outstanding = [...this.#outstanding.values()];
    this.#outstanding.clear();
    for (const { deferred } of outstanding) deferred.errback(reason);
    super.connectionLost(reason);
  }

  #answerReceived(tag: string, box: AmpBox): void {
    const entry = this.#takeOutstanding(tag);
    let values: Record<string, unknown>;
    try {
      values = boxToObjects(box, entry.command.response, this.#context);
    } catch (e) {
      entry.deferred.errback(e);
      return;
    }
    entry.deferred.callback(values);
  }

  #errorReceived(tag: string, box: AmpBox): void {
    const entry = this.#takeOutstanding(tag);
    const code = decoder.decode(box.get('_error_code') ?? new Uint8Array(0));
    const description = decoder.decode(box.get('_error_description') ?? new Uint8Array(0));
    let error: Error;
    if (code === UNHANDLED_ERROR_CODE) error = new UnhandledCommandError(description);
    else if (code === UNKNOWN_ERROR_CODE) error = new UnknownRemoteError(description);
    else {
      const cls = entry.command.classFor(code);
      error = cls === undefined ? new UnknownRemoteError(description) : new cls(description);
    }
    entry.deferred.errback(error);
  }

  #takeOutstanding(tag: string): Outstanding {
    const entry = this.#outstanding.get(tag);
    if (entry === undefined) throw new AMPMalformedBoxError(`an AMP answer to ${JSON.stringify(tag)}, which was never asked`);
    this.#outstanding.delete(tag);
    return entry;
  }

  #commandReceived(name: string, box: AmpBox): void {
    const askBytes = box.get('_ask');
    const ask = askBytes === undefined ? undefined : decoder.decode(askBytes);
    if (ask !== undefined && ++this.#unanswered > this.limits.maxPendingCommands) {
      throw new AMPTooManyPendingError(`more than ${this.limits.maxPendingCommands} AMP commands waiting for answers`);
    }
    const isStartTLS = name === StartTLS.commandName && this.#tlsServerOptions !== undefined && this.locateResponder(name) === undefined;
    const found = isStartTLS ? { command: StartTLS, fn: () => ({}) } : this.locateResponder(name);
    let result: Deferred<AmpBox>;
    let switchTo: IProtocol | undefined;
    if (found === undefined) {
      result = Deferred.fail(new RemoteAMPError(UNHANDLED_ERROR_CODE, `Unhandled Command: ${JSON.stringify(name)}`));
    } else {
      const switching = isSwitchCommand(found.command);
      result = maybeDeferred(() => found.fn(boxToObjects(box, found.command.arguments, this.#context))).addCallbacks(
        (values) => {
          if (!switching) return objectsToBox(values ?? {}, found.command.response, this.#context);
          if (typeof (values as IProtocol | undefined)?.makeConnection !== 'function') {
            throw new AMPError(`the responder of ${name} must return the protocol to switch to`);
          }
          switchTo = values as IProtocol;
          return new Map() as AmpBox;
        },
        (failure: Failure) => {
          const declared = found.command.codeFor(failure.value);
          if (declared === undefined) return failure;
          const err = failure.value as Error;
          return new Failure(new RemoteAMPError(declared.code, err.message ?? globalThis.String(err), declared.fatal));
        },
      );
    }
    if (ask === undefined) {
      result.addErrback((failure: Failure) => {
        log.failure('AMP command {name} failed and no answer was asked', failure, { name }, 'warn');
      });
      return;
    }
    result.addBoth((outcome: AmpBox | Failure) => {
      this.#unanswered--;
      if (!this.#connected) return;
      if (!(outcome instanceof Failure)) {
        outcome.set('_answer', encoder.encode(ask));
        this.#safeSend(outcome);
        if (switchTo !== undefined) this.#switchTo(switchTo);
        if (isStartTLS) (this.transport as unknown as { startTLS(o: TLSOptions, s: boolean): void }).startTLS(this.#tlsServerOptions!, true);
        return;
      }
      const remote = outcome.value instanceof RemoteAMPError ? outcome.value : undefined;
      if (remote === undefined) log.failure('AMP responder for {name} failed with an undeclared error; answering UNKNOWN and closing', outcome, { name }, 'error');
      const errorBox: AmpBox = new Map([
        ['_error', encoder.encode(ask)],
        ['_error_code', encoder.encode(remote?.errorCode ?? UNKNOWN_ERROR_CODE)],
        ['_error_description', encoder.encode(remote?.description ?? 'Unknown Error')],
      ]);
      this.#safeSend(errorBox);
      // Twisted answers an undeclared or fatal error with a QuitBox: the box, then the connection closes.
      if (remote === undefined || remote.fatal) this.transport?.loseConnection();
    });
  }

  #safeSend(box: AmpBox): void {
    try {
      this.sendBox(box);
    } catch (e) {
      log.failure('AMP answer could not be sent; closing', e, {}, 'error');
      this.transport?.loseConnection();
    }
  }

  #protocolFailure(error: unknown): void {
    this.#failed = true;
    log.failure('AMP connection dropped: {message}', error, { message: error instanceof Error ? error.message : globalThis.String(error) }, 'warn');
    this.transport?.loseConnection();
  }

  #collectDecorated(): void {
    for (let proto = Object.getPrototypeOf(this); proto && proto !== AMP.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        const value = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
        if (typeof value !== 'function') continue;
        const command = (value as unknown as Record<symbol, unknown>)[RESPONDS_TO];
        if (command instanceof Command && !this.#responders.has(command.commandName)) {
          this.addResponder(command, (value as (args: unknown) => Deferrable<any>).bind(this));
        }
      }
    }
  }
}
