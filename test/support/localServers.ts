// Local network endpoints that misbehave as remote model hosts do: a port nobody listens on, a server that accepts
// and never answers, and one that trickles a download a byte at a time. All on 127.0.0.1, so no test needs a network.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

export interface LocalEndpoint {
    /** `http://127.0.0.1:PORT` */
    origin: string;
    /** How many connections (or requests, for HTTP) arrived. */
    readonly hits: () => number;
    close(): Promise<void>;
}

/** A port that refuses connections: one a server listened on a moment ago and closed. */
export async function refusedPort(): Promise<number> {
    const server = createServer();
    const port = await listen(server);
    await new Promise(resolve => server.close(resolve));
    return port;
}

/** Accepts connections and never sends a byte (a hung proxy or server). */
export async function silentServer(): Promise<LocalEndpoint> {
    const sockets = new Set<Socket>();
    let hits = 0;
    const server = createServer(socket => {
        hits++;
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => sockets.delete(socket));
    });
    const port = await listen(server);
    return {
        origin: `http://127.0.0.1:${port}`,
        hits: () => hits,
        close: () => closeServer(server, sockets),
    };
}

/**
 * An HTTP server whose every GET answers 200 with a large Content-Length and then sends one byte per `intervalMs`:
 * a download that makes progress but would take hours. HEAD requests get the headers alone.
 */
export async function tricklingServer(intervalMs = 100, size = 64 * 1024 * 1024): Promise<LocalEndpoint> {
    const sockets = new Set<Socket>();
    let hits = 0;
    const server = createHttpServer((request, response) => {
        hits++;
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size), 'accept-ranges': 'none' });
        if (request.method === 'HEAD') {
            response.end();
            return;
        }
        // A GGUF magic first, so nothing rejects the file before it is complete.
        response.write('GGUF');
        const timer = setInterval(() => response.write('\0'), intervalMs);
        response.on('close', () => clearInterval(timer));
    });
    server.on('connection', socket => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
    });
    const port = await listen(server);
    return {
        origin: `http://127.0.0.1:${port}`,
        hits: () => hits,
        close: () => closeServer(server, sockets),
    };
}

function listen(server: Server): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            resolve(typeof address === 'object' && address !== null ? address.port : 0);
        });
    });
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
    for (const socket of sockets) socket.destroy();
    return new Promise(resolve => server.close(() => resolve()));
}
