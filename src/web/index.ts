/**
 * `torsion/web`: HTTP/1.1 server and client (sites, resources, requests, static files, proxying, virtual hosts, agents) and WebSockets.
 * @module
 */
export type { IResource, IBodyReceiver, IResponseEncoder, RenderResult, Body } from './interfaces.js';
export { Resource, ErrorPage, NoResource, ForbiddenResource, Data, NOT_DONE_YET, errorHTML } from './resource.js';
export { Request } from './request.js';
export { Site, type SiteOptions, type SiteTimeouts } from './site.js';
export { SITE_LIMITS, SITE_TIMEOUTS, CODEC_LIMITS } from './limits.js';
export type { SiteRequestOptions, SiteResponse } from './site-request.js';
export { HTTPChannel } from './channel.js';
export { Headers } from './headers.js';
export { Session } from './session.js';
export { parseCookies, formatCookie, type CookieOptions } from './cookies.js';
export { HTTPParseError } from './http-parser.js';
export { ResponseParser, type ResponseHandler } from './response-parser.js';
export { RESPONSES, httpDate } from './status.js';
export { escapeHTML } from './html.js';
export { File, type FileOptions } from './static/file.js';
export { etagFor } from './static/serve-file.js';
export { nodeFileSystem, statusForFileError, RETRY_AFTER_EMFILE, type StaticFileSystem } from './static/fs.js';
export { parseRange, type ByteRange } from './static/range.js';
export { CONTENT_TYPES, contentTypeFor } from './static/mime.js';
export { EncodingResourceWrapper, GzipEncoderFactory, acceptsEncoding, codedETag, type IEncoderFactory } from './encoding.js';
export { NameVirtualHost, hostName } from './vhost.js';
export { ReverseProxyResource } from './proxy.js';
export * from './client/index.js';
export * from './websocket/index.js';
export * from './node-handler/index.js';
