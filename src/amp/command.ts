/**
 * AMP commands: a name, typed arguments and response, and the errors it may fail with (Twisted's
 * `Command` class attributes, as one definition object). Browser-safe.
 * @module
 */
import { type Argument, type AmpListSchema } from './arguments.js';

/** A schema: argument names (the box keys) to argument types. */
export type Schema = Readonly<Record<string, Argument<any>>>;

/** The JavaScript values a schema describes (optional arguments may be `undefined`). */
export type ValuesOf<S extends Schema> = { [K in keyof S]: S[K] extends Argument<infer T> ? T : never };

/** An error class a command declares: built with the peer's description. */
export type ErrorClass = new (message?: string) => Error;

/** What {@link Command.define} takes. */
export interface CommandDefinition<A extends Schema, R extends Schema> {
  /** The command's name on the wire (`_command`). */
  name: string;
  /** Its arguments. */
  arguments?: A;
  /** Its response values. */
  response?: R;
  /** Errors answered with their code, the connection staying open: `[[ErrorClass, 'CODE'], ...]`. */
  errors?: ReadonlyArray<readonly [ErrorClass, string]>;
  /** Errors answered with their code, after which the connection is closed. */
  fatalErrors?: ReadonlyArray<readonly [ErrorClass, string]>;
  /** Whether an answer is asked for (`_ask`); without one `callRemote` fires at once with `{}` (default true). */
  requiresAnswer?: boolean;
}

/**
 * An AMP command.
 * @example
 * const Sum = Command.define({ name: 'Sum', arguments: { a: new Integer(), b: new Integer() }, response: { total: new Integer() } });
 */
export class Command<A extends Schema = Schema, R extends Schema = Schema> {
  readonly commandName: string;
  readonly arguments: AmpListSchema;
  readonly response: AmpListSchema;
  readonly errors: ReadonlyArray<readonly [ErrorClass, string]>;
  readonly fatalErrors: ReadonlyArray<readonly [ErrorClass, string]>;
  readonly requiresAnswer: boolean;
  /** Type carriers only: the argument and response values. */
  declare readonly argumentValues: ValuesOf<A>;
  declare readonly responseValues: ValuesOf<R>;

  private constructor(definition: CommandDefinition<A, R>) {
    this.commandName = definition.name;
    this.arguments = Object.entries(definition.arguments ?? {});
    this.response = Object.entries(definition.response ?? {});
    this.errors = definition.errors ?? [];
    this.fatalErrors = definition.fatalErrors ?? [];
    this.requiresAnswer = definition.requiresAnswer ?? true;
  }

  /** Defines a command. */
  static define<A extends Schema = Record<never, never>, R extends Schema = Record<never, never>>(definition: CommandDefinition<A, R>): Command<A, R> {
    if (!/^[\x21-\x7e]{1,255}$/.test(definition.name)) throw new TypeError(`bad AMP command name ${JSON.stringify(definition.name)}`);
    return new Command(definition);
  }

  /** The code and fatality for an error a responder threw, if the command declares its class. */
  codeFor(error: unknown): { code: string; fatal: boolean } | undefined {
    for (const [cls, code] of this.errors) if (error instanceof cls) return { code, fatal: false };
    for (const [cls, code] of this.fatalErrors) if (error instanceof cls) return { code, fatal: true };
    return undefined;
  }

  /** The error class declared for a code received. */
  classFor(code: string): ErrorClass | undefined {
    for (const [cls, c] of this.errors) if (c === code) return cls;
    for (const [cls, c] of this.fatalErrors) if (c === code) return cls;
    return undefined;
  }
}

/** What {@link ProtocolSwitchCommand.define} takes: a command without response values (the answer is empty). */
export type ProtocolSwitchDefinition<A extends Schema> = Omit<CommandDefinition<A, Record<never, never>>, 'response' | 'requiresAnswer'>;

/** A command defined by {@link ProtocolSwitchCommand.define}. */
export type SwitchCommand<A extends Schema = Schema> = Command<A, Record<never, never>> & { readonly switchesProtocol: true };

/**
 * Commands after whose answer both ends stop speaking AMP on the connection and hand it to another
 * protocol (Twisted's `ProtocolSwitchCommand`). The responder returns the protocol its end switches to;
 * the caller passes the factory of its own in `_protoToSwitchToFactory`, as in Twisted.
 * @example
 * const StartEcho = ProtocolSwitchCommand.define({ name: 'StartEcho', arguments: { greeting: new Unicode() } });
 * server.addResponder(StartEcho, () => new EchoProtocol());
 * await client.callRemote(StartEcho, { greeting: 'hi', _protoToSwitchToFactory: echoClientFactory });
 */
export const ProtocolSwitchCommand = {
  /** Defines a protocol switch command. */
  define<A extends Schema = Record<never, never>>(definition: ProtocolSwitchDefinition<A>): SwitchCommand<A> {
    return Object.assign(Command.define<A>(definition), { switchesProtocol: true as const });
  },
};

/** Whether `command` switches protocols after its answer. */
export function isSwitchCommand(command: Command<any, any>): command is SwitchCommand<any> {
  return (command as { switchesProtocol?: boolean }).switchesProtocol === true;
}
