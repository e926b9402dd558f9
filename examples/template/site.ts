/**
 * The users page served by torsion/web, in its three forms: `/` (XML template), `/stan` and `/jsx`. The
 * users arrive after a delay, as from a slow query (`?delay=seconds`, default 0.5); the page streams up to
 * the table at once, and the rows follow when the data is there.
 *
 *   node -C torsion-source --import tsx examples/template/site.ts [port]     (default 8080; 0 picks a free one)
 */
import { reactor } from 'torsion/internet';
import { h, renderElement, type Flattenable } from 'torsion/template';
import { NOT_DONE_YET, Resource, Site, type Request } from 'torsion/web';
import { UsersPage as JsxUsersPage } from './page-jsx.js';
import { usersPage } from './page-stan.js';
import { UsersPage } from './page-xml.js';
import { fetchUsers, type User } from './users.js';

type PageMaker = (users: PromiseLike<User[]>) => Flattenable;

/** One page of the site: fetches the users, and streams the page while they come. */
class UsersResource extends Resource {
  constructor(private readonly makePage: PageMaker) {
    super();
  }

  renderGET(request: Request): typeof NOT_DONE_YET {
    const delay = Math.min(Number(request.args.get('delay')?.[0] ?? 0.5) || 0, 5);
    renderElement(request, this.makePage(fetchUsers(25, delay)));
    return NOT_DONE_YET;
  }
}

const root = new UsersResource((users) => new UsersPage(users));
root.putChild('stan', new UsersResource((users) => usersPage(users)));
root.putChild('jsx', new UsersResource((users) => h(JsxUsersPage, { users })));

const port = reactor.listenTCP(Number(process.argv[2] ?? 8080), new Site(root), { interface: '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}/`);
