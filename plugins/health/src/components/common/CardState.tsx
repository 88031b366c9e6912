import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  MissingAnnotationEmptyState,
  Progress,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type {
  NotConfigured,
  SourceFailure,
} from '@internal/plugin-health-common';
import { Box, Button, Typography } from '@material-ui/core';
import { ReactNode, useEffect, useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { HealthApi, healthApiRef } from '../../api';

import { KUBERNETES_ID_ANNOTATION } from '@internal/plugin-platform-common';
import { ServiceFailed } from '@internal/plugin-platform-react';

export { KUBERNETES_ID_ANNOTATION };

/** The cards apply to entities the golden paths deploy: those with a kubernetes-id. */
const isHealthAvailable = (entity: Entity) =>
  Boolean(entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION]);

const isKind = (entity: Entity, kind: string) =>
  entity.kind.toLowerCase() === kind;

/**
 * Pods and ArgoCD Applications run for components. A Resource from a golden path carries its
 * component's kubernetes-id, so these cards would show the component's pods as its own.
 */
export const isWorkloadHealthAvailable = (entity: Entity) =>
  isKind(entity, 'component') && isHealthAvailable(entity);

/**
 * Crossplane resources: all of a component's, or the one a golden path's Resource stands for
 * (found under its component's kubernetes-id, by its name).
 */
export const isCloudResourcesAvailable = (entity: Entity) =>
  (isKind(entity, 'component') || isKind(entity, 'resource')) &&
  isHealthAvailable(entity);

/** A stale answer is asked for again this often, this many times. */
const STALE_RETRY_MS = 3000;
const STALE_RETRIES = 5;

/**
 * Loads one card's data and renders its loading, error, empty, partial and
 * permission-denied states, so each card only draws its content.
 */
export function HealthCardFrame<
  T extends {
    failures: SourceFailure[];
    notConfigured?: NotConfigured;
    generatedAt: string;
    stale?: boolean;
  },
>(props: {
  title: string;
  load: (api: HealthApi, entity: Entity) => Promise<T>;
  children: (data: T) => ReactNode;
}) {
  const { entity } = useEntity();
  const api = useApi(healthApiRef);
  const available = isHealthAvailable(entity);
  const [attempt, setAttempt] = useState(0);
  const loaded = useAsync(
    async () => (available ? props.load(api, entity) : undefined),
    [api, entity, available, attempt],
  );
  // While a stale answer is shown, ask again shortly: the backend is reading afresh. The
  // answer on screen stays until the next one arrives.
  const shown = useRef<T | undefined>(undefined);
  if (loaded.value) shown.current = loaded.value;
  const state =
    loaded.loading && shown.current
      ? { loading: false, error: undefined, value: shown.current }
      : loaded;
  const stale = !loaded.loading && loaded.value?.stale;
  useEffect(() => {
    if (!stale || attempt >= STALE_RETRIES) return undefined;
    const timer = setTimeout(() => setAttempt(n => n + 1), STALE_RETRY_MS);
    return () => clearTimeout(timer);
  }, [stale, attempt]);
  const signIn = async () => {
    await api.signInToAks?.();
    setAttempt(n => n + 1);
  };

  let body: ReactNode;
  if (!available) {
    body = <MissingAnnotationEmptyState annotation={KUBERNETES_ID_ANNOTATION} />;
  } else if (state.loading) {
    body = <Progress />;
  } else if (state.error) {
    body = (
      <ServiceFailed
        service="health service"
        error={state.error}
        retry={() => setAttempt(n => n + 1)}
      />
    );
  } else if (state.value?.notConfigured) {
    body = <PortalNotConfigured {...state.value.notConfigured} />;
  } else if (state.value) {
    const { failures } = state.value;
    const needSignIn = failures.filter(f => f.signIn === 'aks');
    body = (
      <>
        {needSignIn.length > 0 && api.signInToAks && (
          <Box mb={1}>
            <Button variant="outlined" color="primary" onClick={signIn}>
              Sign in with Microsoft to see{' '}
              {needSignIn.map(f => f.source.replace(/^Kubernetes cluster /, '')).join(', ')}
            </Button>
          </Box>
        )}
        {failures.length > 0 && (
          <WarningPanel
            title={`Partial result: ${failures.map(f => f.source).join(', ')} could not be read`}
            message={failures.map(f => `${f.source}: ${f.message}`).join('\n')}
          />
        )}
        {props.children(state.value)}
        <Age generatedAt={state.value.generatedAt} stale={state.value.stale} />
      </>
    );
  }
  return <InfoCard title={props.title}>{body}</InfoCard>;
}

/** How old the answer is; served stale, it says a fresh read is under way. */
function Age(props: { generatedAt: string; stale?: boolean }) {
  const seconds = Math.max(
    0,
    Math.round((Date.now() - Date.parse(props.generatedAt)) / 1000),
  );
  if (!Number.isFinite(seconds)) return null;
  let age = `${Math.round(seconds / 3600)} h`;
  if (seconds < 60) age = `${seconds} s`;
  else if (seconds < 3600) age = `${Math.round(seconds / 60)} min`;
  return (
    <Typography variant="caption" color="textSecondary" component="p" data-testid="health-age">
      {props.stale
        ? `Read ${age} ago; a fresh read is under way.`
        : `Read ${age} ago.`}
    </Typography>
  );
}

/**
 * The portal lacks a setting this card needs: say which, and where it is written down.
 * Kept small: on a fresh portal every observability card shows it at once.
 */
export function PortalNotConfigured(props: NotConfigured) {
  return (
    <Box>
      <Typography variant="subtitle1" component="p">
        Not set up for this portal yet
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {props.message} A platform engineer sets{' '}
        {props.settings.map((setting, i) => (
          <span key={setting}>
            {i > 0 && ', '}
            <code>{setting}</code>
          </span>
        ))}{' '}
        in app-config; {props.docs} in the portal's repository says how.
      </Typography>
    </Box>
  );
}

export const loadCard = {
  verdict: (api: HealthApi, entity: Entity) =>
    api.getVerdict(getCompoundEntityRef(entity)),
  environments: (api: HealthApi, entity: Entity) =>
    api.getEnvironments(getCompoundEntityRef(entity)),
  resources: (api: HealthApi, entity: Entity) =>
    api.getResources(getCompoundEntityRef(entity)),
};
