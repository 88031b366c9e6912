import { Box, Typography, useTheme } from '@material-ui/core';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { MetricsRange } from '../../api';
import { Chart } from './chartData';

const PALETTE = ['#1e88e5', '#43a047', '#e53935', '#8e24aa', '#fb8c00', '#00897b', '#6d4c41'];

const CHART_HEIGHT = 180;

function timeFormatter(range: MetricsRange) {
  const format = new Intl.DateTimeFormat(
    undefined,
    range === '7d'
      ? { weekday: 'short', hour: '2-digit', minute: '2-digit' }
      : { hour: '2-digit', minute: '2-digit' },
  );
  return (time: number) => format.format(new Date(time));
}

const fullTime = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** One metric over time, one line per resource, with its own HTML legend that shows the latest values. */
export const MetricChart = (props: {
  chart: Chart;
  range: MetricsRange;
}) => {
  const { chart, range } = props;
  const theme = useTheme();
  const axisColour = theme.palette.text.secondary;
  const tick = { fill: axisColour, fontSize: 11 };

  return (
    <Box mb={2}>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <LineChart data={chart.rows} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke={theme.palette.divider} />
          <XAxis
            dataKey="time"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={timeFormatter(range)}
            tick={tick}
            stroke={axisColour}
            minTickGap={24}
            label={{ value: 'time', position: 'insideBottom', offset: -8, fill: axisColour, fontSize: 11 }}
          />
          <YAxis
            tick={tick}
            stroke={axisColour}
            width={56}
            label={{
              value: chart.unit,
              angle: -90,
              position: 'insideLeft',
              fill: axisColour,
              fontSize: 11,
              style: { textAnchor: 'middle' },
            }}
          />
          <Tooltip
            labelFormatter={time => fullTime.format(new Date(Number(time)))}
            formatter={(value, name) => [`${value} ${chart.unit}`, name]}
            contentStyle={{
              background: theme.palette.background.paper,
              borderColor: theme.palette.divider,
            }}
          />
          {chart.lines.map((line, i) => (
            <Line
              key={line.key}
              dataKey={line.key}
              name={line.label}
              type="monotone"
              stroke={PALETTE[i % PALETTE.length]}
              strokeWidth={2}
              dot={false}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <Box
        component="ul"
        aria-label={`legend (${chart.unit})`}
        display="flex"
        flexWrap="wrap"
        m={0}
        p={0}
        style={{ listStyle: 'none', gap: 16 }}
      >
        {chart.lines.map((line, i) => (
          <Box component="li" key={line.key} display="flex" alignItems="center">
            <Box
              component="span"
              width={12}
              height={3}
              mr={0.75}
              style={{ background: PALETTE[i % PALETTE.length] }}
            />
            <Typography variant="caption">
              {line.label}
              {line.latest !== undefined && (
                <Typography variant="caption" color="textSecondary" component="span">
                  {' '}
                  · latest {line.latest} {chart.unit}
                </Typography>
              )}
            </Typography>
          </Box>
        ))}
      </Box>
    </Box>
  );
};
