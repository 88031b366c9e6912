// Assembles the portal's image filesystem by following the Dockerfile, for machines with no
// Docker engine (ours): each stage the final image needs is run as the Dockerfile says, with
// its `/` a folder under <out>, on this machine's Node 22 in place of the base image.
//
// - The `build` stage is this checkout: its `yarn install --immutable` is the one the test
//   command already ran on the same lockfile, and its other RUN steps run here.
// - A RUN that installs Debian packages is checked instead (`dpkg -s`): the packages must be
//   on this machine, as they would be in the image.
// - COPY from the build context honours .dockerignore.
//
// What it writes: <out>/image, the final stage's `/`, and <out>/image.json with its WORKDIR,
// ENV, USER and CMD, for e2e/image.spec.ts to run the image's command as the image would.
//
//   node scripts/image/assemble.mjs <out>
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.resolve(process.argv[2] ?? path.join(root, '.image'));

/** The Dockerfile as instructions: continuation lines joined, comments dropped. */
export function parseDockerfile(text) {
  const lines = [];
  let current = '';
  for (const raw of text.split('\n')) {
    // Comments go wherever they are; a blank line only between instructions.
    if (/^\s*#/.test(raw) || (!current && !raw.trim())) continue;
    const line = raw.replace(/\s+$/, '');
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push((current + line).trim());
    current = '';
  }
  const args = {};
  const stages = [];
  for (const line of lines) {
    const [, op, rest] = line.match(/^(\w+)\s+(.*)$/);
    const keyword = op.toUpperCase();
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value] = rest.split('=');
      args[name] = value;
    } else if (keyword === 'FROM') {
      const [, image, name] = rest.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i);
      const from = image.replace(/\$\{(\w+)\}/g, (_, n) => args[n]);
      stages.push({ name: name ?? `stage-${stages.length}`, from, steps: [] });
    } else {
      stages.at(-1).steps.push({ keyword, rest });
    }
  }
  return stages;
}

/** .dockerignore's patterns as one test of a context-relative path. */
function ignoredBy(text) {
  const patterns = text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#'))
    .map(p => {
      const re = p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '\u0000')
        .replace(/\*/g, '[^/]*')
        .replace(/\u0000/g, '(?:.*/)?');
      // A pattern that names a folder leaves out everything in it.
      return new RegExp(`^${re}(?:/.*)?$`);
    });
  return rel => patterns.some(p => p.test(rel));
}

const run = (command, cwd, env) => {
  console.log(`    $ ${command}`);
  execFileSync('bash', ['-eo', 'pipefail', '-c', command], {
    cwd,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
};

/** Assembles the stages the last one needs; returns the final stage's description. */
export function assemble() {
  const stages = parseDockerfile(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  const ignored = ignoredBy(fs.readFileSync(path.join(root, '.dockerignore'), 'utf8'));
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });

  /** Where each assembled stage's `/` is, and its WORKDIR. */
  const fsOf = new Map();
  const final = stages.at(-1);
  const needed = new Set();
  const need = stage => {
    if (needed.has(stage.name)) return;
    needed.add(stage.name);
    const parent = stages.find(s => s.name === stage.from);
    if (parent) need(parent);
    for (const step of stage.steps) {
      const from = step.rest.match(/--from=(\S+)/)?.[1];
      if (from) need(stages.find(s => s.name === from));
    }
  };
  need(final);

  for (const stage of stages.filter(s => needed.has(s.name))) {
    const isBuild = stage.name === 'build';
    const stageRoot = path.join(out, stage.name);
    const parent = fsOf.get(stage.from);
    console.log(`==> stage ${stage.name} (FROM ${stage.from})${isBuild ? ': this checkout' : ''}`);
    if (parent) fs.cpSync(parent.root, stageRoot, { recursive: true, verbatimSymlinks: true });
    else fs.mkdirSync(stageRoot, { recursive: true });
    const state = {
      root: stageRoot,
      workdir: parent?.workdir ?? '/',
      env: { ...(parent?.env ?? {}) },
      user: undefined,
      cmd: undefined,
    };
    // Absolute paths of the stage, in its folder; the build stage's /app is the checkout.
    const host = p => {
      const abs = path.posix.resolve(state.workdir, p);
      if (isBuild && (abs === '/app' || abs.startsWith('/app/'))) return path.join(root, abs.slice(4));
      return path.join(stageRoot, abs);
    };
    const inStage = command =>
      command.replace(/(^|[\s=])(\/(?!app\b)[A-Za-z0-9._-][^\s;&|]*)/g, (_, pre, p) => pre + host(p));
    let copiedSources = false;
    for (const { keyword, rest } of stage.steps) {
      if (keyword === 'WORKDIR') {
        state.workdir = path.posix.resolve(state.workdir, rest);
        fs.mkdirSync(host(state.workdir), { recursive: true });
      } else if (keyword === 'ENV') {
        const [, name, value] = rest.match(/^(\S+?)[=\s]+(.*)$/);
        state.env[name] = value;
      } else if (keyword === 'USER') {
        state.user = rest;
      } else if (keyword === 'CMD') {
        state.cmd = JSON.parse(rest);
      } else if (keyword === 'EXPOSE') {
        state.expose = Number(rest);
      } else if (keyword === 'COPY') {
        const parts = rest.split(/\s+/);
        const from = parts.find(p => p.startsWith('--from='))?.slice(7);
        const [dest, ...srcs] = parts.filter(p => !p.startsWith('--')).reverse();
        if (isBuild) {
          // The checkout already holds what the build stage copies in.
          if (srcs.includes('.')) copiedSources = true;
          continue;
        }
        const target = host(dest);
        for (const src of srcs.reverse()) {
          const source = from ? fsOf.get(from).host(src) : path.join(root, src);
          const rel = p => path.relative(root, p).split(path.sep).join('/');
          // As Docker: a folder's contents go into the destination; a file goes into it when
          // it names a folder (a trailing slash, or several sources).
          let into = target;
          if (!fs.statSync(source).isDirectory() && (dest.endsWith('/') || srcs.length > 1)) {
            into = path.join(target, path.basename(source));
          }
          fs.mkdirSync(path.dirname(into), { recursive: true });
          fs.cpSync(source, into, {
            recursive: true,
            verbatimSymlinks: true,
            filter: p => from !== undefined || !ignored(rel(p)),
          });
        }
      } else if (keyword === 'RUN') {
        const command = rest.replace(/--mount=\S+\s+/g, '');
        const apt = command.match(/apt-get install\s+(?:-\S+\s+)*([^&]+)/);
        if (apt) {
          const packages = apt[1].trim().split(/\s+/).filter(p => !p.startsWith('-'));
          console.log(`    (Debian packages ${packages.join(', ')}: checked on this machine instead)`);
          execFileSync('dpkg', ['-s', ...packages], { stdio: 'ignore' });
          continue;
        }
        if (isBuild && /yarn install/.test(command)) {
          console.log(`    (${command.trim()}: the test command's install of this checkout)`);
          continue;
        }
        if (isBuild && !copiedSources) continue;
        run(inStage(command), isBuild ? root : host(state.workdir), state.env);
      }
    }
    state.host = host;
    fsOf.set(stage.name, state);
  }

  const image = fsOf.get(final.name);
  fs.renameSync(image.root, path.join(out, 'image'));
  for (const stage of needed) fs.rmSync(path.join(out, stage), { recursive: true, force: true });
  const description = {
    workdir: image.workdir,
    env: image.env,
    user: image.user,
    cmd: image.cmd,
    expose: image.expose,
  };
  fs.writeFileSync(path.join(out, 'image.json'), `${JSON.stringify(description, null, 2)}\n`);
  console.log(`==> ${path.join(out, 'image')}: ${JSON.stringify(description)}`);
  return description;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) assemble();
