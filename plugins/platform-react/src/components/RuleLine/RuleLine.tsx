import { Box, Chip, Typography } from '@material-ui/core';
import { ReactNode } from 'react';

const STATUS_LABEL: Record<string, string> = {
  passed: 'Passes',
  failed: 'Breaks',
  exempted: 'Exempted',
  'not-checked': 'Not checked',
};

/**
 * A guardrail result at a glance, as the cluster would take it: a failure that denies
 * "Breaks", one that only warns "Warns", an exemption outlined.
 */
export function RuleStatusChip(props: { status: string; actions?: string[] }) {
  const denied = props.status === 'failed' && (props.actions ?? []).includes('Deny');
  const label = props.status === 'failed' && !denied ? 'Warns' : STATUS_LABEL[props.status] ?? props.status;
  return (
    <Chip
      size="small"
      label={label}
      color={denied ? 'secondary' : 'default'}
      variant={props.status === 'exempted' ? 'outlined' : 'default'}
    />
  );
}

/** One guardrail line of a list: its status, the rule's title and name, and what it says of which objects. */
export function RuleLine(props: {
  label: string;
  chip: ReactNode;
  title: string;
  rule: string;
  children: ReactNode;
}) {
  return (
    <Box component="li" aria-label={props.label} display="flex" alignItems="flex-start" py={0.5} style={{ gap: 8 }}>
      {props.chip}
      <Box>
        <Typography variant="body2">
          <strong>{props.title}</strong>{' '}
          <Typography variant="caption" color="textSecondary" component="code">
            {props.rule}
          </Typography>
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {props.children}
        </Typography>
      </Box>
    </Box>
  );
}
