import { expect, test } from '@playwright/test';
import fs from 'fs';
import path from 'path';
import { startHttpProxy } from '@internal/test-fakes';
import { BackendProcess, waitFor } from './support/backend';
import { startReplica } from './support/replica';
import {
  BASE_URL,
  cloneRepo,
  entity,
  runTemplate,
  serviceValues,
  startTask,
  taskEvents,
  taskLog,
  waitForTask,
} from './support/scaffolder';

// A golden path's backend killed with SIGKILL after each step in turn, on PostgreSQL. The task
// runs on replica K (a task is claimed by the replica it was created through); K is killed
// once the step has finished, and the surviving replica A (the backend Playwright started)
// or the restarted K takes it up from its last completed step. Then the GitOps repository,
// the service repository and the catalog must hold what one clean run gives, and a re-run
// with the same values must change nothing.
const K_PORT = 7027;
const K_URL = `http://localhost:${K_PORT}`;
const GITOPS = `${BASE_URL}/api/git-host/gitops.git`;
const repoOf = (name: string) => `${BASE_URL}/api/git-host/contoso/${name}.git`;
// nodejs-service's steps, each killed after in turn, so that the kill lands inside the next:
// the last inside the GitOps commit. After that commit only gitops:catalog:wait is left, which
// reads the catalog and, since the component is registered before the commit, finds it at
// once: the task ends before a kill could land there.
const STEPS = ['check', 'fetch', 'publish', 'register'];
const CLEAN = 'crash-clean';

const values = (name: string) =>
  serviceValues(name, 'Made by the crash test', true);

test.describe.configure({ mode: 'serial' });

let k: Promise<BackendProcess> | undefined;
let proxy: Awaited<ReturnType<typeof startHttpProxy>> | undefined;

// K pushes to the GitOps repository through a proxy that holds each push request 1.5 s: the steps
// after register (the GitOps commit, then the catalog wait) take well under a second, less
// than the test needs to see register finish and kill K, so the kill would land after the
// task's end. The manifests still name the repository itself (argocdRepoUrl).
const startK = () =>
  startReplica(K_PORT, {
    APP_CONFIG_gitops_repoUrl: `${proxy!.url}/api/git-host/gitops.git`,
    APP_CONFIG_gitops_argocdRepoUrl: GITOPS,
  });

test.beforeAll(async () => {
  test.skip(
    !process.env.E2E_POSTGRES_PREFIX,
    'skipped: needs PostgreSQL, where the tasks outlive the process',
  );
  const push = /\/gitops\.git\/(info\/refs\?service=git-receive-pack|git-receive-pack)/;
  proxy = await startHttpProxy({
    target: BASE_URL,
    holdMs: req => (push.test(req.url ?? '') ? 1500 : 0),
  });
  k = startK();
});
test.afterAll(async () => {
  (await k?.catch(() => undefined))?.stop();
  await proxy?.close();
});

/** Every file of a clone but .git, with `name` written as the clean run's name. */
async function tree(
  url: string,
  name: string,
  only?: (file: string) => boolean,
) {
  const clone = await cloneRepo(url);
  const upper = (n: string) => n.toUpperCase().replaceAll('-', '_');
  const as = (text: string) =>
    text.replaceAll(name, CLEAN).replaceAll(upper(name), upper(CLEAN));
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, item.name);
      const rel = path.relative(clone.dir, full);
      if (rel === '.git') continue;
      if (item.isDirectory()) walk(full);
      else if (!only || only(rel))
        files[as(rel)] = as(fs.readFileSync(full, 'utf8'));
    }
  };
  walk(clone.dir);
  const log = clone.log;
  await clone.cleanup();
  return { files, log };
}

const ofService = (name: string) => (file: string) =>
  file.includes(`/${name}`) || file.startsWith(`apps/${name}/`);

let clean: { gitops: Record<string, string>; repo: Record<string, string> };

test('a clean run, to compare with', async () => {
  const task = await runTemplate('nodejs-service', values(CLEAN));
  expect(task.status, taskLog(task)).toBe('completed');
  clean = {
    gitops: (await tree(GITOPS, CLEAN, ofService(CLEAN))).files,
    repo: (await tree(repoOf(CLEAN), CLEAN)).files,
  };
  expect(Object.keys(clean.gitops).length).toBeGreaterThan(10);
});

for (const [index, step] of STEPS.entries()) {
  test(`killed after step ${step}: the task ends within a minute and a re-run converges`, async () => {
    test.setTimeout(300_000);
    const name = `crash-after-${step}`;
    const replica = await k!;
    const id = await startTask('nodejs-service', values(name), K_URL);

    await waitFor(
      `step ${step} to finish on K`,
      async () => {
        const events = await taskEvents(id, K_URL);
        return events.some(
          e => e.body?.stepId === step && e.body?.status === 'completed',
        )
          ? true
          : undefined;
      },
      60_000,
    );
    replica.stop();
    const killedAt = Date.now();
    await replica.exited;
    // The next test's K starts now; this one's task is A's (or the new K's) to take up.
    k = index + 1 < STEPS.length ? startK() : undefined;

    const task = await waitForTask(id, 60_000);
    const tookMs = Date.now() - killedAt;
    console.log(
      `killed after ${step}: the task ended ${task.status} ${Math.round(
        tookMs / 1000,
      )} s after the kill`,
    );
    expect(task.status, taskLog(task)).toBe('completed');
    expect(tookMs).toBeLessThan(60_000);
    // It was interrupted and taken up after the kill, not earlier or never.
    const recovered = task.events.filter(e => e.type === 'recovered');
    expect(recovered).toHaveLength(1);
    expect(Date.parse(recovered[0].createdAt)).toBeGreaterThan(killedAt - 1000);
    expect(taskLog(task)).toMatch(
      /Task recovered - resuming from last known good state/,
    );
    for (const done of STEPS.slice(0, index + 1)) {
      expect(taskLog(task)).toContain(
        `Skipping step ${done} because it was already completed`,
      );
    }

    // One GitOps commit for the task, and the files of a clean run.
    const gitops = await tree(GITOPS, name, ofService(name));
    expect(
      gitops.log.filter(c => c.commit.message.includes(`Task: ${id}`)),
    ).toHaveLength(1);
    expect(
      gitops.log.filter(c =>
        c.commit.message.includes(`Entity: component:default/${name}`),
      ),
    ).toHaveLength(1);
    expect(gitops.files).toEqual(clean.gitops);
    const repo = await tree(repoOf(name), name);
    expect(repo.log).toHaveLength(1);
    expect(repo.log[0].commit.author.name).toBe('Guest');
    expect(repo.files).toEqual(clean.repo);
    expect(
      (await entity(`component:default/${name}`))?.metadata.description,
    ).toBe('Made by the crash test');

    // The same request again changes nothing.
    const heads = { gitops: gitops.log[0].oid, repo: repo.log[0].oid };
    const again = await runTemplate('nodejs-service', values(name));
    expect(again.status, taskLog(again)).toBe('completed');
    expect((await cloneRepo(GITOPS)).log[0].oid).toBe(heads.gitops);
    expect((await cloneRepo(repoOf(name))).log[0].oid).toBe(heads.repo);
  });
}
