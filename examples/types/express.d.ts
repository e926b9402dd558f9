/**
 * The part of Express 5 the mounting examples and tests use. Express ships no types and `@types/express` is
 * not a dependency; these are written from Express's documented API.
 */
declare module 'express' {
  import type { IncomingMessage, Server, ServerResponse } from 'node:http';

  namespace express {
    interface Request extends IncomingMessage {
      url: string;
      originalUrl: string;
      ip?: string;
      query: Record<string, string | undefined>;
      body?: unknown;
    }
    interface Response extends ServerResponse {
      send(body: string | Buffer): this;
      json(body: unknown): this;
      set(name: string, value: string): this;
    }
    type NextFunction = (error?: unknown) => void;
    type Handler = (req: Request, res: Response, next: NextFunction) => unknown;
    type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown;
    interface Application {
      (req: IncomingMessage, res: ServerResponse): void;
      get(path: string, ...handlers: Handler[]): this;
      post(path: string, ...handlers: Handler[]): this;
      use(path: string, ...handlers: (Handler | NodeListener)[]): this;
      /** Listens on `host:port` with a new `http.Server`, which it returns. */
      listen(port: number, host: string, callback?: () => void): Server;
    }
    function json(): Handler;
  }

  function express(): express.Application;
  export = express;
}
