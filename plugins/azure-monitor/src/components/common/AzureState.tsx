import { Progress, WarningPanel } from '@backstage/core-components';
import { ServiceFailed } from '@internal/plugin-platform-react';
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
function problemTitle(freshness: Freshness): string | undefined {
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

/**
 * Renders the loading, error, permission-denied, not-configured and degraded states of
 * one backend answer, so each card only draws its data.
 */
export function AzureState<T extends { configured: boolean }>(props: {
  state: LoadState<T>;
  /** Asks the backend again, from the error's "Try again". */
  retry: () => void;
  children: (data: Configured<T>) => ReactNode;
}) {
  const { state } = props;

  if (state.loading) return <Progress />;
  if (state.error) {
    return (
      <ServiceFailed
        service="Azure Monitor service"
        error={state.error}
        retry={props.retry}
      />
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
