import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  Progress,
  WarningPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Typography } from '@material-ui/core';
import { ReactNode } from 'react';
import { AzureProblem, Freshness, NotConfiguredResponse } from '../../api';
import { NotConfigured, PortalNotConfigured } from './NotConfigured';
import { formatTimestamp, timeAgo } from './time';

/** What `useAsync` hands back, without tying the component to react-use's types. */
export type LoadState<T> = { loading: boolean; error?: Error; value?: T };

export type Configured<T> = Extract<T, { configured: true }>;

const WHAT_HAPPENED: Record<AzureProblem['status'], string> = {
  throttled: 'Azure is throttling requests',
  credentials: 'Azure credentials failed or expired',
  unavailable: 'Azure Monitor could not be reached',
};

/**
 * The headline of the warning: what went wrong, how old the data below is and, when
 * Azure said, when asking again can work.
 */
export function problemTitle(freshness: Freshness): string | undefined {
  const { problem } = freshness;
  if (!problem) return undefined;
  const parts = [WHAT_HAPPENED[problem.status]];
  parts.push(
    freshness.stale
      ? `showing data from ${formatTimestamp(freshness.generatedAt)} (${timeAgo(
          freshness.generatedAt,
        )})`
      : 'there is no earlier data to show',
  );
  if (problem.status === 'throttled' && problem.retryAfterSeconds !== undefined) {
    parts.push(`retry in ${problem.retryAfterSeconds} s`);
  }
  return parts.join('; ');
}

function problemHint(freshness: Freshness): string {
  const message = freshness.problem?.message ?? '';
  if (freshness.problem?.status === 'credentials') {
    return `${message}\nThe portal's Azure credentials need renewing or more permissions; ask the platform team.`;
  }
  return message;
}

/** True for errors that mean "you may not see this entity" or "it does not exist". */
function isNotVisible(error: Error) {
  const status = (error as { response?: { status?: number } }).response?.status;
  return status === 403 || status === 404;
}

/** The portal's Azure Monitor service failed: in words, never a bare HTTP status. */
function ServiceFailed({ error }: { error: Error }) {
  const said = (error as { body?: { error?: { message?: unknown } } }).body?.error
    ?.message;
  return (
    <Box role="alert">
      <Typography variant="subtitle1" component="p">
        The Azure Monitor service could not answer
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {typeof said === 'string' && said ? `It said: ${said}. ` : ''}Reload the page to try
        again; if it keeps failing, the portal's backend log names the cause.
      </Typography>
    </Box>
  );
}

/**
 * Renders the loading, error, permission-denied, not-configured and degraded states of
 * one backend answer, so each card only draws its data.
 */
export function AzureState<T extends { configured: boolean }>(props: {
  state: LoadState<T>;
  children: (data: Configured<T>) => ReactNode;
}) {
  const { entity } = useEntity();
  const { state } = props;

  if (state.loading) return <Progress />;
  if (state.error) {
    return isNotVisible(state.error) ? (
      <EmptyState
        missing="info"
        title="Nothing to show"
        description={`You may not read ${
          getCompoundEntityRef(entity).name
        } in the catalog, or the Azure Monitor service does not know it.`}
      />
    ) : (
      <ServiceFailed error={state.error} />
    );
  }
  if (!state.value) return null;
  if (!state.value.configured) {
    const missing = state.value as unknown as NotConfiguredResponse;
    return missing.missing === 'portal' ? (
      <PortalNotConfigured settings={missing.settings ?? []} />
    ) : (
      <NotConfigured />
    );
  }

  const data = state.value as Configured<T>;
  const freshness = data as unknown as Freshness;
  const title = problemTitle(freshness);
  return (
    <>
      {title && (
        <Box mb={2}>
          <WarningPanel
            severity={freshness.stale ? 'warning' : 'error'}
            title={title}
            message={problemHint(freshness)}
          />
        </Box>
      )}
      {/* Without a last good answer the data is an empty placeholder, not "nothing there". */}
      {(!freshness.problem || freshness.stale) && props.children(data)}
      {!freshness.problem && (
        <Box mt={1}>
          <Typography variant="caption" color="textSecondary">
            Read from Azure {timeAgo(freshness.generatedAt)}
          </Typography>
        </Box>
      )}
    </>
  );
}
