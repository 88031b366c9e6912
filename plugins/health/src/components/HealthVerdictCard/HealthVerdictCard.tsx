import { Box, Typography } from '@material-ui/core';
import { HealthCardFrame, loadCard } from '../common/CardState';
import { HealthState } from '../common/HealthState';
import { GroupedReasons } from '../common/Reasons';

/**
 * The summary a developer opens the component for: one verdict across environments and
 * sources, each environment's state, and the reasons grouped by where they were seen.
 */
export const HealthVerdictCard = () => (
  <HealthCardFrame title="Health" load={loadCard.verdict}>
    {({ verdict, environments }) => (
      <>
        <Box display="flex" alignItems="center" flexWrap="wrap" mb={1} style={{ gap: 16 }}>
          <Typography variant="h5" component="p" aria-label="verdict">
            <HealthState state={verdict.state} />
          </Typography>
          {verdict.partial && (
            <Typography variant="body2" color="textSecondary">
              (partial)
            </Typography>
          )}
        </Box>
        {environments.length > 0 && (
          <Box
            display="flex"
            flexWrap="wrap"
            component="ul"
            aria-label="environments"
            style={{ gap: 24, listStyle: 'none', padding: 0, margin: '0 0 8px' }}
          >
            {environments.map(env => (
              <li key={`${env.environment}/${env.cluster}`}>
                <Typography variant="body2" component="span">
                  <strong>{env.environment}</strong>{' '}
                </Typography>
                <HealthState state={env.state} />
                <Typography variant="caption" color="textSecondary" display="block">
                  {env.cluster}
                </Typography>
              </li>
            ))}
          </Box>
        )}
        <GroupedReasons
          reasons={verdict.reasons}
          order={environments.map(e => e.environment)}
        />
      </>
    )}
  </HealthCardFrame>
);
