/**
 * The password hashes of words accounts: scrypt, as `torsion/cred` makes and checks them, so a file of
 * `user:scrypt$...` lines (`--auth file:`) takes the same hashes.
 * @module
 */
export { hashPassword, verifyPassword, DEFAULT_SCRYPT, type ScryptParams } from '../cred/scrypt.js';
