import fs from 'fs';
import path from 'path';
import { exemptionAnnotation } from '@internal/plugin-platform-common';
import { GuardrailEvaluator, isExemptable } from './evaluate';
import {
  fixtureNamespaces,
  fixturesDir,
  FLEXIBLE_SERVER,
  platformPolicies,
  readObjects,
  yamlFiles,
} from './__testUtils__/fixtures';
import { GuardrailResult, KubeObject } from './types';

// Every rule of platform/policies, evaluated on manifests that must pass it and manifests
// that must fail it. A fails/ file names, in its first line, exactly the rules it fails.

const set = platformPolicies();
const evaluator = new GuardrailEvaluator(set, {
  resourceKinds: [FLEXIBLE_SERVER],
});
const namespaces = fixtureNamespaces();
const evaluateFile = (file: string) =>
  evaluator.evaluate(readObjects(file), { namespaces });

const passFiles = yamlFiles(path.join(fixturesDir, 'passes'));
const failFiles = yamlFiles(path.join(fixturesDir, 'fails'));
const rules = set.policies.flatMap(p =>
  (p.spec.validations ?? []).map((_, i) => `${p.metadata.name}[${i}]`),
);

function declaredFailures(file: string): string[] {
  const first = fs.readFileSync(file, 'utf8').split('\n')[0];
  const m = /^# fails: (.+)$/.exec(first);
  if (!m) throw new Error(`${file} does not start with "# fails: <rule>, …"`);
  return m[1]
    .split(',')
    .map(s => s.trim())
    .sort();
}

const summary = (r: GuardrailResult) =>
  `${r.rule} ${r.status} on ${r.object.kind} ${r.object.name}: ${r.message}`;

describe('passing fixtures', () => {
  it.each(passFiles.map(f => [path.basename(f), f]))(
    '%s passes every rule that applies',
    (_, file) => {
      const results = evaluateFile(file);
      expect(results.filter(r => r.status !== 'passed').map(summary)).toEqual(
        [],
      );
      expect(results.length).toBeGreaterThan(0);
    },
  );
});

describe('failing fixtures', () => {
  it.each(failFiles.map(f => [path.basename(f), f]))(
    '%s fails exactly the rules it names',
    (_, file) => {
      const results = evaluateFile(file);
      const failed = [
        ...new Set(results.filter(r => r.status === 'failed').map(r => r.rule)),
      ].sort();
      expect(failed).toEqual(declaredFailures(file));
      expect(
        results.filter(r => r.status === 'not-checked').map(summary),
      ).toEqual([]);
      // A failure tells what to change, in the policy's words, not the CEL that failed.
      for (const r of results.filter(x => x.status === 'failed')) {
        expect(r.message).not.toMatch(/^failed expression/);
        expect(r.message.length).toBeGreaterThan(20);
      }
    },
  );
});

describe('every rule', () => {
  const passed = new Map<string, number>();
  const failed = new Map<string, number>();
  beforeAll(() => {
    for (const file of passFiles) {
      for (const r of evaluateFile(file))
        passed.set(r.rule, (passed.get(r.rule) ?? 0) + 1);
    }
    for (const file of failFiles) {
      for (const rule of declaredFailures(file))
        failed.set(rule, (failed.get(rule) ?? 0) + 1);
    }
  });

  it.each(rules)(
    '%s has a manifest that passes it and one that fails it',
    rule => {
      expect({
        rule,
        passes: (passed.get(rule) ?? 0) > 0,
        fails: (failed.get(rule) ?? 0) > 0,
      }).toEqual({
        rule,
        passes: true,
        fails: true,
      });
    },
  );

  it('names only rules that exist in the fixtures', () => {
    for (const file of failFiles) {
      for (const rule of declaredFailures(file)) expect(rules).toContain(rule);
    }
  });
});

/** The object, and its pod template, annotated as a golden path's exemption writes them. */
function annotate(
  o: KubeObject,
  annotations: Record<string, string>,
): KubeObject {
  const spec = o.spec as
    | { template?: { metadata?: KubeObject['metadata'] } }
    | undefined;
  return {
    ...o,
    metadata: {
      ...o.metadata,
      annotations: { ...o.metadata.annotations, ...annotations },
    },
    ...(spec?.template
      ? {
          spec: {
            ...spec,
            template: {
              ...spec.template,
              metadata: {
                ...spec.template.metadata,
                annotations: {
                  ...spec.template.metadata?.annotations,
                  ...annotations,
                },
              },
            },
          },
        }
      : {}),
  } as KubeObject;
}

describe('exemptions', () => {
  const exemptable = new Set(
    set.policies.filter(isExemptable).map(p => p.metadata.name),
  );
  const justification =
    'Vendor image runs as root until PLAT-142 ships in March.';
  const policyOf = (rule: string) => rule.replace(/\[\d+\]$/, '');
  const exemptionsFor = (file: string, value: string) =>
    Object.fromEntries(
      declaredFailures(file).map(r => [
        exemptionAnnotation(policyOf(r)),
        value,
      ]),
    );

  it('are allowed by the workload rules, never by the labels, tenancy or load balancer rules', () => {
    expect([...exemptable].sort()).toEqual([
      'guardrails-container-resources',
      'guardrails-container-security',
      'guardrails-crossplane-sizes',
      'guardrails-image-tag-not-latest',
      'guardrails-images-from-acr',
      'guardrails-no-host-access',
      'guardrails-probes',
      'guardrails-prod-availability',
      'guardrails-prod-database-protection',
      'guardrails-prod-min-replicas',
    ]);
  });

  const exemptFiles = failFiles.filter(f =>
    declaredFailures(f).every(r => exemptable.has(policyOf(r))),
  );
  it.each(exemptFiles.map(f => [path.basename(f), f]))(
    '%s passes with a justification, reported as exempted with it',
    (_, file) => {
      const objects = readObjects(file).map(o =>
        annotate(o, exemptionsFor(file, justification)),
      );
      const results = evaluator.evaluate(objects, { namespaces });
      expect(results.filter(r => r.status === 'failed').map(summary)).toEqual(
        [],
      );
      const exempted = results.filter(r => r.status === 'exempted');
      expect([...new Set(exempted.map(r => r.rule))]).toEqual(
        expect.arrayContaining(declaredFailures(file)),
      );
      expect(exempted.every(r => r.message === justification)).toBe(true);
    },
  );

  it.each(exemptFiles.map(f => [path.basename(f), f]))(
    '%s still fails with an empty justification',
    (_, file) => {
      const objects = readObjects(file).map(o =>
        annotate(o, exemptionsFor(file, '')),
      );
      const results = evaluator.evaluate(objects, { namespaces });
      const failed = [
        ...new Set(results.filter(r => r.status === 'failed').map(r => r.rule)),
      ];
      expect(failed.sort()).toEqual(declaredFailures(file));
      expect(results.filter(r => r.status === 'exempted')).toEqual([]);
    },
  );

  const fixedFiles = failFiles.filter(f =>
    declaredFailures(f).some(r => !exemptable.has(policyOf(r))),
  );
  it.each(fixedFiles.map(f => [path.basename(f), f]))(
    '%s fails even when annotated, since its rule has no exemption',
    (_, file) => {
      const objects = readObjects(file).map(o =>
        annotate(o, exemptionsFor(file, justification)),
      );
      const failed = evaluator
        .evaluate(objects, { namespaces })
        .filter(r => r.status === 'failed' && !exemptable.has(r.policy));
      expect(failed.length).toBeGreaterThan(0);
    },
  );
});
