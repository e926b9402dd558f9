/**
 * The users page in Stan: tags built in code.
 */
import { tags, type Tag } from 'torsion/template';
import type { User } from './users.js';

const { html, head, meta, title, link, body, h1, table, thead, tbody, tr, th, td, a, footer } = tags;

/** One table row. */
export function userRow(u: User): Tag {
  return tr(
    { class: u.id % 2 === 0 ? 'even' : 'odd' },
    td(u.id),
    td(a({ href: `/users/${u.id}` }, u.name)),
    td(u.email),
    td(u.score),
  );
}

/** The whole page; the rows may arrive later (a Promise), and the page streams up to them meanwhile. */
export function usersPage(users: User[] | PromiseLike<User[]>): Tag {
  return html(
    { lang: 'en' },
    head(meta({ charset: 'utf-8' }), title('Users'), link({ rel: 'stylesheet', href: '/style.css' })),
    body(
      h1('Users'),
      table(
        { class: 'users' },
        thead(tr(th('ID'), th('Name'), th('Email'), th('Score'))),
        tbody(Array.isArray(users) ? users.map(userRow) : users.then((list) => list.map(userRow))),
      ),
      footer('Rendered by Torsion'),
    ),
  );
}
