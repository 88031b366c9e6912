import { Link, Table, TableColumn } from '@backstage/core-components';
import { EnvironmentRow } from '../../api';
import { HealthCardFrame, loadCard } from '../common/CardState';
import { HealthState } from '../common/HealthState';

const columns: TableColumn<EnvironmentRow>[] = [
  { title: 'Environment', field: 'environment' },
  { title: 'Cluster', field: 'cluster' },
  { title: 'Health', render: row => <HealthState state={row.verdict.state} /> },
  {
    title: 'ArgoCD',
    render: row =>
      row.application ? (
        <>
          {row.application.url ? (
            <Link to={row.application.url}>{row.application.syncStatus}</Link>
          ) : (
            row.application.syncStatus
          )}
          {' / '}
          {row.application.healthStatus}
        </>
      ) : (
        'no Application'
      ),
  },
  {
    title: 'Revision',
    render: row => {
      const revision = row.application?.revision?.slice(0, 7);
      if (!revision) return '';
      return row.application?.commitUrl ? (
        <Link to={row.application.commitUrl}>{revision}</Link>
      ) : (
        revision
      );
    },
  },
  { title: 'Image', render: row => row.imageTags.join(', ') },
  { title: 'Pods ready', render: row => `${row.pods.ready}/${row.pods.total}` },
  { title: 'Restarts', render: row => String(row.pods.restarts) },
];

/** One row per environment: where it runs, what ArgoCD says, what the pods say. */
export const EnvironmentsCard = () => (
  <HealthCardFrame title="Environments" load={loadCard.environments}>
    {({ environments }) => (
      <Table
        options={{ paging: false, search: false, toolbar: false, padding: 'dense' }}
        columns={columns}
        data={environments}
        emptyContent="No environment runs this component yet."
      />
    )}
  </HealthCardFrame>
);
