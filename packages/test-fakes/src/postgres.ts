import net, { AddressInfo } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/** A sign-in the front saw: the user of the StartupMessage and the cleartext password. */
export type PostgresSignIn = {
  user: string;
  password: string;
  accepted: boolean;
};

/**
 * A PostgreSQL front on 127.0.0.1 that asks every client for its password in cleartext
 * (AuthenticationCleartextPassword, as a server with `password` in pg_hba.conf does),
 * refuses a wrong one with the ErrorResponse PostgreSQL sends (FATAL 28P01, "password
 * authentication failed for user ..."), and forwards an accepted connection, StartupMessage
 * first, to a real server that trusts it. So a client's password can be checked against a
 * real server that accepts any. TLS is declined ('N'), as a server without ssl = on does.
 */
export async function startPostgresFront(options: {
  upstream: { host: string; port: number };
  /** Whether the password is the right one for the user. */
  accept: (password: string, user: string) => boolean;
}) {
  const signIns: PostgresSignIn[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer(client => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let startup: Buffer | undefined;
    let user = '';

    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (!startup) {
          // Untyped messages: Int32 length, Int32 code, body.
          if (buffered.length < 8) return;
          const length = buffered.readInt32BE(0);
          if (buffered.length < length) return;
          const message = buffered.subarray(0, length);
          buffered = buffered.subarray(length);
          const code = message.readInt32BE(4);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            client.write('N');
            continue;
          }
          if (code === CANCEL_REQUEST || code !== PROTOCOL_3) {
            client.end();
            return;
          }
          startup = Buffer.from(message);
          const params = message.subarray(8).toString('utf8').split('\0');
          for (let i = 0; i + 1 < params.length; i += 2) {
            if (params[i] === 'user') user = params[i + 1];
          }
          const ask = Buffer.alloc(9);
          ask.write('R', 0);
          ask.writeInt32BE(8, 1);
          ask.writeInt32BE(3, 5);
          client.write(ask);
          continue;
        }
        // Typed message: Byte1 type, Int32 length (including itself), body.
        if (buffered.length < 5) return;
        const length = buffered.readInt32BE(1);
        if (buffered.length < length + 1) return;
        const type = String.fromCharCode(buffered[0]);
        const body = buffered.subarray(5, length + 1);
        const rest = buffered.subarray(length + 1);
        if (type !== 'p') {
          client.end();
          return;
        }
        const password = body.toString('utf8').replace(/\0$/, '');
        const accepted = options.accept(password, user);
        signIns.push({ user, password, accepted });
        client.off('data', onData);
        if (!accepted) {
          client.end(
            errorResponse([
              ['S', 'FATAL'],
              ['V', 'FATAL'],
              ['C', '28P01'],
              ['M', `password authentication failed for user "${user}"`],
              ['F', 'auth.c'],
              ['L', '323'],
              ['R', 'auth_failed'],
            ]),
          );
          return;
        }
        const upstream = net.connect(options.upstream);
        sockets.add(upstream);
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.write(startup);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        return;
      }
    };
    client.on('data', onData);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    signIns,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

function errorResponse(fields: Array<[string, string]>): Buffer {
  const body = Buffer.concat([
    ...fields.map(([code, value]) => Buffer.from(`${code}${value}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
