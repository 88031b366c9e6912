import { CodeSnippet, EmptyState } from '@backstage/core-components';
import { Box, Typography } from '@material-ui/core';
import {
  AZURE_RESOURCE_GROUP_ANNOTATION,
  AZURE_RESOURCE_ID_ANNOTATION,
  AZURE_TAG_SELECTOR_ANNOTATION,
} from '../../annotations';

const EXAMPLE = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders-api
  annotations:
    # Any one of these is enough; use the one that fits how the resources are organised.
    ${AZURE_RESOURCE_ID_ANNOTATION}: /subscriptions/<subscription-id>/resourceGroups/orders-rg/providers/Microsoft.Web/sites/orders-api
    ${AZURE_RESOURCE_GROUP_ANNOTATION}: <subscription-id>/orders-rg
    ${AZURE_TAG_SELECTOR_ANNOTATION}: backstage.io/kubernetes-id=orders-api
`;

/** Explains the three ways to tell the portal where a component's Azure resources are. */
export const NotConfigured = () => (
  <EmptyState
    missing="field"
    title="No Azure resources are linked to this component"
    description={
      <>
        <Typography variant="body1" component="span">
          Add one of these annotations to the component's catalog-info.yaml:
        </Typography>
        <Box component="ul" mt={1} mb={0}>
          <li>
            <code>{AZURE_RESOURCE_ID_ANNOTATION}</code>: one or more full Azure
            resource ids, comma-separated
          </li>
          <li>
            <code>{AZURE_RESOURCE_GROUP_ANNOTATION}</code>: every resource of a
            resource group, as <code>&lt;subscriptionId&gt;/&lt;resourceGroup&gt;</code>
          </li>
          <li>
            <code>{AZURE_TAG_SELECTOR_ANNOTATION}</code>: resources carrying an
            Azure tag, as <code>key=value</code>
          </li>
        </Box>
      </>
    }
    action={
      <CodeSnippet language="yaml" text={EXAMPLE} showCopyCodeButton />
    }
  />
);

/** The portal has no Azure settings: no annotation would help, a platform engineer must set them. */
export const PortalNotConfigured = (props: { settings: string[] }) => (
  <Box>
    <Typography variant="subtitle1" component="p">
      Azure Monitor is not set up for this portal yet
    </Typography>
    <Typography variant="body2" color="textSecondary">
      A platform engineer sets{' '}
      {props.settings.map((setting, i) => (
        <span key={setting}>
          {i > 0 && ' and '}
          <code>{setting}</code>
        </span>
      ))}{' '}
      in app-config (or runs the portal with workload identity); docs/observability.md in the
      portal's repository says how. Then this card shows the component's metrics and alerts.
    </Typography>
  </Box>
);
