import type {
  ComponentFinding,
  ScanInfo,
} from '@internal/plugin-guardrails-common';
import { WarningPanel } from '@backstage/core-components';
import { Box, Typography } from '@material-ui/core';
import { RuleLine, RuleStatusChip } from '@internal/plugin-platform-react';

/** How a finding reads at a glance: what the cluster would do with it. */
export const FindingStatus = ({ finding }: { finding: ComponentFinding }) => (
  <RuleStatusChip status={finding.status} actions={finding.actions} />
);

const objectName = (o: ComponentFinding['object']) =>
  `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

/** Distinct rules of `findings` with this status: one rule broken by three objects is one thing to fix. */
export const distinctRules = (
  findings: ComponentFinding[],
  status: ComponentFinding['status'],
) => new Set(findings.filter(f => f.status === status).map(f => f.rule)).size;

type Exemption = {
  key: string;
  policy: string;
  title: string;
  object: ComponentFinding['object'];
  justification: string;
  environments: string[];
};

/** One line per exempted policy and object, however many rules and environments it covers. */
function exemptionsOf(findings: ComponentFinding[]): Exemption[] {
  const byKey = new Map<string, Exemption>();
  for (const f of findings.filter(x => x.status === 'exempted')) {
    const key = `${f.policy}/${objectName(f.object)}/${f.message}`;
    const e = byKey.get(key) ?? {
      key,
      policy: f.policy,
      title: f.title,
      object: f.object,
      justification: f.message,
      environments: [],
    };
    if (!e.environments.includes(f.environment)) e.environments.push(f.environment);
    byKey.set(key, e);
  }
  return [...byKey.values()];
}

const listStyle = { listStyle: 'none', padding: 0, margin: 0 };

/**
 * A component's findings: what breaks or was not checked, by environment, each with the object
 * and what to change; then each exemption once, with its justification and where it applies.
 */
export const Findings = ({ findings }: { findings: ComponentFinding[] }) => {
  const open = findings.filter(f => f.status !== 'exempted');
  const environments = [...new Set(open.map(f => f.environment))];
  const exemptions = exemptionsOf(findings);
  return (
    <>
      {environments.map(env => (
        <Box key={env} mb={1}>
          <Typography variant="subtitle2">{env}</Typography>
          <Box component="ul" style={listStyle}>
            {open
              .filter(f => f.environment === env)
              .map(f => (
                <RuleLine
                  key={`${f.rule}/${objectName(f.object)}`}
                  label={`${f.status} ${f.rule}`}
                  chip={<FindingStatus finding={f} />}
                  title={f.title}
                  rule={f.rule}
                >
                  {objectName(f.object)}: {f.message}
                </RuleLine>
              ))}
          </Box>
        </Box>
      ))}
      {exemptions.length > 0 && (
        <Box mb={1}>
          <Typography variant="subtitle2">Exemptions</Typography>
          <Box component="ul" style={listStyle}>
            {exemptions.map(e => (
              <RuleLine
                key={e.key}
                label={`exempted ${e.policy}`}
                chip={<RuleStatusChip status="exempted" />}
                title={e.title}
                rule={e.policy}
              >
                {objectName(e.object)} in {e.environments.join(', ')}: “{e.justification}”
              </RuleLine>
            ))}
          </Box>
        </Box>
      )}
    </>
  );
};

/** Which commit the findings are of, and when it was read; a failed scan says so. */
export const ScanLine = ({ scan }: { scan: ScanInfo }) => (
  <>
    {scan.error && (
      <Box mb={1}>
        <WarningPanel title="The last scan failed" message={scan.error} />
      </Box>
    )}
    <Typography variant="caption" color="textSecondary" component="p" aria-label="scan">
      {scan.commit
        ? `${scan.branch} at ${scan.commit.slice(0, 7)} of ${scan.repoUrl}, scanned ${new Date(
            scan.scannedAt!,
          ).toLocaleString()}`
        : `${scan.repoUrl} has not been scanned yet; the first scan runs when the portal starts.`}
    </Typography>
  </>
);
