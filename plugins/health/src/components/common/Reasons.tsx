import {
  groupReasons,
  reasonText,
  type Reason,
} from '@internal/plugin-health-common';
import { Box, Button, List, ListItem, ListItemText, Typography } from '@material-ui/core';
import { useState } from 'react';
import { HealthState } from './HealthState';

const WRAP = { whiteSpace: 'normal', overflowWrap: 'anywhere' } as const;

/** Longer messages show their start and fold out whole: an ArgoCD sync error can be a page. */
const FOLD_AT = 180;
/** Reasons shown per group before "Show n more". */
const TOP_REASONS = 3;

/** A message that folds out whole on demand. */
export const Folding = ({ text }: { text: string }) => {
  const [open, setOpen] = useState(false);
  if (text.length <= FOLD_AT) return <span>{text}</span>;
  return (
    <>
      <span>{open ? text : `${text.slice(0, FOLD_AT).trimEnd()}…`}</span>{' '}
      <Button
        size="small"
        color="primary"
        style={{ padding: 0, minWidth: 0, textTransform: 'none', verticalAlign: 'baseline' }}
        onClick={() => setOpen(o => !o)}
        aria-expanded={open}
      >
        {open ? 'Show less' : 'Show all'}
      </Button>
    </>
  );
};

const ReasonItem = ({ reason }: { reason: Reason }) => (
  <ListItem disableGutters>
    <ListItemText
      style={{ overflowWrap: 'anywhere' }}
      // The whole reason wraps: its useful half is often the end of a long message.
      primaryTypographyProps={{ style: WRAP, component: 'div' }}
      secondaryTypographyProps={{ style: WRAP }}
      primary={
        <>
          <HealthState state={reason.state} /> <strong>{reason.source}</strong>:{' '}
          <Folding text={reasonText(reason)} />
        </>
      }
      secondary={reason.hint}
    />
  </ListItem>
);

const Group = (props: { title: string; state: Reason['state']; reasons: Reason[] }) => {
  const [all, setAll] = useState(false);
  // An environment where all is well takes one line; what is wrong elsewhere comes first.
  const top = props.state === 'Healthy' ? 0 : TOP_REASONS;
  const shown = all ? props.reasons : props.reasons.slice(0, top);
  const hidden = props.reasons.length - shown.length;
  return (
    <Box mt={1} role="group" aria-label={props.title}>
      <Typography variant="subtitle2" component="h3">
        {props.title} <HealthState state={props.state} />
      </Typography>
      <List dense aria-label="reasons" disablePadding>
        {shown.map((reason, i) => (
          <ReasonItem key={i} reason={reason} />
        ))}
      </List>
      {hidden > 0 && (
        <Button size="small" color="primary" onClick={() => setAll(true)}>
          {shown.length === 0
            ? `Show ${hidden === 1 ? 'the healthy check' : `all ${hidden} healthy checks`}`
            : `Show ${hidden} more`}
        </Button>
      )}
    </Box>
  );
};

/** Reasons grouped by environment (in promotion order), then by source, worst first. */
export const GroupedReasons = (props: { reasons: Reason[]; order: string[] }) => {
  const groups = groupReasons(props.reasons, props.order);
  if (groups.length === 0) {
    return <Typography variant="body2">No reasons reported.</Typography>;
  }
  return (
    <>
      {groups.map(group => (
        <Group key={group.title} {...group} />
      ))}
    </>
  );
};
