import { createServer, listen } from './app.ts';
import { HealthService } from './health.ts';

const port = Number(process.env.PORT || ${{ values.port }});
const health = new HealthService();
const server = createServer(health);

await listen(server, `0.0.0.0:${port}`);
log('info', 'listening', { port });

function shutdown(signal: string): void {
  log('info', 'shutting down', { signal });
  // Probes see NOT_SERVING first; tryShutdown lets in-flight calls finish.
  health.shutdown();
  server.tryShutdown((err) => process.exit(err ? 1 : 0));
  setTimeout(() => {
    server.forceShutdown();
    process.exit(1);
  }, 10_000).unref();
}

process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

function log(level: string, msg: string, fields: Record<string, unknown> = {}): void {
  // One JSON object per line: Container Insights and Log Analytics parse it.
  console.log(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
}
