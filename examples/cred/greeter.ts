/**
 * A line-based server that lets nobody in without a login, built on `torsion/cred`: the protocol only
 * turns lines into credentials and asks the portal; who may log in is the checkers' business (here the
 * `--auth` options), and what a logged-in user gets is the realm's (a `Greeter`).
 *
 *   S: Hello. Send LOGIN <user> <password>, or ANONYMOUS.
 *   C: LOGIN alice secret
 *   S: Welcome, alice.
 *   C: hello
 *   S: alice says: hello
 */
import { Anonymous, Portal, UnauthorizedLogin, UsernamePassword, defineAvatarInterface, type AvatarId, type ICredentialsChecker, type IRealm, type Logout } from 'torsion/cred';
import type { Failure } from 'torsion/defer';
import { Factory, type IAddress, type IReactorTime } from 'torsion/internet';
import { LineReceiver, decodeUtf8 } from 'torsion/protocols';

/** What a logged-in user can do. */
export class Greeter {
  constructor(readonly name: string) {}

  echo(text: string): string {
    return `${this.name} says: ${text}`;
  }
}

/** The one kind of avatar this realm gives. */
export const IGreeter = defineAvatarInterface<Greeter>('IGreeter');

/** Gives each logged-in id a Greeter, and keeps count of who is logged in. */
export class GreeterRealm implements IRealm {
  readonly online = new Set<Greeter>();

  requestAvatar(avatarId: AvatarId, _mind: unknown): [typeof IGreeter, Greeter, Logout] {
    const greeter = new Greeter(typeof avatarId === 'string' ? avatarId : 'guest');
    this.online.add(greeter);
    return [IGreeter, greeter, () => void this.online.delete(greeter)];
  }
}

/** One connection: LOGIN or ANONYMOUS first, then lines are echoed by the avatar. */
export class GreeterProtocol extends LineReceiver {
  override MAX_LENGTH = 1024;
  #avatar: Greeter | undefined;
  #logout: Logout | undefined;
  #busy = false;
  #failures = 0;

  constructor(readonly portal: Portal) {
    super();
  }

  override connectionMade(): void {
    this.sendLine('Hello. Send LOGIN <user> <password>, or ANONYMOUS.');
  }

  override lineReceived(bytes: Uint8Array): void {
    const line = decodeUtf8(bytes);
    if (this.#avatar) return this.sendLine(this.#avatar.echo(line));
    if (this.#busy) return this.sendLine('Wait: checking your login.');
    const [command, user, ...rest] = line.split(' ');
    const peer = (this.transport.getPeer() as { host?: string }).host;
    if (command === 'LOGIN' && user) this.#login(new UsernamePassword(user, rest.join(' '), peer));
    else if (command === 'ANONYMOUS') this.#login(new Anonymous(peer));
    else this.sendLine('Send LOGIN <user> <password>, or ANONYMOUS.');
  }

  #login(credentials: UsernamePassword | Anonymous): void {
    this.#busy = true;
    this.portal.login(credentials, this, IGreeter).addCallbacks(
      ([, avatar, logout]) => {
        this.#busy = false;
        if (!this.connected) return logout();
        [this.#avatar, this.#logout] = [avatar, logout];
        this.sendLine(`Welcome, ${avatar.name}.`);
      },
      (f: Failure) => {
        this.#busy = false;
        this.sendLine(f.check(UnauthorizedLogin) ? 'Login refused.' : 'That kind of login is not offered here.');
        if (++this.#failures >= 3) this.transport.loseConnection();
      },
    );
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#logout?.();
  }
}

/** Builds a {@link GreeterProtocol} per connection, all sharing one portal. */
export class GreeterFactory extends Factory<GreeterProtocol> {
  readonly realm = new GreeterRealm();
  readonly portal: Portal;

  /**
   * @param checkers who may log in (from `--auth`)
   * @param clock where the 1-second wait after a refused login is timed: the reactor, or a test `Clock`
   */
  constructor(checkers: ICredentialsChecker[], clock: IReactorTime) {
    super();
    this.portal = new Portal(this.realm, checkers, { failureDelay: 1, clock });
  }

  override buildProtocol(_addr: IAddress): GreeterProtocol {
    return new GreeterProtocol(this.portal);
  }
}
