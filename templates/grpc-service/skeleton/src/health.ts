import * as grpc from '@grpc/grpc-js';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthCheckRequest {
  service: string;
}

interface HealthCheckResponse {
  status: ServingStatus;
}

type WatchCall = grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>;

/**
 * The standard grpc.health.v1.Health service. The empty service name stands
 * for the whole server; that is what Kubernetes gRPC probes ask for.
 */
export class HealthService {
  readonly #statuses = new Map<string, ServingStatus>([['', 'SERVING']]);
  readonly #watches = new Set<WatchCall>();

  setStatus(service: string, status: ServingStatus): void {
    this.#statuses.set(service, status);
    for (const call of this.#watches) {
      if (call.request.service === service) call.write({ status });
    }
  }

  /** Reports NOT_SERVING everywhere and ends Watch streams, which would otherwise hold shutdown up. */
  shutdown(): void {
    for (const service of this.#statuses.keys()) this.setStatus(service, 'NOT_SERVING');
    for (const call of this.#watches) call.end();
    this.#watches.clear();
  }

  readonly implementation: grpc.UntypedServiceImplementation = {
    Check: (
      call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
      callback: grpc.sendUnaryData<HealthCheckResponse>,
    ) => {
      const status = this.#statuses.get(call.request.service);
      if (status === undefined) {
        callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${call.request.service}"` });
      } else {
        callback(null, { status });
      }
    },
    Watch: (call: WatchCall) => {
      call.write({ status: this.#statuses.get(call.request.service) ?? 'SERVICE_UNKNOWN' });
      this.#watches.add(call);
      call.on('cancelled', () => this.#watches.delete(call));
    },
  };
}
