import podCrashing from './__fixtures__/pod-crashing.json';
import podMissingConfigMap from './__fixtures__/pod-missing-cm.json';
import k9sPo from './__fixtures__/k9s-po.json';
import k9sP1 from './__fixtures__/k9s-p1.json';
import { podsVerdict, prunePod, STARTUP_GRACE_MS, summarizePods } from './pods';

const NOW = new Date('2025-01-01T12:00:00Z');

function copy<T>(value: T): any {
  return JSON.parse(JSON.stringify(value));
}

/** A healthy fixture pod turned into one whose only container waits or runs unready. */
function unreadyPod(
  state: object,
  overrides: { phase?: string; scheduled?: object } = {},
) {
  const pod = copy(k9sPo);
  pod.status.phase = overrides.phase ?? 'Running';
  pod.status.conditions = pod.status.conditions.map((c: any) => {
    if (c.type === 'Ready' || c.type === 'ContainersReady') {
      return { ...c, status: 'False', reason: 'ContainersNotReady' };
    }
    if (c.type === 'PodScheduled' && overrides.scheduled) {
      return { ...c, ...overrides.scheduled };
    }
    return c;
  });
  pod.status.containerStatuses[0].ready = false;
  pod.status.containerStatuses[0].state = state;
  pod.status.startTime = '2024-12-01T00:00:00Z';
  return pod;
}

const minutesAgo = (m: number) =>
  new Date(NOW.getTime() - m * 60 * 1000).toISOString();

describe('summarizePods', () => {
  it('summarizes the real crash-looping pod', () => {
    expect(summarizePods([podCrashing], NOW)).toEqual({
      total: 1,
      ready: 0,
      restarts: 161,
      waitingReasons: { CrashLoopBackOff: 1 },
      waitingMessages: {
        CrashLoopBackOff: expect.stringContaining('back-off 5m0s'),
      },
      pending: 0,
      crashLooping: 1,
      unknown: 0,
      terminating: 0,
      images: ['nginx:1.14.2'],
      // The fixture's sidecar last exited with code 1: the cause of its back-off.
      lastTerminations: {
        CrashLoopBackOff: { container: 'other-side-car', reason: 'Error', exitCode: 1 },
      },
      waitingImages: { CrashLoopBackOff: 'nginx:1.14.2' },
    });
  });

  it('counts ready pods and their images', () => {
    const summary = summarizePods([k9sPo, k9sP1], NOW);
    expect(summary.total).toBe(2);
    expect(summary.ready).toBe(2);
    expect(summary.restarts).toBe(0);
    expect(summary.images).toEqual([
      'k8s.gcr.io/nginx-slim:0.8',
      'nginx:alpine',
    ]);
  });

  it('treats a Pending pod with a missing ConfigMap as failing, not as starting', () => {
    const summary = summarizePods([podMissingConfigMap], NOW);
    expect(summary.crashLooping).toBe(1);
    expect(summary.pending).toBe(0);
    expect(summary.waitingMessages.CreateContainerConfigError).toBe(
      'configmap "some-cm" not found',
    );
  });

  it('leaves out terminating and finished pods', () => {
    const terminating = copy(podCrashing);
    terminating.metadata.deletionTimestamp = '2025-01-01T11:59:00Z';
    const evicted = copy(podCrashing);
    evicted.status.phase = 'Failed';
    const completed = copy(k9sPo);
    completed.status.phase = 'Succeeded';
    const summary = summarizePods(
      [k9sPo, terminating, evicted, completed],
      NOW,
    );
    expect(summary.total).toBe(1);
    expect(summary.ready).toBe(1);
    expect(summary.terminating).toBe(1);
  });

  it('never throws on malformed pods and counts them as unknown', () => {
    const summary = summarizePods(
      [
        null,
        42,
        'pod',
        {},
        { status: 'weird' },
        { status: { phase: 7, conditions: 'nope' } },
        {
          status: {
            phase: 'Running',
            conditions: [null, 3],
            containerStatuses: 'x',
          },
        },
      ],
      NOW,
    );
    expect(summary.total).toBe(4);
    expect(summary.unknown).toBe(3);
    expect(summary.ready).toBe(0);
    expect(summarizePods(null as any, NOW).total).toBe(0);
  });
});

describe('podsVerdict', () => {
  const verdictOf = (pods: unknown[], desired?: number) =>
    podsVerdict(summarizePods(pods, NOW), desired);

  it('is Healthy when every pod is ready', () => {
    const verdict = verdictOf([k9sPo, k9sP1], 2);
    expect(verdict.state).toBe('Healthy');
    expect(verdict.reasons).toEqual([
      {
        state: 'Healthy',
        source: 'Kubernetes pods',
        message: '2 of 2 pods ready',
      },
    ]);
  });

  it('is Down when no pod is ready and one is crash-looping', () => {
    const verdict = verdictOf([podCrashing]);
    expect(verdict.state).toBe('Down');
    expect(verdict.reasons[0].message).toBe(
      '0 of 1 pods ready; 1 in CrashLoopBackOff; 161 restarts',
    );
    expect(verdict.reasons[0].hint).toBe(
      'Container other-side-car last ended with exit code 1 (Error). Its logs from that run say why (kubectl logs --previous -c other-side-car): often a missing setting or a database it cannot reach.',
    );
  });

  it('names a container killed for running out of memory and says to raise the limit', () => {
    const pod = copy(podCrashing);
    pod.status.containerStatuses[1].lastState.terminated = {
      ...pod.status.containerStatuses[1].lastState.terminated,
      reason: 'OOMKilled',
      exitCode: 137,
    };
    const verdict = verdictOf([pod]);
    expect(verdict.state).toBe('Down');
    expect(verdict.reasons[0].hint).toBe(
      'Container other-side-car was killed for running out of memory (OOMKilled). Raise its memory limit (resources.limits.memory, or a larger size in the golden path), or find what holds the memory.',
    );
    expect(summarizePods([prunePod(pod)], NOW)).toEqual(summarizePods([pod], NOW));
  });

  it('names the image that fails to pull, and tells a missing tag from a refused pull', () => {
    const pulling = (message: string) => {
      const pod = unreadyPod({ waiting: { reason: 'ErrImagePull', message } }, { phase: 'Pending' });
      pod.status.containerStatuses[0].image = 'contoso.azurecr.io/payments-api:9.9.9';
      return pod;
    };
    const missing = verdictOf([
      pulling(
        'rpc error: code = NotFound desc = failed to pull and unpack image "contoso.azurecr.io/payments-api:9.9.9": failed to resolve reference "contoso.azurecr.io/payments-api:9.9.9": contoso.azurecr.io/payments-api:9.9.9: not found',
      ),
    ]);
    expect(missing.reasons[0].hint).toMatch(
      /^The image contoso\.azurecr\.io\/payments-api:9\.9\.9 is not in the registry: check the tag in the GitOps repository, and that CI pushed it\./,
    );
    const refused = verdictOf([
      pulling(
        'failed to pull and unpack image "contoso.azurecr.io/payments-api:9.9.9": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized',
      ),
    ]);
    expect(refused.reasons[0].hint).toMatch(
      /^The image contoso\.azurecr\.io\/payments-api:9\.9\.9 exists but the cluster may not pull it: give the cluster's kubelet identity AcrPull/,
    );
    // A back-off message names the image too; without one, the container's image is used.
    const backOff = verdictOf([pulling('Back-off pulling image "contoso.azurecr.io/payments-api:9.9.9"')]);
    expect(backOff.reasons[0].hint).toContain('The image contoso.azurecr.io/payments-api:9.9.9 cannot be pulled');
    const silent = unreadyPod({ waiting: { reason: 'ImagePullBackOff' } }, { phase: 'Pending' });
    expect(verdictOf([silent]).reasons[0].hint).toContain(`The image ${silent.status.containerStatuses[0].image} cannot be pulled`);
  });

  it('is Degraded when some pods are ready and one is crash-looping', () => {
    const verdict = verdictOf([k9sPo, k9sP1, podCrashing], 3);
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons[0].message).toBe(
      '2 of 3 pods ready; 1 in CrashLoopBackOff; 161 restarts',
    );
  });

  it('is Down for a missing ConfigMap and quotes Kubernetes', () => {
    const verdict = verdictOf([podMissingConfigMap]);
    expect(verdict.state).toBe('Down');
    expect(verdict.reasons[0].message).toBe(
      '0 of 1 pods ready; 1 in CreateContainerConfigError',
    );
    expect(verdict.reasons[0].hint).toContain(
      'Kubernetes says: configmap "some-cm" not found',
    );
  });

  it.each(['ImagePullBackOff', 'ErrImagePull'])(
    'is Degraded when one of two pods is in %s',
    reason => {
      const pulling = unreadyPod({
        waiting: { reason, message: 'Back-off pulling image "acr.io/app:v9"' },
      });
      const verdict = verdictOf([k9sPo, pulling]);
      expect(verdict.state).toBe('Degraded');
      expect(verdict.reasons[0].message).toContain(`1 in ${reason}`);
      expect(verdict.reasons[0].hint).toContain('AcrPull');
    },
  );

  it('is Down when a pod cannot be scheduled', () => {
    const pod = unreadyPod(
      {},
      {
        phase: 'Pending',
        scheduled: {
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient cpu.',
        },
      },
    );
    const verdict = verdictOf([pod]);
    expect(verdict.state).toBe('Down');
    expect(verdict.reasons[0].hint).toContain('Insufficient cpu');
  });

  it('is Progressing while a pod is Pending or ContainerCreating', () => {
    const pending = unreadyPod({}, { phase: 'Pending' });
    const creating = unreadyPod({ waiting: { reason: 'ContainerCreating' } });
    expect(verdictOf([k9sPo, pending]).state).toBe('Progressing');
    const verdict = verdictOf([k9sPo, creating]);
    expect(verdict.state).toBe('Progressing');
    expect(verdict.reasons[0].message).toBe(
      '1 of 2 pods ready; 1 in ContainerCreating',
    );
  });

  it('is Progressing for a pod started within the grace period, Degraded after it', () => {
    const recent = unreadyPod({ running: { startedAt: minutesAgo(1) } });
    expect(verdictOf([k9sPo, recent]).state).toBe('Progressing');

    const old = unreadyPod({
      running: { startedAt: minutesAgo(STARTUP_GRACE_MS / 60000 + 1) },
    });
    const verdict = verdictOf([k9sPo, old]);
    expect(verdict.state).toBe('Degraded');
    expect(verdict.reasons[0].hint).toContain('readiness probe');
    expect(verdictOf([old]).state).toBe('Down');
  });

  it('is Progressing while scaling up', () => {
    const verdict = verdictOf([k9sPo, k9sP1], 3);
    expect(verdict.state).toBe('Progressing');
    expect(verdict.reasons[0].message).toBe('2 of 2 pods ready (3 desired)');
  });

  it('is Down when replicas are desired but no pod exists', () => {
    const verdict = verdictOf([], 3);
    expect(verdict.state).toBe('Down');
    expect(verdict.reasons[0].message).toBe('No pods running; 3 desired');
  });

  it.each([[undefined], [0], [Number.NaN], ['3' as any]])(
    'is Unknown when there are no pods and desired replicas is %p',
    desired => {
      const verdict = verdictOf([], desired);
      expect(verdict.state).toBe('Unknown');
      expect(verdict.reasons[0].message).toBe(
        'No pods found for this component',
      );
    },
  );

  it('is Unknown when no pod has a readable status', () => {
    const verdict = verdictOf([
      {},
      { status: 'weird' },
      { status: { phase: 1 } },
    ]);
    expect(verdict.state).toBe('Unknown');
    expect(verdict.reasons[0].message).toBe(
      'Kubernetes has not reported a status for the pods',
    );
  });

  it('judges by the readable pods and mentions the others', () => {
    const verdict = verdictOf([k9sPo, { status: 'weird' }]);
    expect(verdict.state).toBe('Healthy');
    expect(verdict.reasons[0].message).toBe(
      '1 of 2 pods ready; 1 without a status',
    );
  });
});

describe('prunePod', () => {
  it('keeps everything summarizePods reads', () => {
    const terminating = copy(k9sPo);
    terminating.metadata.deletionTimestamp = minutesAgo(1);
    const pods = [
      podCrashing,
      podMissingConfigMap,
      k9sPo,
      k9sP1,
      terminating,
      unreadyPod({ waiting: { reason: 'ContainerCreating' } }),
      unreadyPod(
        { waiting: { reason: 'ImagePullBackOff', message: 'not found' } },
        { phase: 'Pending' },
      ),
      unreadyPod({ running: { startedAt: minutesAgo(1) } }),
      { ...copy(k9sPo), status: 'Running' },
      { metadata: { name: 'bare' } },
      null,
      'pod',
    ];

    const pruned = pods.map(prunePod);

    expect(summarizePods(pruned, NOW)).toEqual(summarizePods(pods, NOW));
    for (const pod of pods) {
      expect(summarizePods([prunePod(pod)], NOW)).toEqual(
        summarizePods([pod], NOW),
      );
    }
    // What is left out is most of a real pod.
    expect(JSON.stringify(prunePod(podCrashing)).length).toBeLessThan(
      JSON.stringify(podCrashing).length / 2,
    );
  });
});
