import { ChildProcess, spawn } from 'child_process';
import path from 'path';

const root = path.resolve(__dirname, '../..');

/** A backend started as its own process group, with extra config files layered on top. */
export type BackendProcess = {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop: () => void;
};

export function startBackend(options: {
  configs: string[];
  env?: NodeJS.ProcessEnv;
}): BackendProcess {
  const args = ['backstage-cli', 'package', 'start'];
  for (const config of options.configs) {
    args.push('--config', path.resolve(root, config));
  }
  return startProcessGroup('yarn', args, {
    cwd: path.join(root, 'packages/backend'),
    env: { ...process.env, ...options.env },
  });
}

/** Runs a program as its own process group, keeping its output; `stop` kills the group. */
export function startProcessGroup(
  program: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): BackendProcess {
  let output = '';
  const child = spawn(program, args, {
    ...options,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', d => (output += d));
  child.stderr!.on('data', d => (output += d));
  const exited = new Promise<number | null>(resolve =>
    child.on('exit', code => resolve(code)),
  );
  return {
    child,
    output: () => output,
    exited,
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 500));
  }
}

export async function guestToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`guest sign-in failed: ${res.status}`);
  const body = await res.json();
  return body.backstageIdentity.token;
}
