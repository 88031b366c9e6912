import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  MissingAnnotationEmptyState,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type {
  NotConfigured,
  SourceFailure,
} from '@internal/plugin-health-common';
import { Box, Button, Typography } from '@material-ui/core';
import { ReactNode, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { HealthApi, healthApiRef } from '../../api';

export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';

/** The cards apply to entities the golden paths deploy: those with a kubernetes-id. */
export const isHealthAvailable = (entity: Entity) =>
  Boolean(entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION]);

/**
 * Loads one card's data and renders its loading, error, empty, partial and
 * permission-denied states, so each card only draws its content.
 */
export function HealthCardFrame<
  T extends { failures: SourceFailure[]; notConfigured?: NotConfigured },
>(props: {
  title: string;
  load: (api: HealthApi, entity: Entity) => Promise<T>;
  children: (data: T) => ReactNode;
}) {
  const { entity } = useEntity();
  const api = useApi(healthApiRef);
  const available = isHealthAvailable(entity);
  const [signedIn, setSignedIn] = useState(0);
  const state = useAsync(
    async () => (available ? props.load(api, entity) : undefined),
    [api, entity, available, signedIn],
  );
  const signIn = async () => {
    await api.signInToAks?.();
    setSignedIn(n => n + 1);
  };

  let body: ReactNode;
  if (!available) {
    body = <MissingAnnotationEmptyState annotation={KUBERNETES_ID_ANNOTATION} />;
  } else if (state.loading) {
    body = <Progress />;
  } else if (state.error) {
    const status = (state.error as any).response?.status;
    body =
      status === 403 || status === 404 ? (
        <EmptyState
          missing="info"
          title="Nothing to show"
          description={`You may not read ${getCompoundEntityRef(entity).name} in the catalog, or the health service does not know it.`}
        />
      ) : (
        <ResponseErrorPanel error={state.error} />
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
      </>
    );
  }
  return <InfoCard title={props.title}>{body}</InfoCard>;
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
