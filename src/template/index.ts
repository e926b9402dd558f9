/**
 * `torsion/template`: Nevow/Twisted-style templates. Stan tags built in code, XML templates with render
 * directives, JSX, and a streaming flattener that escapes everything that is not `raw()`.
 * @module
 */
export type { Attributes, Flattenable, FailureLogger, IRenderable, ITemplateLoader, RenderMethod, SourceLocation, TemplateRequest } from './interfaces.js';
export { Tag, Slot, slot, Raw, raw, Comment, CDATA, CharRef } from './tag.js';
export { tags, tag, type TagFactory } from './tags.js';
export { HTML_TAG_NAMES, VOID_ELEMENTS, type HtmlTagName } from './names.js';
export { Element, renderer, TagLoader } from './element.js';
export { XMLString, parseTemplate, TEMPLATE_NAMESPACE, TWISTED_TEMPLATE_NAMESPACE, type XMLStringOptions } from './xml.js';
export { XMLFile, isDevelopmentMode, type XMLFileOptions } from './xml-file.js';
export { flatten, flattenString } from './flatten.js';
export { renderElement, RENDER_ERROR_MARKER, type RenderElementOptions } from './render-element.js';
export { escapeText, escapeAttribute, isSafeUrl, UNSAFE_URL, URL_ATTRIBUTES } from './escape.js';
export { FlattenerError, InvalidName, MissingRenderMethod, MissingTemplateLoader, TemplateSyntaxError, UnfilledSlot, UnsupportedType } from './errors.js';
export { h, Fragment, type Component } from './jsx-runtime.js';
export type { AttrValue, GlobalAttributes, HtmlIntrinsicElements } from './jsx-types.js';
