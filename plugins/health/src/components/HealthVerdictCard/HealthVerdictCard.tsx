import { Box, List, ListItem, ListItemText, Typography } from '@material-ui/core';
import { HealthCardFrame, loadCard } from '../common/CardState';
import { HealthState } from '../common/HealthState';

const WRAP = { whiteSpace: 'normal', overflowWrap: 'anywhere' } as const;

/** One verdict for the component across environments and sources, with the reasons. */
export const HealthVerdictCard = () => (
  <HealthCardFrame title="Health" load={loadCard.verdict}>
    {({ verdict }) => (
      <>
        <Box display="flex" alignItems="center" mb={1}>
          <Typography variant="h5" component="p" aria-label="verdict">
            <HealthState state={verdict.state} />
          </Typography>
          {verdict.partial && (
            <Box ml={2}>
              <Typography variant="body2" color="textSecondary">
                (partial)
              </Typography>
            </Box>
          )}
        </Box>
        {verdict.reasons.length === 0 ? (
          <Typography variant="body2">No reasons reported.</Typography>
        ) : (
          <List dense aria-label="reasons">
            {verdict.reasons.map((reason, i) => (
              <ListItem key={i} disableGutters>
                <ListItemText
                  style={{ overflowWrap: 'anywhere' }}
                  // The whole reason wraps: its useful half is often the end of a long message.
                  primaryTypographyProps={{ style: WRAP }}
                  secondaryTypographyProps={{ style: WRAP }}
                  primary={
                    <>
                      <HealthState state={reason.state} /> {reason.source}: {reason.message}
                    </>
                  }
                  secondary={reason.hint}
                />
              </ListItem>
            ))}
          </List>
        )}
      </>
    )}
  </HealthCardFrame>
);
