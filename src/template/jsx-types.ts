/**
 * Types for JSX: which elements exist and which attributes each takes. Attribute values may be anything
 * flattenable (text, numbers, slots, Deferreds...); `true` writes an empty attribute, `false`/`null` none.
 * @module
 */
import type { Flattenable } from './interfaces.js';
import type { HtmlTagName } from './names.js';

/** An attribute value in JSX. */
export type AttrValue = Flattenable;

/** Attributes every HTML element takes. */
export interface GlobalAttributes {
  /** Children, as JSX passes them. */
  children?: Flattenable;
  /** The renderer that replaces this tag (looked up on the enclosing `Element`). */
  render?: string;
  /** Ignored (accepted so lists can be written as in React). */
  key?: string | number;
  id?: AttrValue;
  class?: AttrValue;
  /** Written as `class`. */
  className?: AttrValue;
  style?: AttrValue;
  title?: AttrValue;
  lang?: AttrValue;
  'xml:lang'?: AttrValue;
  dir?: AttrValue;
  hidden?: AttrValue;
  inert?: AttrValue;
  tabindex?: AttrValue;
  accesskey?: AttrValue;
  autofocus?: AttrValue;
  contenteditable?: AttrValue;
  draggable?: AttrValue;
  spellcheck?: AttrValue;
  translate?: AttrValue;
  enterkeyhint?: AttrValue;
  inputmode?: AttrValue;
  is?: AttrValue;
  nonce?: AttrValue;
  part?: AttrValue;
  popover?: AttrValue;
  role?: AttrValue;
  slot?: AttrValue;
  itemscope?: AttrValue;
  itemprop?: AttrValue;
  itemtype?: AttrValue;
  itemid?: AttrValue;
  itemref?: AttrValue;
  [data: `data-${string}`]: AttrValue;
  [aria: `aria-${string}`]: AttrValue;
  /** Inline event handlers are script: never build them from user input. */
  [handler: `on${string}`]: AttrValue;
}

interface LinkAttributes extends GlobalAttributes {
  href?: AttrValue;
  target?: AttrValue;
  rel?: AttrValue;
  download?: AttrValue;
  hreflang?: AttrValue;
  type?: AttrValue;
  referrerpolicy?: AttrValue;
  ping?: AttrValue;
}

interface MediaAttributes extends GlobalAttributes {
  src?: AttrValue;
  crossorigin?: AttrValue;
  preload?: AttrValue;
  autoplay?: AttrValue;
  loop?: AttrValue;
  muted?: AttrValue;
  controls?: AttrValue;
  width?: AttrValue;
  height?: AttrValue;
  poster?: AttrValue;
  playsinline?: AttrValue;
}

interface FormControlAttributes extends GlobalAttributes {
  name?: AttrValue;
  value?: AttrValue;
  disabled?: AttrValue;
  form?: AttrValue;
  required?: AttrValue;
  autocomplete?: AttrValue;
}

interface InputAttributes extends FormControlAttributes {
  type?: AttrValue;
  checked?: AttrValue;
  placeholder?: AttrValue;
  readonly?: AttrValue;
  min?: AttrValue;
  max?: AttrValue;
  step?: AttrValue;
  minlength?: AttrValue;
  maxlength?: AttrValue;
  pattern?: AttrValue;
  size?: AttrValue;
  multiple?: AttrValue;
  accept?: AttrValue;
  list?: AttrValue;
  src?: AttrValue;
  alt?: AttrValue;
  width?: AttrValue;
  height?: AttrValue;
  formaction?: AttrValue;
  formmethod?: AttrValue;
  formnovalidate?: AttrValue;
  formtarget?: AttrValue;
  dirname?: AttrValue;
  capture?: AttrValue;
}

interface TableCellAttributes extends GlobalAttributes {
  colspan?: AttrValue;
  rowspan?: AttrValue;
  headers?: AttrValue;
  scope?: AttrValue;
  abbr?: AttrValue;
}

interface QuoteAttributes extends GlobalAttributes {
  cite?: AttrValue;
  datetime?: AttrValue;
}

/** Elements whose attributes go beyond the global ones. */
interface SpecificElements {
  a: LinkAttributes;
  area: LinkAttributes & { alt?: AttrValue; coords?: AttrValue; shape?: AttrValue };
  audio: MediaAttributes;
  base: GlobalAttributes & { href?: AttrValue; target?: AttrValue };
  blockquote: QuoteAttributes;
  button: FormControlAttributes & { type?: AttrValue; formaction?: AttrValue; formmethod?: AttrValue; formtarget?: AttrValue; formnovalidate?: AttrValue; popovertarget?: AttrValue; popovertargetaction?: AttrValue; command?: AttrValue; commandfor?: AttrValue };
  canvas: GlobalAttributes & { width?: AttrValue; height?: AttrValue };
  col: GlobalAttributes & { span?: AttrValue };
  colgroup: GlobalAttributes & { span?: AttrValue };
  data: GlobalAttributes & { value?: AttrValue };
  del: QuoteAttributes;
  details: GlobalAttributes & { open?: AttrValue; name?: AttrValue };
  dialog: GlobalAttributes & { open?: AttrValue };
  embed: GlobalAttributes & { src?: AttrValue; type?: AttrValue; width?: AttrValue; height?: AttrValue };
  fieldset: GlobalAttributes & { disabled?: AttrValue; form?: AttrValue; name?: AttrValue };
  form: GlobalAttributes & { action?: AttrValue; method?: AttrValue; enctype?: AttrValue; target?: AttrValue; novalidate?: AttrValue; autocomplete?: AttrValue; name?: AttrValue; rel?: AttrValue; 'accept-charset'?: AttrValue };
  html: GlobalAttributes & { xmlns?: AttrValue; manifest?: AttrValue };
  iframe: GlobalAttributes & { src?: AttrValue; srcdoc?: AttrValue; name?: AttrValue; sandbox?: AttrValue; allow?: AttrValue; allowfullscreen?: AttrValue; width?: AttrValue; height?: AttrValue; loading?: AttrValue; referrerpolicy?: AttrValue };
  img: GlobalAttributes & { src?: AttrValue; alt?: AttrValue; srcset?: AttrValue; sizes?: AttrValue; width?: AttrValue; height?: AttrValue; loading?: AttrValue; decoding?: AttrValue; crossorigin?: AttrValue; usemap?: AttrValue; ismap?: AttrValue; referrerpolicy?: AttrValue; fetchpriority?: AttrValue };
  input: InputAttributes;
  ins: QuoteAttributes;
  label: GlobalAttributes & { for?: AttrValue; htmlFor?: AttrValue };
  li: GlobalAttributes & { value?: AttrValue };
  link: GlobalAttributes & { href?: AttrValue; rel?: AttrValue; type?: AttrValue; media?: AttrValue; sizes?: AttrValue; as?: AttrValue; crossorigin?: AttrValue; integrity?: AttrValue; hreflang?: AttrValue; referrerpolicy?: AttrValue };
  map: GlobalAttributes & { name?: AttrValue };
  meta: GlobalAttributes & { name?: AttrValue; content?: AttrValue; charset?: AttrValue; 'http-equiv'?: AttrValue; property?: AttrValue; media?: AttrValue };
  meter: GlobalAttributes & { value?: AttrValue; min?: AttrValue; max?: AttrValue; low?: AttrValue; high?: AttrValue; optimum?: AttrValue };
  object: GlobalAttributes & { data?: AttrValue; type?: AttrValue; name?: AttrValue; width?: AttrValue; height?: AttrValue; form?: AttrValue };
  ol: GlobalAttributes & { start?: AttrValue; reversed?: AttrValue; type?: AttrValue };
  optgroup: GlobalAttributes & { label?: AttrValue; disabled?: AttrValue };
  option: GlobalAttributes & { value?: AttrValue; label?: AttrValue; selected?: AttrValue; disabled?: AttrValue };
  output: GlobalAttributes & { for?: AttrValue; htmlFor?: AttrValue; form?: AttrValue; name?: AttrValue };
  param: GlobalAttributes & { name?: AttrValue; value?: AttrValue };
  progress: GlobalAttributes & { value?: AttrValue; max?: AttrValue };
  q: QuoteAttributes;
  script: GlobalAttributes & { src?: AttrValue; type?: AttrValue; async?: AttrValue; defer?: AttrValue; crossorigin?: AttrValue; integrity?: AttrValue; nomodule?: AttrValue; referrerpolicy?: AttrValue };
  select: FormControlAttributes & { multiple?: AttrValue; size?: AttrValue };
  slot: GlobalAttributes & { name?: AttrValue };
  source: GlobalAttributes & { src?: AttrValue; srcset?: AttrValue; sizes?: AttrValue; type?: AttrValue; media?: AttrValue; width?: AttrValue; height?: AttrValue };
  style: GlobalAttributes & { media?: AttrValue; blocking?: AttrValue };
  svg: GlobalAttributes & { xmlns?: AttrValue; viewBox?: AttrValue; width?: AttrValue; height?: AttrValue; fill?: AttrValue; stroke?: AttrValue; preserveAspectRatio?: AttrValue; 'xmlns:xlink'?: AttrValue };
  td: TableCellAttributes;
  template: GlobalAttributes & { shadowrootmode?: AttrValue };
  textarea: FormControlAttributes & { rows?: AttrValue; cols?: AttrValue; placeholder?: AttrValue; readonly?: AttrValue; wrap?: AttrValue; minlength?: AttrValue; maxlength?: AttrValue; dirname?: AttrValue };
  th: TableCellAttributes;
  time: GlobalAttributes & { datetime?: AttrValue };
  track: GlobalAttributes & { src?: AttrValue; kind?: AttrValue; srclang?: AttrValue; label?: AttrValue; default?: AttrValue };
  video: MediaAttributes;
}

/** Attributes of SVG content elements: any name (SVG has many, in mixed case). */
export interface SvgAttributes extends GlobalAttributes {
  [attribute: string]: AttrValue;
}

type SvgElementName =
  | 'path' | 'circle' | 'ellipse' | 'line' | 'polyline' | 'polygon' | 'rect' | 'g' | 'defs' | 'use' | 'symbol' | 'text'
  | 'tspan' | 'textPath' | 'linearGradient' | 'radialGradient' | 'stop' | 'clipPath' | 'mask' | 'pattern' | 'marker'
  | 'image' | 'foreignObject' | 'desc' | 'filter' | 'feGaussianBlur' | 'feOffset' | 'feBlend' | 'feColorMatrix'
  | 'animate' | 'animateTransform';

type AllElements = { [K in Exclude<HtmlTagName, keyof SpecificElements>]: GlobalAttributes } & SpecificElements & {
  [K in SvgElementName]: SvgAttributes;
};

/** Every intrinsic JSX element: the HTML elements, SVG content elements, and custom elements (`my-widget`). */
export interface HtmlIntrinsicElements extends AllElements {
  [customElement: `${string}-${string}`]: GlobalAttributes & { [attribute: string]: AttrValue };
}
