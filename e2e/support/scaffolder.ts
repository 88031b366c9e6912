import { guestToken, waitFor } from './backend';

export const BASE_URL = 'http://localhost:7007';

/** A call as the guest; `baseUrl` picks the replica. */
export async function api(pathname: string, init: RequestInit = {}, baseUrl = BASE_URL) {
  const token = await guestToken(baseUrl);
  return fetch(`${baseUrl}${pathname}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      ...(init.headers ?? {}),
    },
  });
}

export type Task = { id: string; status: string; output?: any; events: any[] };

/** Starts a task as a user would, through POST /api/scaffolder/v2/tasks; returns its id. */
export async function startTask(template: string, values: object, baseUrl = BASE_URL): Promise<string> {
  const res = await api(
    '/api/scaffolder/v2/tasks',
    { method: 'POST', body: JSON.stringify({ templateRef: `template:default/${template}`, values }) },
    baseUrl,
  );
  if (res.status !== 201) {
    throw new Error(`task not created: ${res.status} ${await res.text()}`);
  }
  return (await res.json()).id;
}

export async function taskEvents(id: string, baseUrl = BASE_URL): Promise<any[]> {
  return (await api(`/api/scaffolder/v2/tasks/${id}/events`, {}, baseUrl)).json();
}

/** Waits for task `id` to end, and gives it with its events. */
export async function waitForTask(id: string, timeoutMs = 60_000, baseUrl = BASE_URL): Promise<Task> {
  const task = await waitFor(
    `task ${id}`,
    async () => {
      const t = await (await api(`/api/scaffolder/v2/tasks/${id}`, {}, baseUrl)).json();
      return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : undefined;
    },
    timeoutMs,
  );
  return { ...task, events: await taskEvents(id, baseUrl) };
}

/** nodejs-service's form, as the guest (of storefront-team) fills it. */
export const serviceValues = (name: string, description: string, database: boolean) => ({
  name,
  description,
  owner: 'group:default/storefront-team',
  size: 'small',
  port: 8080,
  environments: ['dev', 'staging', 'prod'],
  database,
});

/** Starts a task as a user would and waits for it to end. */
export async function runTemplate(template: string, values: object): Promise<Task> {
  return waitForTask(await startTask(template, values));
}

export function taskLog(task: Task): string {
  return task.events
    .filter(e => e.type === 'log')
    .map(e => e.body.message)
    .join('\n');
}

// Clones are the fakes' helper, as the actions' tests use it.
export { cloneRepo } from '@internal/test-fakes/git';

export async function entity(ref: string) {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  const res = await api(`/api/catalog/entities/by-name/${kind}/${namespace}/${name}`);
  return res.ok ? res.json() : undefined;
}
