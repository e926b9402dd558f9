/**
 * `renderElement`: streams an element as an HTML response (Twisted's `twisted.web.template.renderElement`).
 * @module
 */
import type { Deferred, Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import { escapeText } from './escape.js';
import { flatten } from './flatten.js';
import type { FailureLogger, Flattenable, TemplateRequest } from './interfaces.js';

/** Options of {@link renderElement}. */
export interface RenderElementOptions {
  /** Written before the markup; `null` for none. Defaults to `<!DOCTYPE html>`. */
  doctype?: string | null;
  /** Where rendering failures are logged; defaults to the `torsion.template` logger. */
  log?: FailureLogger;
  /** Also show the failure's traceback in the page (escaped). For development only. */
  displayTracebacks?: boolean;
}

/** What ends the output when rendering fails part-way. */
export const RENDER_ERROR_MARKER =
  '<div class="torsion-render-error" role="alert" style="font-size:200%;background:#fff;color:#c00;border:2px solid #c00;padding:0.5em">' +
  'An error occurred while rendering the response.</div>';

const defaultLog = new Logger({ namespace: 'torsion.template' });
const encoder = new TextEncoder();

/**
 * Renders `element` into `request`: sets `content-type: text/html; charset=utf-8`, writes the doctype, then
 * the markup as it becomes ready (all that is ready before the first value that must be waited for goes
 * out at once), then finishes the request.
 *
 * If a renderer fails part-way, the failure is logged, the output ends with {@link RENDER_ERROR_MARKER}
 * and the request is finished: it never hangs. If the request's `notifyFinish()` reports the connection
 * lost, rendering stops (the Deferred being waited on is cancelled) and nothing more is written.
 *
 * Returns a Deferred that fires when the response is finished. A `torsion/web` resource calls this and
 * returns `NOT_DONE_YET`, as in Twisted.
 *
 * @example
 * render(request) { renderElement(request, new Page()); return NOT_DONE_YET; }
 */
export function renderElement(request: TemplateRequest, element: Flattenable, options: RenderElementOptions = {}): Deferred<void> {
  const log = options.log ?? defaultLog;
  request.setHeader('content-type', 'text/html; charset=utf-8');
  let prefix = options.doctype === null ? '' : `${options.doctype ?? '<!DOCTYPE html>'}\n`;
  let lost = false;
  const send = (chunk: string): void => {
    if (lost) return;
    const text = prefix + chunk;
    prefix = '';
    if (text.length > 0) request.write(encoder.encode(text));
  };
  const rendering = flatten(request, element, send);
  request.notifyFinish?.().then(undefined, () => {
    lost = true;
    rendering.cancel();
  });
  return rendering.addCallbacks(
    () => {
      if (lost) return;
      send('');
      request.finish();
    },
    (failure: Failure) => {
      if (lost) return;
      log.failure('An error occurred while rendering the response.', failure);
      try {
        const traceback = options.displayTracebacks ? `<pre class="torsion-render-traceback">${escapeText(failure.getTraceback())}</pre>` : '';
        send(RENDER_ERROR_MARKER + traceback);
        request.finish();
      } catch (e) {
        log.failure('Could not end the response after a rendering error.', e);
      }
    },
  );
}
