import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  blocking,
  GuardrailEvaluator,
  GuardrailResult,
  isExemptable,
  ManifestAssembler,
  ManifestFile,
  mergePolicySets,
  parsePolicyFiles,
  PolicySet,
} from '@internal/plugin-guardrails-common';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';

// The clusters' admission policies (platform/policies, docs/guardrails.md), checked before a
// golden path commits, so a refusal comes back in the form rather than as a failed sync.

/** platform/policies of this checkout, or of the portal image (the Dockerfile copies it). */
export function defaultPoliciesDirectory(): string {
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

export type Guardrails = { set: PolicySet; evaluator: GuardrailEvaluator };

const loaded = new Map<string, Guardrails>();

/** The policies of `dir` (with before-commit/), read and compiled once per process. */
export function loadGuardrails(
  dir: string = defaultPoliciesDirectory(),
): Guardrails {
  let guardrails = loaded.get(dir);
  if (!guardrails) {
    if (!fs.existsSync(dir)) {
      throw new Error(
        `The guardrail policies are not at ${dir}; nothing is committed unchecked.`,
      );
    }
    const set = readPolicies(dir);
    guardrails = { set, evaluator: new GuardrailEvaluator(set) };
    loaded.set(dir, guardrails);
  }
  return guardrails;
}

const where = (r: GuardrailResult) =>
  `${r.object.kind} ${r.object.namespace ? `${r.object.namespace}/` : ''}${
    r.object.name
  }`;

/**
 * Refuses exemptions the policies do not allow: an unknown policy, or one without the
 * exemption matchCondition (the cluster would enforce it anyway).
 */
export function checkExemptions(
  exemptions: Array<{ policy: string }>,
  dir: string = defaultPoliciesDirectory(),
): void {
  const { set } = loadGuardrails(dir);
  const allowed = set.policies.filter(isExemptable).map(p => p.metadata.name);
  const seen = new Set<string>();
  for (const { policy } of exemptions) {
    if (seen.has(policy)) {
      throw new InputError(`The exemption from ${policy} is asked for twice; ask once, with one justification.`);
    }
    seen.add(policy);
    if (!set.policies.some(p => p.metadata.name === policy)) {
      throw new InputError(
        `There is no guardrail named ${policy}, so nothing was committed. The rules that allow an exemption are ${allowed.join(', ')} (docs/guardrails.md#exemptions).`,
      );
    }
    if (!allowed.includes(policy)) {
      throw new InputError(
        `${policy} allows no exemption, so nothing was committed: fix what it reports instead. The rules that allow one are ${allowed.join(', ')} (docs/guardrails.md#exemptions).`,
      );
    }
  }
}

/** Every rule's result for the objects kustomize would build from `files`. */
export function evaluateManifests(
  files: ManifestFile[],
  argocdNamespace: string,
  dir: string = defaultPoliciesDirectory(),
): GuardrailResult[] {
  const { evaluator } = loadGuardrails(dir);
  // Argo CD's own namespace carries no environment label; the rendered files name the rest.
  const namespaces = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: argocdNamespace },
    },
  ];
  return new ManifestAssembler(files)
    .groups()
    .flatMap(g => evaluator.evaluate(g.objects, { namespaces }));
}

/** What the check step says when `results` break a rule the cluster would deny; undefined when none does. */
export function refusalOf(results: GuardrailResult[]): string | undefined {
  const refused = blocking(results);
  if (refused.length === 0) return undefined;
  return `The manifests break the platform's guardrails (docs/guardrails.md), so nothing was committed:\n${refused
    .map(r => `${where(r)}: ${r.message} (${r.rule})`)
    .join('\n')}`;
}

/** Throws when a rendered file breaks a guardrail the cluster would deny; warnings pass. */
export function checkGuardrails(
  files: ManifestFile[],
  argocdNamespace: string,
  dir: string = defaultPoliciesDirectory(),
): GuardrailResult[] {
  const results = evaluateManifests(files, argocdNamespace, dir);
  const refusal = refusalOf(results);
  if (refusal) throw new InputError(refusal);
  return results;
}

/**
 * The files of the kustomizations at `roots`, and of everything they list, as the tree would
 * have them after `changes`: what Argo CD would build for a service whose overlays change.
 */
export async function kustomizeTree(
  roots: string[],
  read: (filePath: string) => Promise<string | undefined>,
  changes: Map<string, string | null>,
): Promise<ManifestFile[]> {
  const contentOf = async (p: string) =>
    changes.has(p) ? changes.get(p) ?? undefined : read(p);
  const files = new Map<string, ManifestFile>();
  const queue = [...roots];
  while (queue.length > 0) {
    const file = path.posix.normalize(queue.shift()!);
    if (files.has(file)) continue;
    const text = await contentOf(file);
    if (text === undefined) continue;
    const documents = parseAllDocuments(text)
      .map(d => d.toJS())
      .filter(d => d && typeof d === 'object');
    files.set(file, { path: file, documents });
    if (path.posix.basename(file) !== 'kustomization.yaml') continue;
    const dir = path.posix.dirname(file);
    const k = documents[0] as {
      resources?: string[];
      patches?: { path?: string }[];
    };
    for (const entry of k?.resources ?? []) {
      const target = path.posix.join(dir, entry);
      queue.push(
        /\.ya?ml$/.test(entry)
          ? target
          : path.posix.join(target, 'kustomization.yaml'),
      );
    }
    for (const patch of k?.patches ?? []) {
      if (patch.path) queue.push(path.posix.join(dir, patch.path));
    }
  }
  return [...files.values()];
}
