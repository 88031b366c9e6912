import { createApp } from './app.ts';
import type { AppState } from './app.ts';

const port = Number(process.env.PORT || ${{ values.port }});
const state: AppState = { ready: true };
const server = createApp(state);

server.listen(port, () => {
  log('info', 'listening', { port });
});

function shutdown(signal: string): void {
  log('info', 'shutting down', { signal });
  // Fail readiness first so the Service stops routing here, then stop
  // accepting connections and let in-flight requests finish.
  state.ready = false;
  server.close((err) => process.exit(err ? 1 : 0));
  setTimeout(() => process.exit(1), 10_000).unref();
}

process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);

function log(level: string, msg: string, fields: Record<string, unknown> = {}): void {
  // One JSON object per line: Container Insights and Log Analytics parse it.
  console.log(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
}
