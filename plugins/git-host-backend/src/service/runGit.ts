import { spawn } from 'node:child_process';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment every git process gets: the caller's PATH and HOME but none
 * of its GIT_* variables, so a backend started from inside a git hook (or a
 * test run from one) cannot be redirected to another repository.
 */
export function gitEnvironment(
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
  };
  if (process.env.HOME) env.HOME = process.env.HOME;
  return { ...env, ...extra };
}

/** Runs git and collects its output; a non-zero exit is returned, not thrown. */
export function tryGit(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: gitEnvironment(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', chunk => stdout.push(chunk));
    child.stderr.on('data', chunk => stderr.push(chunk));
    child.on('error', reject);
    // git may exit before reading its input (e.g. a missing repository).
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    child.on('close', code => {
      resolve({
        exitCode: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

/** Runs git and throws with its stderr when it fails. */
export async function runGit(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<string> {
  const result = await tryGit(args, options);
  if (result.exitCode !== 0) {
    throw new Error(
      `git ${args.join(' ')} failed with exit code ${
        result.exitCode
      }: ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}
