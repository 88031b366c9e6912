import { expect, test } from '@playwright/test';
import { ManifestAssembler, ManifestFile } from '@internal/plugin-guardrails-common';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { BASE_URL, cloneRepo, runTemplate, serviceValues, startTask, taskLog, waitForTask } from './support/scaffolder';

const GITOPS = `${BASE_URL}/api/git-host/gitops.git`;
const BUSY = 'e2e-busy-api';

const service = (name: string) => serviceValues(name, 'Made by the contention test', false);

/** Every YAML file of a clone, as the assembler reads rendered files. */
function yamlFiles(dir: string): ManifestFile[] {
  const files: ManifestFile[] = [];
  const walk = (at: string) => {
    for (const item of fs.readdirSync(at, { withFileTypes: true })) {
      if (item.name === '.git') continue;
      const full = path.join(at, item.name);
      if (item.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(item.name)) {
        const documents = parseAllDocuments(fs.readFileSync(full, 'utf8'))
          .map(d => d.toJS())
          .filter(d => d && typeof d === 'object');
        files.push({ path: path.relative(dir, full), documents });
      }
    }
  };
  walk(dir);
  return files;
}

// 20 requests at once against the one GitOps repository, through the real scaffolder API and
// the real Git host: 10 new services, and 10 databases for one service, each of which changes
// the same kustomizations of that service's overlays.
test('20 golden paths at once against one GitOps repository all land, one commit each, and every overlay still builds', async () => {
  test.setTimeout(240_000);
  const busy = await runTemplate('nodejs-service', service(BUSY));
  expect(busy.status, taskLog(busy)).toBe('completed');

  const requests: Array<[string, object]> = [
    ...Array.from({ length: 10 }, (_, i): [string, object] => ['nodejs-service', service(`e2e-burst-${i}`)]),
    ...Array.from({ length: 10 }, (_, i): [string, object] => [
      'postgres-database',
      { component: `component:default/${BUSY}`, name: `e2e-busy-db-${i}`, size: 'small' },
    ]),
  ];
  const ids = await Promise.all(requests.map(([template, values]) => startTask(template, values)));
  const tasks = await Promise.all(ids.map(id => waitForTask(id, 200_000)));
  for (const task of tasks) expect(task.status, taskLog(task)).toBe('completed');
  // None had to retry: one backend applies them one after another.
  for (const task of tasks) expect(taskLog(task)).not.toMatch(/lost a race/);

  const gitops = await cloneRepo(GITOPS);
  try {
    // Each request is one commit on the branch, with its own task trailer.
    for (const id of ids) {
      const commits = gitops.log.filter(c => c.commit.message.split('\n').includes(`Task: ${id}`));
      expect(commits, `commits of task ${id}`).toHaveLength(1);
    }
    // A straight line: every commit has one parent.
    expect(gitops.log.every(c => c.commit.parent.length <= 1)).toBe(true);

    // What kustomize build gives for every overlay of the repository, none failing.
    const files = yamlFiles(gitops.dir);
    const assembler = new ManifestAssembler(files);
    const overlays = files
      .map(f => f.path)
      .filter(p => /^apps\/[^/]+\/overlays\/[^/]+\/kustomization\.yaml$/.test(p))
      .map(p => path.dirname(p));
    for (let i = 0; i < 10; i++) {
      for (const env of ['dev', 'staging', 'prod']) expect(overlays).toContain(`apps/e2e-burst-${i}/overlays/${env}`);
    }
    for (const overlay of overlays) {
      const objects = assembler.build(overlay);
      const ids = objects.map(o => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      // kustomize refuses two resources with one id.
      expect(new Set(ids).size, `${overlay}: ${ids.join(', ')}`).toBe(ids.length);
    }
    for (const env of ['dev', 'staging', 'prod']) {
      const databases = assembler
        .build(`apps/${BUSY}/overlays/${env}`)
        .filter(o => o.kind === 'Database')
        .map(o => o.metadata.name);
      for (let i = 0; i < 10; i++) expect(databases.some(n => n.includes(`e2e-busy-db-${i}`)), `${env}: ${databases}`).toBe(true);
    }
  } finally {
    await gitops.cleanup();
  }
});
