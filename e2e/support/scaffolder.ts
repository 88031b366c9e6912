import { guestToken, waitFor } from './backend';

export const BASE_URL = 'http://localhost:7007';

export async function api(pathname: string, init: RequestInit = {}) {
  const token = await guestToken(BASE_URL);
  return fetch(`${BASE_URL}${pathname}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      ...(init.headers ?? {}),
    },
  });
}

export type Task = { id: string; status: string; output?: any; events: any[] };

/** Starts a task as a user would through POST /api/scaffolder/v2/tasks and waits for it to end. */
export async function runTemplate(template: string, values: object): Promise<Task> {
  const res = await api('/api/scaffolder/v2/tasks', {
    method: 'POST',
    body: JSON.stringify({ templateRef: `template:default/${template}`, values }),
  });
  if (res.status !== 201) {
    throw new Error(`task not created: ${res.status} ${await res.text()}`);
  }
  const { id } = await res.json();
  const task = await waitFor(
    `task ${id}`,
    async () => {
      const t = await (await api(`/api/scaffolder/v2/tasks/${id}`)).json();
      return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : undefined;
    },
    60_000,
  );
  const events = await (await api(`/api/scaffolder/v2/tasks/${id}/events`)).json();
  return { ...task, events };
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
