import {
  Content,
  ContentHeader,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  GuardrailsReport,
  RuleReport,
} from '@internal/plugin-guardrails-common';
import {
  Box,
  Grid,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { guardrailsApiRef } from '../../api';
import { distinctRules, Findings, ScanLine } from '../common/Findings';

const percent = (rate: number | null) =>
  rate === null ? '—' : `${Math.round(rate * 1000) / 10}%`;

const enforcement = (rule: RuleReport) =>
  rule.actions.includes('Deny') ? 'Deny' : rule.actions.join(', ');

const nowrap = { whiteSpace: 'nowrap' } as const;

const RulesTable = ({ rules }: { rules: RuleReport[] }) => (
  <Table size="small" aria-label="rules">
    <TableHead>
      <TableRow>
        <TableCell>Rule</TableCell>
        <TableCell style={nowrap}>Environments</TableCell>
        <TableCell style={nowrap}>Enforcement</TableCell>
        <TableCell style={nowrap}>Exemption</TableCell>
        <TableCell align="right">Components breaking it</TableCell>
        <TableCell align="right">Components exempted</TableCell>
        <TableCell align="right" style={nowrap}>
          Exemption rate
        </TableCell>
      </TableRow>
    </TableHead>
    <TableBody>
      {rules.map(rule => (
        <TableRow key={rule.rule} aria-label={rule.rule}>
          <TableCell>
            <Typography variant="body2">
              <strong>{rule.title}</strong>
            </Typography>
            <Typography variant="body2" color="textSecondary">
              {rule.message}
            </Typography>
            <Typography variant="caption" color="textSecondary" component="code">
              {rule.rule}
            </Typography>
          </TableCell>
          <TableCell>
            {rule.environments === 'all' ? 'all' : rule.environments.join(', ')}
          </TableCell>
          <TableCell>{enforcement(rule)}</TableCell>
          <TableCell style={nowrap}>{rule.exemptable ? 'with a justification' : 'none'}</TableCell>
          <TableCell align="right">{rule.failingComponents}</TableCell>
          <TableCell align="right">{rule.exemptedComponents}</TableCell>
          <TableCell align="right" aria-label="exemption rate">
            {percent(rule.exemptionRate)}
          </TableCell>
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

const ComponentsTable = ({ report }: { report: GuardrailsReport }) => {
  const shown = report.components.filter(c => c.findings.length > 0);
  const clean = report.components.length - shown.length;
  return (
    <>
      <Typography variant="body2" paragraph>
        {report.components.length === 0
          ? 'The GitOps repository has no service you can see yet.'
          : `${shown.length} of ${report.components.length} components break or are exempted from a rule; ${clean} pass every rule.`}
      </Typography>
      {shown.length > 0 && (
        <Table size="small" aria-label="components">
          <TableHead>
            <TableRow>
              <TableCell style={{ minWidth: 180 }}>Component</TableCell>
              <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                Rules broken
              </TableCell>
              <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                Rules exempted
              </TableCell>
              <TableCell>Findings</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {shown.map(c => (
              <TableRow key={c.entityRef} aria-label={c.entityRef}>
                <TableCell style={{ verticalAlign: 'top' }}>
                  <EntityRefLink entityRef={c.entityRef} />
                  <Typography variant="caption" color="textSecondary" display="block">
                    {c.environments.join(', ')}
                  </Typography>
                </TableCell>
                <TableCell align="right" style={{ verticalAlign: 'top' }}>
                  {distinctRules(c.findings, 'failed')}
                </TableCell>
                <TableCell align="right" style={{ verticalAlign: 'top' }}>
                  {distinctRules(c.findings, 'exempted')}
                </TableCell>
                <TableCell>
                  <Findings findings={c.findings} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
};

/**
 * Every guardrail of platform/policies with its exemption rate, and the components whose
 * manifests in the GitOps repository break or are exempted from one, whoever committed them.
 */
export const GuardrailsPage = () => {
  const api = useApi(guardrailsApiRef);
  const state = useAsyncRetry(() => api.getReport(), [api]);
  return (
    <Page themeId="tool">
      <Header
        title="Guardrails"
        subtitle="The rules of platform/policies: checked before every golden-path commit, enforced in every cluster"
      />
      <Content>
        {state.loading && !state.value && <Progress />}
        {state.error && (
          <ResponseErrorPanel
            title="The guardrails service did not answer; reload the page to try again"
            error={state.error}
          />
        )}
        {state.value && (
          <Grid container spacing={3}>
            <Grid item xs={12}>
              <ContentHeader title="Components" />
              <Box mb={1}>
                <ScanLine scan={state.value.scan} />
              </Box>
              <InfoCard>
                <ComponentsTable report={state.value} />
              </InfoCard>
            </Grid>
            <Grid item xs={12}>
              <ContentHeader title={`Rules (${state.value.rules.length})`} />
              <InfoCard>
                <RulesTable rules={state.value.rules} />
              </InfoCard>
            </Grid>
          </Grid>
        )}
      </Content>
    </Page>
  );
};
