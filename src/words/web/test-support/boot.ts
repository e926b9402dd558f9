/**
 * The boot data of a chat page, for tests that drive the page without a browser. The chat's document gives
 * its scripts a nonce, so the boot script carries one more attribute than a bare live page's.
 * @module
 */
import type { BootData } from '../../../live/interfaces.js';

/** The boot data embedded in the chat page's document. */
export function chatBootOf(html: string): BootData {
  const json = /<script type="application\/json" id="torsion-live-boot"[^>]*>(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error('no boot data in the chat document');
  return JSON.parse(json) as BootData;
}
