import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { serviceRequestFromForm } from '@internal/plugin-gitops-common';
import type {
  GuardrailResult,
  ServicePreview,
} from '@internal/plugin-guardrails-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { Alert } from '@material-ui/lab';
import { useEffect, useMemo, useState } from 'react';
import { RuleLine, RuleStatusChip } from '@internal/plugin-platform-react';
import { GitOpsPreviewFieldProps } from './schema';
import { ruleCounts, summaryOf } from './summary';

const DEBOUNCE_MS = 400;

type State =
  | { loading: true }
  | { loading: false; preview: ServicePreview }
  | { loading: false; error: string; refused: boolean };

function messageOf(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.body?.error?.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** A 4xx is the check refusing the values; anything else is the preview failing, not the request. */
const isRefusal = (error: unknown) =>
  error instanceof ResponseError &&
  error.response.status >= 400 &&
  error.response.status < 500;

const objectName = (o: GuardrailResult['object']) =>
  `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

/** One line per rule and message: the same result for six objects is one thing to read. */
function notPassing(results: GuardrailResult[]) {
  const lines = new Map<string, { result: GuardrailResult; objects: string[] }>();
  for (const r of results.filter(x => x.status !== 'passed')) {
    const key = `${r.status}/${r.rule}/${r.message}`;
    const line = lines.get(key) ?? { result: r, objects: [] };
    line.objects.push(objectName(r.object));
    lines.set(key, line);
  }
  const order = ['failed', 'not-checked', 'exempted'];
  return [...lines.values()].sort(
    (a, b) => order.indexOf(a.result.status) - order.indexOf(b.result.status),
  );
}

const PreviewBody = ({ preview }: { preview: ServicePreview }) => {
  const counts = ruleCounts(preview);
  const lines = notPassing(preview.results);
  return (
    <>
      {preview.refusal ? (
        <Alert severity="error" aria-label="preview refused">
          The Create step would refuse this: {preview.refusal}
        </Alert>
      ) : (
        <Alert severity={counts.failed > 0 ? 'warning' : 'success'} aria-label="preview summary">
          {summaryOf(preview)}.
        </Alert>
      )}
      {lines.length > 0 && (
        <Box component="ul" aria-label="guardrail results" style={{ listStyle: 'none', padding: 0 }}>
          {lines.map(({ result, objects }) => (
            <RuleLine
              key={`${result.status}/${result.rule}/${result.message}`}
              label={`${result.status} ${result.rule}`}
              chip={<RuleStatusChip status={result.status} actions={result.actions} />}
              title={result.title}
              rule={result.rule}
            >
              {[...new Set(objects)].join(', ')}:{' '}
              {result.status === 'exempted' ? `“${result.message}”` : result.message}
            </RuleLine>
          ))}
        </Box>
      )}
      <Typography variant="subtitle2" style={{ marginTop: 8 }}>
        Files for the GitOps repository
      </Typography>
      {preview.files.map(file => (
        <Accordion key={file.path} TransitionProps={{ unmountOnExit: true }}>
          <AccordionSummary aria-label={file.path}>
            <Box display="flex" alignItems="center" style={{ gap: 8 }}>
              <Chip size="small" label={file.change} variant={file.change === 'unchanged' ? 'outlined' : 'default'} />
              <Typography variant="body2" component="code">
                {file.path}
              </Typography>
            </Box>
          </AccordionSummary>
          <AccordionDetails>
            <Box component="pre" m={0} style={{ fontSize: 12, overflowX: 'auto' }}>
              {file.content}
            </Box>
          </AccordionDetails>
        </Accordion>
      ))}
    </>
  );
};

/**
 * The review of a service golden path before Create: the files the GitOps repository would get
 * and each guardrail's result, from the same check the Create step runs, with the user's rights.
 */
export const GitOpsPreviewField = (props: GitOpsPreviewFieldProps) => {
  const { onChange, formContext, uiSchema, schema } = props;
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const serviceType = uiSchema['ui:options']?.serviceType ?? 'http';
  const form = (formContext?.formData ?? {}) as Record<string, unknown>;
  // Everything but this field's own value: the preview must not ask again because it answered.
  const { preview: _own, ...values } = form;
  const body = useMemo(
    () => JSON.stringify(serviceRequestFromForm(values, serviceType)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [JSON.stringify(values), serviceType],
  );
  const [state, setState] = useState<State>({ loading: true });

  useEffect(() => {
    let cancelled = false;
    setState({ loading: true });
    const timer = setTimeout(async () => {
      try {
        const base = await discoveryApi.getBaseUrl('scaffolder');
        const res = await fetchApi.fetch(`${base}/gitops/v1/service-preview`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
        });
        if (!res.ok) throw await ResponseError.fromResponse(res);
        const preview: ServicePreview = await res.json();
        if (cancelled) return;
        setState({ loading: false, preview });
        onChange(summaryOf(preview));
      } catch (e) {
        if (cancelled) return;
        const message = messageOf(e);
        const refused = isRefusal(e);
        setState({ loading: false, error: message, refused });
        onChange(refused ? `Refused: ${message}` : `Not previewed: ${message}`);
      }
    }, DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [body, discoveryApi, fetchApi]);

  return (
    <Box mt={2} aria-label="preview">
      <Typography variant="h6">{schema.title ?? 'What will be committed'}</Typography>
      {schema.description && (
        <Typography variant="body2" color="textSecondary" paragraph>
          {schema.description}
        </Typography>
      )}
      {state.loading && (
        <>
          <LinearProgress />
          <Typography variant="body2">
            Checking with the same rules as the Create step…
          </Typography>
        </>
      )}
      {!state.loading && 'error' in state && state.refused && (
        <Alert severity="error" aria-label="preview refused">
          The Create step would refuse this: {state.error}
        </Alert>
      )}
      {!state.loading && 'error' in state && !state.refused && (
        <Alert severity="warning" aria-label="preview failed">
          The preview could not run ({state.error}); the Create step still checks everything
          before it changes anything.
        </Alert>
      )}
      {!state.loading && 'preview' in state && (
        <PreviewBody preview={state.preview} />
      )}
    </Box>
  );
};

