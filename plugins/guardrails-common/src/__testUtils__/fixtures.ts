import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { mergePolicySets, parsePolicyFiles, PolicySet } from '../policies';
import { ResourceKind } from '../resources';
import { KubeObject } from '../types';

export const repoRoot = path.resolve(__dirname, '../../../..');
export const policiesDir = path.join(repoRoot, 'platform/policies');
export const beforeCommitDir = path.join(policiesDir, 'before-commit');
export const fixturesDir = path.resolve(__dirname, '../__fixtures__');

/** The .yaml (fixtures) or .yml (platform/) files of a folder, not its subfolders. */
export function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()
    .map(f => path.join(dir, f));
}

export function readPolicyDir(dir: string): PolicySet {
  return parsePolicyFiles(
    yamlFiles(dir).map(file => ({
      path: file,
      text: fs.readFileSync(file, 'utf8'),
    })),
  );
}

/** The shipped rules: what every cluster enforces and what only the portal checks. */
export function platformPolicies(): PolicySet {
  return mergePolicySets(
    readPolicyDir(policiesDir),
    readPolicyDir(beforeCommitDir),
  );
}

export function readObjects(file: string): KubeObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
      return d.toJS();
    })
    .filter(Boolean);
}

/** The managed resource the prod database rule names; no golden path writes one. */
export const FLEXIBLE_SERVER: ResourceKind = {
  apiVersion: 'dbforpostgresql.azure.m.upbound.io/v1beta1',
  kind: 'FlexibleServer',
  plural: 'flexibleservers',
  namespaced: true,
};

export const fixtureNamespaces = () =>
  readObjects(path.join(fixturesDir, 'namespaces.yaml'));
