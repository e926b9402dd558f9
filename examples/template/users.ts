/**
 * The data the example pages show: users, available at once or after a delay (as from a database).
 */
export interface User {
  id: number;
  name: string;
  email: string;
  score: number;
}

/** `count` users; some names carry markup characters, which every page must escape. */
export function makeUsers(count: number): User[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    name: i % 10 === 0 ? `User ${i + 1} <script>alert("x")</script> & co` : `User ${i + 1}`,
    email: `user${i + 1}@example.com`,
    score: (i * 37) % 100,
  }));
}

/** The same users, arriving after `seconds` (a stand-in for a slow query). */
export function fetchUsers(count: number, seconds: number): Promise<User[]> {
  return new Promise((resolve) => setTimeout(() => resolve(makeUsers(count)), seconds * 1000));
}
