import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  blocking,
  GuardrailEvaluator,
  GuardrailResult,
  ManifestAssembler,
  ManifestFile,
  mergePolicySets,
  parsePolicyFiles,
} from '@internal/plugin-guardrails-common';
import fs from 'fs';
import path from 'path';

// The clusters' admission policies (platform/policies, docs/guardrails.md), checked before a
// golden path commits, so a refusal comes back in the form rather than as a failed sync.

function defaultPoliciesDirectory(): string {
  return resolvePackagePath(
    '@internal/plugin-guardrails-common',
    '../../platform/policies',
  );
}

function readPolicies(dir: string) {
  const read = (d: string) =>
    parsePolicyFiles(
      fs
        .readdirSync(d)
        .filter(f => /\.ya?ml$/.test(f))
        .map(f => ({
          path: path.join(d, f),
          text: fs.readFileSync(path.join(d, f), 'utf8'),
        })),
    );
  return mergePolicySets(read(dir), read(path.join(dir, 'before-commit')));
}

const evaluators = new Map<string, GuardrailEvaluator>();

function evaluatorFor(dir: string): GuardrailEvaluator {
  let evaluator = evaluators.get(dir);
  if (!evaluator) {
    if (!fs.existsSync(dir)) {
      throw new Error(
        `The guardrail policies are not at ${dir}; nothing is committed unchecked.`,
      );
    }
    evaluator = new GuardrailEvaluator(readPolicies(dir));
    evaluators.set(dir, evaluator);
  }
  return evaluator;
}

const where = (r: GuardrailResult) =>
  `${r.object.kind} ${r.object.namespace ? `${r.object.namespace}/` : ''}${
    r.object.name
  }`;

/** Throws when a rendered file breaks a guardrail the cluster would deny; warnings pass. */
export function checkGuardrails(
  files: ManifestFile[],
  argocdNamespace: string,
  dir: string = defaultPoliciesDirectory(),
): GuardrailResult[] {
  const evaluator = evaluatorFor(dir);
  // Argo CD's own namespace carries no environment label; the rendered files name the rest.
  const namespaces = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: argocdNamespace },
    },
  ];
  const results = new ManifestAssembler(files)
    .groups()
    .flatMap(g => evaluator.evaluate(g.objects, { namespaces }));
  const refused = blocking(results);
  if (refused.length > 0) {
    throw new InputError(
      `The manifests break the platform's guardrails (docs/guardrails.md), so nothing was committed:\n${refused
        .map(r => `${where(r)}: ${r.message} (${r.rule})`)
        .join('\n')}`,
    );
  }
  return results;
}
