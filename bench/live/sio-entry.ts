// Bundled for Chromium by live.bench.ts: the Socket.IO client as a page global.
import { io } from 'socket.io-client';

(globalThis as unknown as { io: typeof io }).io = io;
