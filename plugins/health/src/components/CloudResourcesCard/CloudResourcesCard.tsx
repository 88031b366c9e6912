import { Entity } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, List, ListItem, Typography } from '@material-ui/core';
import { ResourceRow } from '../../api';
import { HealthCardFrame, loadCard } from '../common/CardState';
import { HealthState } from '../common/HealthState';
import { Folding } from '../common/Reasons';

function secretText(row: ResourceRow) {
  const secret = row.connectionSecret;
  if (!secret) return undefined;
  if (secret.exists === undefined) return `secret ${secret.name} not checked`;
  return `secret ${secret.name} ${secret.exists ? 'present' : 'missing'}`;
}

const Resource = ({ row }: { row: ResourceRow }) => (
  <ListItem disableGutters divider style={{ display: 'block' }}>
    <Box display="flex" flexWrap="wrap" alignItems="center" style={{ gap: 12 }}>
      <Typography variant="subtitle2">
        {row.kind} {row.name}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {row.environment}
      </Typography>
      <HealthState state={row.verdict.state} />
      <Typography variant="body2">
        Ready {row.ready} · Synced {row.synced}
      </Typography>
      {secretText(row) && <Typography variant="body2">{secretText(row)}</Typography>}
    </Box>
    {row.messages
      .filter(m => m.status !== 'True')
      .map((m, i) => (
        <Box key={i} mt={0.5} style={{ overflowWrap: 'anywhere' }}>
          <Typography variant="body2">
            {m.type} {m.reason ? `(${m.reason})` : ''}
            {m.message ? (
              <>
                : <Folding text={m.message} />
              </>
            ) : null}
          </Typography>
          {m.explanation && (
            <Typography variant="caption" color="textSecondary" component="p">
              {m.explanation}
            </Typography>
          )}
        </Box>
      ))}
  </ListItem>
);

/**
 * The rows this entity stands for. A Resource from a golden path shares its component's
 * kubernetes-id, and its Crossplane object has the Resource's name, one per environment.
 */
function rowsOf(entity: Entity, rows: ResourceRow[]): ResourceRow[] {
  if (entity.kind.toLowerCase() !== 'resource') return rows;
  return rows.filter(row => row.name === entity.metadata.name);
}

/** Each Crossplane resource of the component, or of the Resource, its conditions explained. */
export const CloudResourcesCard = () => {
  const { entity } = useEntity();
  return (
    <HealthCardFrame title="Cloud resources" load={loadCard.resources}>
      {({ resources }) => {
        const rows = rowsOf(entity, resources);
        if (rows.length > 0) {
          return (
            <List dense aria-label="cloud resources">
              {rows.map((row, i) => (
                <Resource key={i} row={row} />
              ))}
            </List>
          );
        }
        return (
          <Typography variant="body2">
            {entity.kind.toLowerCase() === 'resource'
              ? `No cluster has a Crossplane resource named ${entity.metadata.name} yet.`
              : 'This component has no Crossplane resources.'}
          </Typography>
        );
      }}
    </HealthCardFrame>
  );
};
