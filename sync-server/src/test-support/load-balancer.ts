/**
 * The simplest load balancer, for tests and benchmarks: a TCP proxy on 127.0.0.1 that sends each
 * new connection to the next backend in turn, skipping backends that refuse (a dead process), so
 * that clients which reconnect after a crash land on a live process. No stickiness, no health
 * checks: Plaza must work behind "any load balancer".
 */
import net from 'node:net';

export interface LoadBalancer {
  readonly url: string;
  /** Connections sent to each backend so far. */
  readonly counts: number[];
  close(): Promise<void>;
}

export async function startLoadBalancer(backends: ReadonlyArray<() => string>): Promise<LoadBalancer> {
  let next = 0;
  const counts = backends.map(() => 0);
  const sockets = new Set<net.Socket>();
  const connectTo = (client: net.Socket, attempt: number) => {
    if (attempt >= backends.length) {
      client.destroy();
      return;
    }
    const index = next % backends.length;
    next += 1;
    const target = new URL(backends[index]!());
    const upstream = net.connect(Number(target.port), target.hostname);
    let connected = false;
    sockets.add(upstream);
    upstream.once('connect', () => {
      connected = true;
      counts[index]! += 1;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      // Refused (a dead backend): try the next one; a live connection that fails ends the client's.
      if (!connected) connectTo(client, attempt + 1);
    });
    upstream.once('close', () => {
      sockets.delete(upstream);
      if (connected) client.destroy();
    });
    client.once('close', () => upstream.destroy());
  };
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    connectTo(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
