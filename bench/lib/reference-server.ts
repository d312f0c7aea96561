/**
 * The reference y-websocket server (@y/websocket-server's own setupWSConnection, no auth, no
 * persistence) as the baseline for benchmarks. Prints `{"listening": <port>}` when ready.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';

const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((_request, response) => response.end('ok'));
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => {
    const docName = (request.url ?? '/').slice(1).split('?')[0]!.replace(/^sync\//, '');
    (setupWSConnection as (ws: unknown, request: unknown, options: { docName: string; gc: boolean }) => void)(ws, request, { docName, gc: true });
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
