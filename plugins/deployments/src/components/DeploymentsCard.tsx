import { getCompoundEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { scaffolderApiRef } from '@backstage/plugin-scaffolder-react';
import { useSignal } from '@backstage/plugin-signals-react';
import type { DeploymentRow, PreviewRow, TimelineStage } from '@internal/plugin-gitops-common';
import { TIMELINE_STAGE_TITLES, timelineChannel } from '@internal/plugin-gitops-common';
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deploymentsApiRef } from '../api';

const AGREEMENT: Record<DeploymentRow['agreement'], string> = {
  synced: 'In sync',
  pending: 'Waiting for ArgoCD',
  'rolling-out': 'Rolling out',
  unknown: 'Unknown',
};

const STAGE_COLOR: Partial<Record<TimelineStage['status'], 'primary' | 'secondary'>> = {
  done: 'primary',
  failed: 'secondary',
};

/** After a stage's title: when it was done, that it failed, or that it is still to come. */
function stageSuffix(stage: TimelineStage): string {
  if (stage.status === 'done') return ` ${new Date(stage.at).toLocaleTimeString()}`;
  if (stage.status === 'failed') return ' failed';
  return '…';
}

const short = (sha?: string) => (sha && /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : sha ?? '');
const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '');

type Operation =
  | { kind: 'promote'; from: DeploymentRow; to: DeploymentRow }
  | { kind: 'rollback'; row: DeploymentRow };

/** The one line of the overlay that changes, as a diff. */
const Diff = ({ file, before, after }: { file: string; before: string; after: string }) => (
  <Box component="pre" aria-label="diff" p={1} style={{ fontSize: 12, background: 'rgba(127,127,127,0.12)', overflowX: 'auto' }}>
    {`${file}\n`}
    <span style={{ color: '#c62828' }}>{`-  ${before}\n`}</span>
    <span style={{ color: '#2e7d32' }}>{`+  ${after}`}</span>
  </Box>
);

function ConfirmDialog(props: {
  component: string;
  entityRef: string;
  operation: Operation;
  onClose: () => void;
}) {
  const { operation, component } = props;
  const scaffolder = useApi(scaffolderApiRef);
  const navigate = useNavigate();
  const [justification, setJustification] = useState('');
  const [version, setVersion] = useState(
    operation.kind === 'rollback' ? operation.row.git?.earlier[0]?.version ?? '' : '',
  );
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const target = operation.kind === 'promote' ? operation.to : operation.row;
  const before = target.git?.image ?? '';
  const after =
    operation.kind === 'promote'
      ? operation.from.git?.image ?? ''
      : target.git?.earlier.find(e => e.version === version)?.image ?? '';
  const sourceReady =
    operation.kind === 'rollback' ||
    (operation.from.agreement === 'synced' && operation.from.cluster?.healthStatus === 'Healthy');
  const file = `apps/${component}/overlays/${target.environment}/kustomization.yaml`;
  const title =
    operation.kind === 'promote'
      ? `Promote ${component} from ${operation.from.environment} to ${operation.to.environment}`
      : `Roll back ${component} in ${target.environment}`;

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { taskId } = await scaffolder.scaffold(
        operation.kind === 'promote'
          ? {
              templateRef: 'template:default/promote-service',
              values: {
                component: props.entityRef,
                from: operation.from.environment,
                ...(justification ? { justification } : {}),
              },
            }
          : {
              templateRef: 'template:default/rollback-service',
              values: {
                component: props.entityRef,
                environment: target.environment,
                version,
                ...(justification ? { justification } : {}),
              },
            },
      );
      navigate(`/create/tasks/${taskId}`);
    } catch (e: any) {
      setError(e?.message ?? String(e));
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={props.onClose} aria-labelledby="deployments-dialog-title" maxWidth="md" fullWidth>
      <DialogTitle id="deployments-dialog-title">{title}</DialogTitle>
      <DialogContent>
        {operation.kind === 'rollback' && (
          <TextField
            id="rollback-version"
            select
            label="Earlier image"
            value={version}
            onChange={e => setVersion(e.target.value)}
            fullWidth
            margin="dense"
          >
            {target.git?.earlier.map(e => (
              <MenuItem key={e.version} value={e.version}>
                {e.version} — {e.change.author}, {when(e.change.at)} ({short(e.change.sha)})
              </MenuItem>
            ))}
          </TextField>
        )}
        <Typography variant="body2" paragraph>
          {target.pullRequest
            ? `${target.environment} takes changes by review: this opens a pull request in the GitOps repository.`
            : `This commits to the GitOps repository in your name; ArgoCD in ${target.environment} then syncs it.`}
        </Typography>
        <Diff file={file} before={before} after={after} />
        {!sourceReady && operation.kind === 'promote' && (
          <>
            <Alert severity="warning">
              {operation.from.environment} is not Synced and Healthy at {operation.from.git?.version}:{' '}
              {operation.from.explanation} The promotion is refused unless you say why.
            </Alert>
            <TextField
              id="promotion-justification"
              label="Justification"
              helperText="At least 20 characters; recorded in the commit."
              value={justification}
              onChange={e => setJustification(e.target.value)}
              fullWidth
              margin="dense"
            />
          </>
        )}
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={run}
          disabled={busy || !after || before === after}
        >
          {operation.kind === 'promote' ? 'Promote' : 'Roll back'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}


/**
 * The latest changes of the component, each from its commit to healthy pods, updated as the
 * backend announces each move on the component's signal channel.
 */
function LastChanges(props: { lastSignal: unknown }) {
  const { entity } = useEntity();
  const api = useApi(deploymentsApiRef);
  const state = useAsyncRetry(
    async () => (api.getTimeline ? api.getTimeline(getCompoundEntityRef(entity)) : { timelines: [] }),
    [api, entity, props.lastSignal],
  );
  const timelines = state.value?.timelines ?? [];
  if (timelines.length === 0) return null;
  return (
    <Box mt={2} aria-label="last changes">
      <Typography variant="subtitle2">Last changes</Typography>
      {timelines.slice(0, 3).map(t => (
        <Box key={t.id} mt={1} aria-label={`change ${t.kind} ${t.environment}`}>
          <Typography variant="body2">
            <strong>
              {t.kind} {t.version ? `${t.version} ` : ''}to {t.environment}
            </strong>{' '}
            <Typography variant="caption" color="textSecondary" component="span">
              {t.waiting ?? 'done'}
            </Typography>
          </Typography>
          <Box display="flex" flexWrap="wrap" style={{ gap: 6 }} mt={0.5}>
            {t.stages
              .filter(s => s.status !== 'skipped')
              .map(s => (
                <Chip
                  key={s.stage}
                  size="small"
                  aria-label={`${s.stage} ${s.status}`}
                  variant={s.status === 'done' ? 'default' : 'outlined'}
                  color={STAGE_COLOR[s.status] ?? 'default'}
                  label={`${TIMELINE_STAGE_TITLES[s.stage]}${stageSuffix(s)}`}
                  title={s.detail}
                  {...(s.link ? { component: 'a', href: s.link, clickable: true } : {})}
                />
              ))}
          </Box>
        </Box>
      ))}
    </Box>
  );
}

/** The component's preview environments, with their expiry, to extend or delete. */
function PreviewsTable(props: { component: string; entityRef: string; previews: PreviewRow[] }) {
  const scaffolder = useApi(scaffolderApiRef);
  const navigate = useNavigate();
  const [deleting, setDeleting] = useState<PreviewRow>();
  const [error, setError] = useState<string>();
  const run = async (operation: 'extend' | 'delete', preview: PreviewRow) => {
    try {
      const { taskId } = await scaffolder.scaffold({
        templateRef: 'template:default/preview-environment',
        values: { component: props.entityRef, operation, preview: preview.preview },
      });
      navigate(`/create/tasks/${taskId}`);
    } catch (e: any) {
      setError(e?.message ?? String(e));
    }
  };
  return (
    <Box mt={2}>
      <Typography variant="subtitle2">Preview environments</Typography>
      {props.previews.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          None. Create one with the Preview environment template.
        </Typography>
      ) : (
        <Table size="small" aria-label="previews">
          <TableHead>
            <TableRow>
              <TableCell>Preview</TableCell>
              <TableCell>Image in Git</TableCell>
              <TableCell>Expires</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {props.previews.map(p => (
              <TableRow key={p.namespace} aria-label={p.namespace}>
                <TableCell>
                  <strong>{p.preview}</strong>
                  <Typography variant="caption" display="block" color="textSecondary">
                    {p.namespace} in {p.environment}
                  </Typography>
                </TableCell>
                <TableCell>
                  <Typography variant="body2" component="code">
                    {p.version ?? '—'}
                  </Typography>
                </TableCell>
                <TableCell>{when(p.expiresAt)}</TableCell>
                <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                  <Button size="small" color="primary" onClick={() => run('extend', p)}>
                    Extend
                  </Button>
                  <Button size="small" onClick={() => setDeleting(p)}>
                    Delete
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {error && <Alert severity="error">{error}</Alert>}
      {deleting && (
        <Dialog open onClose={() => setDeleting(undefined)} aria-labelledby="preview-delete-title">
          <DialogTitle id="preview-delete-title">Delete the preview {deleting.namespace}</DialogTitle>
          <DialogContent>
            <Typography variant="body2">
              One commit removes its Argo CD Application and overlay; Argo CD then deletes what
              it deployed, its namespace included.
            </Typography>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setDeleting(undefined)}>Cancel</Button>
            <Button color="secondary" variant="contained" onClick={() => run('delete', deleting)}>
              Delete
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </Box>
  );
}

/**
 * Each environment of the component: the image Git gives it and who changed it last, what ArgoCD
 * synced and when, and where the two disagree; with Promote and Roll back, as commits.
 */
export const DeploymentsCard = (_props: { variant?: "card" | "tab" }) => {
  const { entity } = useEntity();
  const api = useApi(deploymentsApiRef);
  const entityRef = stringifyEntityRef(entity);
  // Each move of a change's timeline: the rows and the timeline are read again, together.
  const { lastSignal } = useSignal(timelineChannel(entityRef));
  const state = useAsyncRetry(
    () => api.getDeployments(getCompoundEntityRef(entity)),
    [api, entity, lastSignal],
  );
  const [operation, setOperation] = useState<Operation>();

  if (state.loading && !state.value) {
    return (
      <InfoCard title="Deployments">
        <Progress />
      </InfoCard>
    );
  }
  if (state.error) {
    return (
      <InfoCard title="Deployments">
        <ResponseErrorPanel error={state.error} />
      </InfoCard>
    );
  }
  const { environments, component, clusterError } = state.value!;
  const byName = new Map(environments.map(r => [r.environment, r]));

  return (
    <InfoCard title="Deployments">
      {clusterError && (
        <Alert severity="warning" style={{ marginBottom: 8 }}>
          Only Git is shown: {clusterError}.
        </Alert>
      )}
      <Table size="small" aria-label="deployments">
        <TableHead>
          <TableRow>
            <TableCell style={{ whiteSpace: 'nowrap' }}>Environment</TableCell>
            <TableCell style={{ whiteSpace: 'nowrap' }}>Image in Git</TableCell>
            <TableCell style={{ whiteSpace: 'nowrap' }}>Last change</TableCell>
            <TableCell>ArgoCD</TableCell>
            <TableCell>State</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {environments.map(row => {
            const next = row.promotesTo ? byName.get(row.promotesTo) : undefined;
            return (
              <TableRow key={row.environment} aria-label={row.environment}>
                <TableCell>
                  <strong>{row.environment}</strong>
                  {row.pullRequest && (
                    <Typography variant="caption" display="block" color="textSecondary">
                      by pull request
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  <Typography variant="body2" component="code">
                    {row.git?.version ?? '—'}
                  </Typography>
                </TableCell>
                <TableCell>
                  {row.git?.lastChange ? (
                    <>
                      <Link to={row.git.lastChange.url ?? ''}>{short(row.git.lastChange.sha)}</Link>{' '}
                      {row.git.lastChange.author}
                      <Typography variant="caption" display="block" color="textSecondary">
                        {when(row.git.lastChange.at)}
                      </Typography>
                    </>
                  ) : (
                    '—'
                  )}
                </TableCell>
                <TableCell>
                  {row.cluster ? (
                    <>
                      {row.cluster.syncStatus}, {row.cluster.healthStatus}
                      <Typography variant="caption" display="block" color="textSecondary">
                        {short(row.cluster.revision)} {when(row.cluster.syncedAt)}
                      </Typography>
                    </>
                  ) : (
                    '—'
                  )}
                </TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    label={AGREEMENT[row.agreement]}
                    color={row.agreement === 'synced' ? 'primary' : 'default'}
                    variant={row.agreement === 'synced' ? 'default' : 'outlined'}
                  />
                  <Typography variant="caption" display="block" color="textSecondary" aria-label="explanation">
                    {row.explanation}
                  </Typography>
                </TableCell>
                <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                  {next && row.git && (
                    <Button
                      size="small"
                      color="primary"
                      disabled={!next.git || next.git.image === row.git.image}
                      onClick={() => setOperation({ kind: 'promote', from: row, to: next })}
                    >
                      Promote to {next.environment}
                    </Button>
                  )}
                  {row.git && row.git.earlier.length > 0 && (
                    <Button size="small" onClick={() => setOperation({ kind: 'rollback', row })}>
                      Roll back
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <LastChanges lastSignal={lastSignal} />
      <PreviewsTable
        component={component}
        entityRef={entityRef}
        previews={state.value!.previews ?? []}
      />
      {operation && (
        <ConfirmDialog
          component={component}
          entityRef={entityRef}
          operation={operation}
          onClose={() => setOperation(undefined)}
        />
      )}
    </InfoCard>
  );
};
