/**
 * Escaping for each place text can land in markup, and the URL-scheme check for URL attributes. These are
 * what makes template output safe by construction.
 * @module
 */

const TEXT_SPECIAL = /[&<>]/;
const ATTR_SPECIAL = /[&<>"]/;

/** Escapes `&`, `<` and `>`: text between tags. */
export function escapeText(s: string): string {
  const m = TEXT_SPECIAL.exec(s);
  return m === null ? s : escapeFrom(s, m.index, false);
}

/** Escapes `&`, `<`, `>` and `"`: text inside a double-quoted attribute value. */
export function escapeAttribute(s: string): string {
  const m = ATTR_SPECIAL.exec(s);
  return m === null ? s : escapeFrom(s, m.index, true);
}

function escapeFrom(s: string, first: number, quotes: boolean): string {
  let out = s.slice(0, first);
  let last = first;
  for (let i = first; i < s.length; i++) {
    let rep: string;
    switch (s.charCodeAt(i)) {
      case 38: rep = '&amp;'; break;
      case 60: rep = '&lt;'; break;
      case 62: rep = '&gt;'; break;
      case 34:
        if (!quotes) continue;
        rep = '&quot;';
        break;
      default:
        continue;
    }
    if (i > last) out += s.slice(last, i);
    out += rep;
    last = i + 1;
  }
  return last < s.length ? out + s.slice(last) : out;
}

/**
 * Makes comment text unable to end the comment or open another (as Twisted: `--` becomes `- - `, `>`
 * becomes `&gt;`, and a trailing `-` gets a space).
 */
export function escapeComment(data: string): string {
  let s = data.replace(/--/g, '- - ').replace(/>/g, '&gt;');
  if (s.endsWith('-')) s += ' ';
  return s;
}

/**
 * The full CDATA markup for `data`. Each `>` is moved out of the section as `&gt;` (`]]>&gt;<![CDATA[`), so
 * the data can neither end the section in XML nor end the bogus comment an HTML parser sees there; XML
 * readers get the same characters back.
 */
export function cdataMarkup(data: string): string {
  return `<![CDATA[${data.split('>').join(']]>&gt;<![CDATA[')}]]>`;
}

/** Attributes whose value is a URL a browser may navigate to or load: their scheme is checked. */
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'href', 'src', 'action', 'formaction', 'cite', 'poster', 'background', 'longdesc', 'manifest',
  'codebase', 'data', 'xlink:href', 'ping', 'icon', 'profile', 'classid', 'archive', 'lowsrc', 'dynsrc',
]);

/** Schemes allowed in URL attributes; relative URLs are always allowed. */
const SAFE_SCHEMES: ReadonlySet<string> = new Set([
  'http', 'https', 'mailto', 'tel', 'sms', 'ftp', 'ftps', 'ws', 'wss', 'irc', 'ircs', 'xmpp', 'news', 'nntp',
]);

/** `data:` URLs are allowed for raster images only (SVG and HTML can carry script). */
const SAFE_DATA = /^data:image\/(?:png|gif|jpe?g|webp|avif|bmp|x-icon)[;,]/i;

/** What an unsafe URL is replaced with: inert, and easy to spot in the page source. */
export const UNSAFE_URL = 'about:invalid#torsion-unsafe-url';

const NAMED_REFS: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', Tab: '\t', NewLine: '\n', period: '.',
  plus: '+', hyphen: '-', dash: '-', sol: '/', num: '#', quest: '?', nbsp: '\u00a0',
};

/** Decodes character references the way a browser does before it looks at a URL's scheme. */
function decodeReferences(s: string): string {
  return s.replace(/&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([A-Za-z]+));?/g, (m, dec: string, hex: string, name: string) => {
    if (name !== undefined) return NAMED_REFS[name] ?? m;
    const code = dec !== undefined ? Number(dec) : parseInt(hex, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
  });
}

/**
 * True if a browser would treat `url` as relative or as one of the safe schemes. `encoded` says the text
 * is already attribute markup (character references are decoded first).
 */
export function isSafeUrl(url: string, encoded = false): boolean {
  // Without a colon (or, in markup, a character reference that could hide one) there is no scheme.
  if (url.indexOf(':') === -1 && (!encoded || url.indexOf('&') === -1)) return true;
  let s = encoded && url.includes('&') ? decodeReferences(url) : url;
  // Browsers drop tabs and newlines anywhere and leading C0 controls and spaces before parsing.
  s = s.replace(/[\t\n\r]/g, '');
  let start = 0;
  while (start < s.length && s.charCodeAt(start) <= 0x20) start++;
  s = s.slice(start);
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (m === null) return true;
  const scheme = m[1].toLowerCase();
  return SAFE_SCHEMES.has(scheme) || (scheme === 'data' && SAFE_DATA.test(s));
}
