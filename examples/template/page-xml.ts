/**
 * The users page as an XML template (page.xml) and an Element whose `rows` renderer fills it.
 */
import { Element, renderer, XMLFile, type Tag } from 'torsion/template';
import type { User } from './users.js';

/** Renders page.xml; `rows` repeats the `<tr t:render="rows">` once per user. */
export class UsersPage extends Element {
  static override loader = XMLFile(new URL('./page.xml', import.meta.url));
  readonly #users: User[] | PromiseLike<User[]>;

  constructor(users: User[] | PromiseLike<User[]>) {
    super();
    this.#users = users;
  }

  @renderer
  rows(_request: unknown, tag: Tag) {
    const fill = (list: User[]) =>
      list.map((u) => tag.clone().fillSlots({ parity: u.id % 2 === 0 ? 'even' : 'odd', id: u.id, name: u.name, email: u.email, score: u.score }));
    const users = this.#users;
    return Array.isArray(users) ? fill(users) : users.then(fill);
  }
}
