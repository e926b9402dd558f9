/**
 * Renders the users page to stdout, streaming: the head of the page is printed at once, the table when
 * the (slow) data arrives.
 *
 *   node -C torsion-source --import tsx examples/template/render-stdout.ts [xml|stan|jsx] [rows]
 */
import { flatten, h, type Flattenable } from 'torsion/template';
import { UsersPage as JsxUsersPage } from './page-jsx.js';
import { usersPage } from './page-stan.js';
import { UsersPage } from './page-xml.js';
import { fetchUsers } from './users.js';

const style = process.argv[2] ?? 'xml';
const users = fetchUsers(Number(process.argv[3] ?? 3), 0.2);
const pages: Record<string, () => Flattenable> = {
  xml: () => new UsersPage(users),
  stan: () => usersPage(users),
  jsx: () => h(JsxUsersPage, { users }),
};
const page = pages[style];
if (page === undefined) throw new Error(`unknown style ${style}: use xml, stan or jsx`);

await flatten(null, page(), (chunk) => process.stdout.write(chunk));
process.stdout.write('\n');
