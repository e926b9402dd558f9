/** @jsxImportSource torsion */
/*
 * The users page in JSX. The pragma above makes this file's JSX Torsion tags (the JSX runtime is
 * `torsion/jsx-runtime`); an application can set `"jsxImportSource": "torsion"` in tsconfig.json instead.
 */
import type { Flattenable } from 'torsion/template';
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
