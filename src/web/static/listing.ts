/**
 * The HTML directory listing of `File`: names escaped for HTML, links percent-encoded, directories first.
 * @module
 */
import type { Dirent } from 'node:fs';
import { escapeHTML } from '../html.js';

/** Renders a listing of `entries` for the URL path `urlPath` (decoded). */
export function directoryListing(urlPath: string, entries: Dirent[]): string {
  const sorted = [...entries].sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const title = escapeHTML(`Directory listing for ${urlPath}`);
  let rows = '';
  for (const e of sorted) {
    const dir = e.isDirectory();
    const href = encodeURIComponent(e.name) + (dir ? '/' : '');
    rows += `<li><a href="${escapeHTML(href)}">${escapeHTML(e.name)}${dir ? '/' : ''}</a></li>\n`;
  }
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>\n<ul>\n${rows}</ul></body></html>\n`;
}
