/**
 * Headless Chromium for tests that need a real browser (Debian's `chromium`, driven by playwright-core).
 * Not part of the public `torsion/testing` index: playwright-core is a development dependency.
 * @module
 */
import { chromium, type Browser } from 'playwright-core';
import { requirePeer } from './peers.js';

/**
 * Launches Debian's Chromium headless. Fails with a message naming the `chromium` package when it is
 * missing, never skips.
 */
export function launchChromium(): Promise<Browser> {
  const executablePath = requirePeer('chromium', 'chromium');
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

/**
 * Bundles a TypeScript entry module (and everything it imports) into one ES module for a page, so
 * tests can run Torsion's own browser-side code in Chromium.
 */
export async function bundleForBrowser(entry: string): Promise<string> {
  // Imported here, not at the top: esbuild is an optional peer, and torsion/live/testing loads this module.
  const { build } = await import('esbuild');
  const out = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}
