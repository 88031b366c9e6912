import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ServiceFailed } from '@internal/plugin-platform-react';
import { Typography } from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { guardrailsApiRef } from '../../api';
import { distinctRules, Findings, ScanLine } from '../common/Findings';

/** The rules this component's manifests in the GitOps repository break or are exempted from. */
export const GuardrailsCard = () => {
  const { entity } = useEntity();
  const api = useApi(guardrailsApiRef);
  const state = useAsyncRetry(
    () => api.getEntityGuardrails(getCompoundEntityRef(entity)),
    [api, entity],
  );
  const deepLink = { title: 'All guardrails', link: '/guardrails' };
  if (state.loading && !state.value) {
    return (
      <InfoCard title="Guardrails">
        <Progress />
      </InfoCard>
    );
  }
  if (state.error) {
    return (
      <InfoCard title="Guardrails">
        <ServiceFailed service="guardrails service" error={state.error} retry={state.retry} />
      </InfoCard>
    );
  }
  const { scan, component } = state.value!;
  const broken = distinctRules(component?.findings ?? [], 'failed');
  const exempted = distinctRules(component?.findings ?? [], 'exempted');
  return (
    <InfoCard title="Guardrails" deepLink={deepLink}>
      {!component && (
        <Typography variant="body2" paragraph>
          The GitOps repository has no overlays for this component, so no rule applies yet.
        </Typography>
      )}
      {component && (
        <>
          <Typography variant="body1" paragraph aria-label="guardrails summary">
            {broken > 0
              ? `${broken} ${broken === 1 ? 'rule is' : 'rules are'} broken in ${component.environments.join(', ')}.`
              : `Every rule passes in ${component.environments.join(', ')}.`}
            {exempted > 0 && ` ${exempted} ${exempted === 1 ? 'rule is' : 'rules are'} exempted.`}
            {component.counts['not-checked'] > 0 &&
              ` ${component.counts['not-checked']} not checked before commit.`}
          </Typography>
          <Findings findings={component.findings} />
        </>
      )}
      <ScanLine scan={scan} />
      <Typography variant="caption" color="textSecondary">
        What each rule asks for: <Link to="/guardrails">the Guardrails page</Link>.
      </Typography>
    </InfoCard>
  );
};
