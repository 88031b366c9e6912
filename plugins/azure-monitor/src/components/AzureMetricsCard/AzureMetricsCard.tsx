import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Box,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { isAzureMonitorAvailable } from '../../annotations';
import {
  azureMonitorApiRef,
  AzureResource,
  METRICS_RANGES,
  MetricsRange,
  ResourcesResponse,
} from '../../api';
import { AzureState, LoadState } from '../common/AzureState';
import { NotConfigured } from '../common/NotConfigured';
import { toSections } from './chartData';
import { MetricChart } from './MetricChart';

const RANGE_LABELS: Record<MetricsRange, string> = {
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
};

const RangeSelect = (props: {
  value: MetricsRange;
  onChange: (range: MetricsRange) => void;
}) => (
  <FormControl size="small" style={{ minWidth: 150 }}>
    <InputLabel id="azure-monitor-range-label">Time range</InputLabel>
    <Select
      labelId="azure-monitor-range-label"
      id="azure-monitor-range"
      value={props.value}
      onChange={e => props.onChange(e.target.value as MetricsRange)}
    >
      {METRICS_RANGES.map(range => (
        <MenuItem key={range} value={range}>
          {RANGE_LABELS[range]}
        </MenuItem>
      ))}
    </Select>
  </FormControl>
);

const ResourceList = ({ resources }: { resources: AzureResource[] }) =>
  resources.length === 0 ? (
    <Typography variant="body2">
      The annotations match no Azure resources.
    </Typography>
  ) : (
    <Box
      component="ul"
      aria-label="Azure resources"
      display="flex"
      flexWrap="wrap"
      m={0}
      p={0}
      style={{ listStyle: 'none', gap: '4px 24px' }}
    >
      {resources.map(resource => (
        <li key={resource.id}>
          <Link to={resource.portalUrl} title="Open in the Azure portal">
            {resource.name}
          </Link>{' '}
          <Typography variant="caption" color="textSecondary">
            {resource.type}
            {resource.location ? ` · ${resource.location}` : ''}
          </Typography>
        </li>
      ))}
    </Box>
  );

/**
 * The resources line above the charts. Its problems are the metrics' problems too, so
 * the warning is left to the metrics below rather than shown twice.
 */
const Resources = ({ state }: { state: LoadState<ResourcesResponse> }) => {
  if (state.loading || !state.value?.configured) return null;
  return (
    <Box mb={2}>
      <ResourceList resources={state.value.resources} />
    </Box>
  );
};

/** Requests, failures, response time, CPU and memory of the component's Azure resources. */
export const AzureMetricsCard = () => {
  const { entity } = useEntity();
  const api = useApi(azureMonitorApiRef);
  const [range, setRange] = useState<MetricsRange>('1h');
  const available = isAzureMonitorAvailable(entity);

  const resources = useAsyncRetry(
    async () =>
      available ? api.getResources(getCompoundEntityRef(entity)) : undefined,
    [api, entity, available],
  );
  const metrics = useAsyncRetry(
    async () =>
      available
        ? api.getMetrics(getCompoundEntityRef(entity), range)
        : undefined,
    [api, entity, available, range],
  );
  // One "Try again" asks for whichever of the two failed.
  const retry = () => {
    if (resources.error) resources.retry();
    if (metrics.error) metrics.retry();
  };

  let body;
  if (!available) {
    body = <NotConfigured />;
  } else if (resources.loading && metrics.loading) {
    body = <Progress />;
  } else if (resources.error && !metrics.value) {
    // One error panel for the card: the metrics would fail the same way.
    body = <AzureState state={resources} retry={retry}>{() => null}</AzureState>;
  } else {
    body = (
      <>
        <Resources state={resources} />
        <AzureState state={metrics} retry={retry}>
          {({ series }) => {
            const sections = toSections(series);
            if (sections.length === 0) {
              return (
                <Typography variant="body2">
                  Azure Monitor has no request, failure, response time, CPU or
                  memory metrics for these resources.
                </Typography>
              );
            }
            return sections.map(section => (
              <Box component="section" key={section.kind} aria-label={section.title} mb={1}>
                <Typography variant="subtitle1" component="h3">
                  {section.title}
                </Typography>
                {section.charts.map(chart => (
                  <MetricChart key={chart.unit} chart={chart} range={range} />
                ))}
              </Box>
            ));
          }}
        </AzureState>
      </>
    );
  }

  return (
    <InfoCard
      title="Azure Monitor metrics"
      action={
        available ? (
          <Box mt={1} mr={1}>
            <RangeSelect value={range} onChange={setRange} />
          </Box>
        ) : undefined
      }
    >
      {body}
    </InfoCard>
  );
};
