import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Box,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { isAzureMonitorAvailable } from '../../annotations';
import { AlertSeverity, azureMonitorApiRef, AzureAlert } from '../../api';
import { AzureState } from '../common/AzureState';
import { NotConfigured } from '../common/NotConfigured';
import { severityRank, SeverityChip } from '../common/SeverityChip';
import { timeAgo } from '../common/time';

/** The last segment of an ARM id is the resource's name; anything else is shown whole. */
export function resourceName(targetResource: string): string {
  const segments = targetResource.split('/').filter(Boolean);
  return segments[segments.length - 1] ?? targetResource;
}

/** Most severe first; within a severity, the most recently fired first. */
function sortAlerts(alerts: AzureAlert[]): AzureAlert[] {
  return [...alerts].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      (Date.parse(b.firedAt ?? '') || 0) - (Date.parse(a.firedAt ?? '') || 0),
  );
}

const Summary = ({ alerts }: { alerts: AzureAlert[] }) => {
  const counts = new Map<AlertSeverity, number>();
  for (const alert of alerts) {
    counts.set(alert.severity, (counts.get(alert.severity) ?? 0) + 1);
  }
  const severities = [...counts.keys()].sort(
    (a, b) => severityRank(a) - severityRank(b),
  );
  return (
    <Box
      display="flex"
      flexWrap="wrap"
      alignItems="center"
      style={{ gap: 8 }}
      aria-label="alerts by severity"
    >
      <Typography variant="subtitle2">
        {alerts.length} active {alerts.length === 1 ? 'alert' : 'alerts'}
      </Typography>
      {severities.map(severity => (
        <SeverityChip
          key={severity}
          severity={severity}
          count={counts.get(severity)}
        />
      ))}
    </Box>
  );
};

const AlertRow = ({ alert }: { alert: AzureAlert }) => (
  <ListItem disableGutters divider>
    <Box mr={2} minWidth={48}>
      <SeverityChip severity={alert.severity} />
    </Box>
    <ListItemText
      style={{ overflowWrap: 'anywhere' }}
      primary={
        <Link to={alert.portalUrl} title="Open in the Azure portal">
          {alert.name}
        </Link>
      }
      secondary={[
        resourceName(alert.targetResource),
        alert.state,
        alert.firedAt ? `fired ${timeAgo(alert.firedAt)}` : undefined,
      ]
        .filter(Boolean)
        .join(' · ')}
    />
  </ListItem>
);

/** The component's firing Azure Monitor alerts, most severe first, each linked to the portal. */
export const AzureAlertsCard = () => {
  const { entity } = useEntity();
  const api = useApi(azureMonitorApiRef);
  const available = isAzureMonitorAvailable(entity);
  const state = useAsyncRetry(
    async () =>
      available ? api.getAlerts(getCompoundEntityRef(entity)) : undefined,
    [api, entity, available],
  );

  return (
    <InfoCard title="Azure alerts">
      {!available ? (
        <NotConfigured />
      ) : (
        <AzureState state={state} retry={state.retry}>
          {({ alerts }) =>
            alerts.length === 0 ? (
              <Typography variant="body2">No alerts are firing.</Typography>
            ) : (
              <>
                <Summary alerts={alerts} />
                <List dense aria-label="active alerts">
                  {sortAlerts(alerts).map(alert => (
                    <AlertRow key={alert.id} alert={alert} />
                  ))}
                </List>
              </>
            )
          }
        </AzureState>
      )}
    </InfoCard>
  );
};
