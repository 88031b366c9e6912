import net from 'node:net';

/**
 * Whether something accepts TCP connections on `target`, such as the machine's PostgreSQL or
 * Redis; when not, prints why the caller's test is skipped.
 */
export async function acceptsConnections(target: {
  host: string;
  port: number;
}): Promise<boolean> {
  const ok = await new Promise<boolean>(resolve => {
    const socket = net.connect(target);
    socket.setTimeout(1000);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
  if (!ok) {
    // eslint-disable-next-line no-console
    console.log(
      `skipped: nothing accepts connections on ${target.host}:${target.port}`,
    );
  }
  return ok;
}
