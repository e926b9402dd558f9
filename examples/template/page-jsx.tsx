/** @jsxRuntime classic */
/** @jsx h */
/** @jsxFrag Fragment */
/*
 * The users page in JSX. In an application, set `"jsxImportSource": "torsion"` in tsconfig.json (or put
 * `/** @jsxImportSource torsion *\/` at the top of the file); inside this repository, which cannot import
 * itself by name, the classic pragmas above do the same with `h`.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- h and Fragment are what the JSX pragmas call.
import { Fragment, h, type Flattenable } from '../../src/template/index.js';
import type { User } from './users.js';

/** One table row. */
export function UserRow({ user }: { user: User }) {
  return (
    <tr class={user.id % 2 === 0 ? 'even' : 'odd'}>
      <td>{user.id}</td>
      <td>
        <a href={`/users/${user.id}`}>{user.name}</a>
      </td>
      <td>{user.email}</td>
      <td>{user.score}</td>
    </tr>
  );
}

/** The whole page; the rows may arrive later (a Promise). */
export function UsersPage({ users }: { users: User[] | PromiseLike<User[]> }) {
  const rows: Flattenable = Array.isArray(users)
    ? users.map((u) => <UserRow user={u} />)
    : users.then((list) => list.map((u) => <UserRow user={u} />));
  return (
    <>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Users</title>
          <link rel="stylesheet" href="/style.css" />
        </head>
        <body>
          <h1>Users</h1>
          <table class="users">
            <thead>
              <tr>
                <th>ID</th>
                <th>Name</th>
                <th>Email</th>
                <th>Score</th>
              </tr>
            </thead>
            <tbody>{rows}</tbody>
          </table>
          <footer>Rendered by Torsion</footer>
        </body>
      </html>
    </>
  );
}
