import { EmptyState } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Box, Button, Typography } from '@material-ui/core';

// What @backstage/errors writes in place of a message when the answer was not a Backstage
// error body (a proxy's HTML page, say): only the status and the raw text.
const NO_MESSAGE = /^Request failed with status \d+/;

/** What the service said, when it said something a person can read. */
function serviceMessage(error: Error): string | undefined {
  const said = (error as { body?: { error?: { message?: unknown } } }).body?.error
    ?.message;
  if (typeof said === 'string' && said && !NO_MESSAGE.test(said)) return said;
  // An HTTP answer without a readable message would only show its status; a failed fetch
  // (no answer at all) says why in its own message.
  return (error as { response?: unknown }).response ? undefined : error.message;
}

/**
 * An entity card's call to one of the portal's own backends failed. Said in words, with what
 * the service said and what to do, and a way to ask again; never a bare HTTP status. An entity
 * the user may not read is answered as missing, so that case says nothing about it.
 */
export function ServiceFailed(props: {
  /** As the sentence names it: "health service", "Azure Monitor service". */
  service: string;
  error: Error;
  retry: () => void;
}) {
  const { entity } = useEntity();
  const status = (props.error as { response?: { status?: number } }).response
    ?.status;
  if (status === 403 || status === 404) {
    return (
      <EmptyState
        missing="info"
        title="Nothing to show"
        description={`You may not read ${entity.metadata.name} in the catalog, or the ${props.service} does not know it.`}
      />
    );
  }
  const detail = serviceMessage(props.error);
  return (
    <Box role="alert">
      <Typography variant="subtitle1" component="p">
        The {props.service} could not answer
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {detail ? `It said: ${detail}. ` : ''}Try again; if it keeps failing, the
        portal's backend log names the cause.
      </Typography>
      <Box mt={1}>
        <Button variant="outlined" size="small" onClick={props.retry}>
          Try again
        </Button>
      </Box>
    </Box>
  );
}
