import { Link, Table, TableColumn } from '@backstage/core-components';
import { Box, Typography } from '@material-ui/core';
import { EnvironmentRow } from '../../api';
import { HealthCardFrame, loadCard } from '../common/CardState';
import { HealthState } from '../common/HealthState';

const columns: TableColumn<EnvironmentRow>[] = [
  {
    title: 'Environment',
    render: row => (
      <>
        {row.environment}
        <Typography variant="caption" color="textSecondary" display="block">
          {row.cluster}
        </Typography>
      </>
    ),
  },
  { title: 'Health', render: row => <HealthState state={row.verdict.state} /> },
  {
    title: 'ArgoCD',
    render: row => {
      if (!row.application) return 'no Application';
      const revision = row.application.revision?.slice(0, 7);
      return (
        <>
          {row.application.url ? (
            <Link to={row.application.url}>{row.application.syncStatus}</Link>
          ) : (
            row.application.syncStatus
          )}
          {' / '}
          {row.application.healthStatus}
          {revision && (
            <Typography variant="caption" color="textSecondary" display="block">
              at{' '}
              {row.application.commitUrl ? (
                <Link to={row.application.commitUrl}>{revision}</Link>
              ) : (
                revision
              )}
            </Typography>
          )}
        </>
      );
    },
  },
  { title: 'Image', render: row => row.imageTags.join(', ') },
  {
    title: 'Pods',
    render: row => (
      <>
        {`${row.pods.ready}/${row.pods.total}`} ready
        <Typography variant="caption" color="textSecondary" display="block">
          {row.pods.restarts} restarts
        </Typography>
      </>
    ),
  },
];

/** One row per environment: where it runs, what ArgoCD says, what the pods say. */
export const EnvironmentsCard = () => (
  <HealthCardFrame title="Environments" load={loadCard.environments}>
    {({ environments }) => (
      // A narrow card scrolls the table sideways, with a visible scrollbar, rather than
      // hiding the last columns past its edge.
      <Box style={{ overflowX: 'auto' }} data-testid="environments-scroll">
        <Table
          options={{ paging: false, search: false, toolbar: false, padding: 'dense' }}
          columns={columns}
          data={environments}
          emptyContent="No environment runs this component yet."
        />
      </Box>
    )}
  </HealthCardFrame>
);
