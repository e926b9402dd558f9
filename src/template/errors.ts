/**
 * The errors of `torsion/template`, each with a stable `code`.
 * @module
 */
import { Failure } from '../defer/index.js';
import { TorsionError } from '../errors/index.js';

/** A template names a renderer its element does not have (or a tag has a renderer but no element encloses it). */
export class MissingRenderMethod extends TorsionError {
  override name = 'MissingRenderMethod';
  override readonly code = 'TORSION_TEMPLATE_MISSING_RENDERER';
  constructor(
    /** The element asked, or `null` when there was none. */
    readonly element: object | null,
    /** The renderer name the template used. */
    readonly renderName: string,
  ) {
    super(
      element === null
        ? `Tag wants renderer "${renderName}" but is not inside any element that could supply it`
        : `Expected ${element.constructor?.name ?? 'element'} to have a renderer named "${renderName}" (mark the method with @renderer or list it in static renderers)`,
    );
  }
}

/** An element has neither a loader of its own nor a class default. */
export class MissingTemplateLoader extends TorsionError {
  override name = 'MissingTemplateLoader';
  override readonly code = 'TORSION_TEMPLATE_MISSING_LOADER';
  constructor(readonly element: object) {
    super(`${element.constructor?.name ?? 'element'} has no template loader: pass one to the constructor or set static loader`);
  }
}

/** A slot with no default was not filled by any enclosing tag. */
export class UnfilledSlot extends TorsionError {
  override name = 'UnfilledSlot';
  override readonly code = 'TORSION_TEMPLATE_UNFILLED_SLOT';
  constructor(readonly slotName: string, where = '') {
    super(`slot "${slotName}"${where} was not filled and has no default`);
  }
}

/** A value the flattener cannot render (a function, a plain object, a symbol...). */
export class UnsupportedType extends TorsionError {
  override name = 'UnsupportedType';
  override readonly code = 'TORSION_TEMPLATE_UNSUPPORTED_TYPE';
  constructor(readonly value: unknown) {
    super(`cannot render a value of type ${describeType(value)}`);
  }
}

/** A tag or attribute name that would break the markup around it. */
export class InvalidName extends TorsionError {
  override name = 'InvalidName';
  override readonly code = 'TORSION_TEMPLATE_INVALID_NAME';
  constructor(kind: 'tag' | 'attribute', readonly badName: string) {
    super(`invalid ${kind} name ${JSON.stringify(badName)}`);
  }
}

/** A template that is not well-formed XML, or misuses the template namespace; names the file, line and column. */
export class TemplateSyntaxError extends TorsionError {
  override name = 'TemplateSyntaxError';
  override readonly code = 'TORSION_TEMPLATE_SYNTAX';
  constructor(
    readonly reason: string,
    readonly filename: string,
    /** Counted from 1. */
    readonly line: number,
    /** Counted from 1. */
    readonly column: number,
  ) {
    super(`${filename}:${line}:${column}: ${reason}`);
  }
}

/**
 * Flattening failed. `failure` is what went wrong; `trail` lists, outermost first, the tags, renderers and
 * elements being rendered at the time (with file positions for templates loaded from XML).
 */
export class FlattenerError extends TorsionError {
  override name = 'FlattenerError';
  override readonly code = 'TORSION_TEMPLATE_FLATTEN';
  constructor(
    readonly failure: Failure,
    readonly trail: readonly string[],
  ) {
    super(`${failure.value.name}: ${failure.value.message}${trail.map((t) => `\n    in ${t}`).join('')}`, { cause: failure.value });
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return `object ${(value as object).constructor?.name ?? '(null prototype)'}`;
  return typeof value;
}
