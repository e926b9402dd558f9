/**
 * The roles of `torsion/web`. Type-only: this file emits no code.
 * @module
 */
import type { Deferred, Failure } from '../defer/index.js';
import type { Request } from './request.js';

/** The `NOT_DONE_YET` marker's type. */
export type NotDoneYet = typeof import('./resource.js').NOT_DONE_YET;

/** A body as a renderer may return it. */
export type Body = string | Uint8Array;

/**
 * What `render` may return: the whole body, `NOT_DONE_YET` (the resource writes and finishes later), or a
 * Promise/Deferred of either. `undefined` means an empty body.
 */
export type RenderResult = Body | NotDoneYet | void | PromiseLike<Body | NotDoneYet | void> | Deferred<Body | NotDoneYet | void>;

/** A node of the URL tree. `Resource` implements it; anything with these members can stand in. */
export interface IResource {
  /** Consumes the rest of the path itself. */
  isLeaf: boolean;
  /** Renders on the request head and streams the body through `request.setBodyReceiver` (default false). */
  streamBody?: boolean;
  /** Answers without reading the body at all (error pages): no `100 Continue`, and the connection closes after. */
  ignoresBody?: boolean;
  /** Largest body buffered for this resource, overriding the site's `maxBodySize`. */
  maxBodySize?: number;
  getChildWithDefault(segment: string, request: Request): IResource | PromiseLike<IResource>;
  putChild(segment: string, child: IResource): void;
  render(request: Request): RenderResult;
}

/** Receives a streamed request body (`request.setBodyReceiver`). */
export interface IBodyReceiver {
  /** A piece of the body, in arrival order. */
  dataReceived(chunk: Uint8Array): void;
  /** The body is complete, or (with `reason`) will never be: the client went away or sent garbage. */
  bodyDone(reason?: Failure): void;
}

/** Transforms the response body on its way out (gzip). Built per request by an encoder factory. */
export interface IResponseEncoder {
  /** The content coding it applies (`gzip`), which `Request.responseCoding` reports to the resource. */
  readonly coding?: string;
  /** Takes a piece of body; hands encoded bytes to the `out` function it was built with, now or later. */
  write(data: Body): void;
  /** Flushes everything, then calls `done`. */
  end(done: () => void): void;
}
