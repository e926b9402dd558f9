/**
 * `torsion/testing/chromium`: headless Chromium for tests that need a real browser (Debian's `chromium`,
 * driven by the npm package `playwright-core`), and bundling TypeScript for a page (with `esbuild`). Both
 * packages are loaded on first use: importing this module needs neither.
 * @module
 */
import type { Browser } from 'playwright-core';
import { requirePackage, requirePeer } from './peers.js';

/**
 * Launches Debian's Chromium headless. Fails with a message naming what to install when the `chromium`
 * program (`PeerMissingError`) or the `playwright-core` package (`PackageMissingError`) is
 * missing, never skips.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = requirePeer('chromium', 'chromium');
  const { chromium } = await requirePackage<typeof import('playwright-core')>('playwright-core', 'launchChromium (torsion/testing/chromium, torsion/live/testing)');
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

/**
 * Bundles a TypeScript entry module (and everything it imports) into one ES module for a page, so tests
 * can run browser-side code in Chromium.
 */
export async function bundleForBrowser(entry: string): Promise<string> {
  const { build } = await requirePackage<typeof import('esbuild')>('esbuild', 'bundleForBrowser (torsion/testing/chromium)');
  const out = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}
