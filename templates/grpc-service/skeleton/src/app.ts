import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { HealthService } from './health.ts';

// Loaded at runtime rather than generated: proto/ is the single source of truth.
// Resolved from this file, so it works from src/ (tests) and dist/ (image) alike.
const packageDefinition = protoLoader.loadSync(['health.proto', 'greeter.proto'], {
  includeDirs: [fileURLToPath(new URL('../proto/', import.meta.url))],
  keepCase: true, // field names as written in the .proto
  enums: String, // 'SERVING' rather than 1
  defaults: true, // unset fields arrive as '' or 0, not undefined
  longs: String,
  oneofs: true,
});

/** The services in proto/, as client constructors (each with its `.service` definition). */
export const proto = grpc.loadPackageDefinition(packageDefinition) as unknown as {
  grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  greeter: { v1: { Greeter: grpc.ServiceClientConstructor } };
};

interface SayHelloRequest {
  name: string;
}

interface SayHelloResponse {
  message: string;
}

// Example RPC: replace with your own API.
const greeter: grpc.UntypedServiceImplementation = {
  SayHello(
    call: grpc.ServerUnaryCall<SayHelloRequest, SayHelloResponse>,
    callback: grpc.sendUnaryData<SayHelloResponse>,
  ) {
    const name = call.request.name.trim() || 'world';
    if (name.length > 100) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: 'name must be at most 100 characters' });
      return;
    }
    callback(null, { message: `Hello, ${name}!` });
  },
};

export function createServer(health: HealthService = new HealthService()): grpc.Server {
  const server = new grpc.Server();
  server.addService(proto.grpc.health.v1.Health.service, health.implementation);
  server.addService(proto.greeter.v1.Greeter.service, greeter);
  health.setStatus('greeter.v1.Greeter', 'SERVING');
  return server;
}

/** Binds without TLS (the mesh or ingress terminates it) and resolves to the bound port. */
export function listen(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    );
  });
}
