import { KubeObject } from './types';
import { ResourceKinds, defaultResourceKinds } from './resources';

/** A file of the GitOps repository as the golden paths render it: a path and its documents. */
export type ManifestFile = { path: string; documents: object[] };

/** The objects one Argo CD Application would apply: a kustomization built, or plain files. */
export type ManifestGroup = { source: string; objects: KubeObject[] };

// kustomize reads either name; platform/ uses .yml where its own schema test walks .yaml.
const KUSTOMIZATIONS = ['kustomization.yaml', 'kustomization.yml'];
const FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'commonAnnotations',
  'images',
  'patches',
]);
/** Kinds whose pod template kustomize's commonAnnotations also annotate. */
const POD_TEMPLATE_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
]);

type Kustomization = {
  resources?: string[];
  namespace?: string;
  labels?: Array<{
    pairs: Record<string, string>;
    includeSelectors?: boolean;
    includeTemplates?: boolean;
  }>;
  commonAnnotations?: Record<string, string>;
  images?: Array<{
    name: string;
    newName?: string;
    newTag?: string;
    digest?: string;
  }>;
  patches?: Array<{ path?: string; [other: string]: unknown }>;
};

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw new Error(`${path} leaves the repository`);
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

const dirOf = (path: string) => path.split('/').slice(0, -1).join('/');
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// Strategic merge of lists: merged by their patchMergeKey in the Kubernetes API, or replaced
// whole where the API replaces them. Any other list in a patch is refused, not guessed.
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'name',
};
const REPLACED_LISTS = new Set(['tls', 'rules', 'hosts', 'paths']);

/** Strategic merge, for what the platform's patches use. */
function mergePatch(target: unknown, patch: unknown, at: string): unknown {
  const field = at.split('.').pop()!;
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key) {
      if (REPLACED_LISTS.has(field)) return structuredClone(patch);
      throw new Error(
        `the patch sets the list ${at}, which this assembly does not merge`,
      );
    }
    // Items already there are merged in place; new ones go first, as kustomize puts them.
    const merged: unknown[] = Array.isArray(target)
      ? structuredClone(target)
      : [];
    const added: unknown[] = [];
    for (const item of patch as Array<Record<string, unknown>>) {
      const i = merged.findIndex(m => isObject(m) && m[key] === item[key]);
      if (i >= 0)
        merged[i] = mergePatch(merged[i], item, `${at}[${String(item[key])}]`);
      else added.push(structuredClone(item));
    }
    return [...added, ...merged];
  }
  if (isObject(patch) && isObject(target)) {
    const merged: Record<string, unknown> = { ...target };
    for (const [k, v] of Object.entries(patch)) {
      if (k.startsWith('$'))
        throw new Error(`the patch directive ${k} is not supported`);
      if (v === null) delete merged[k];
      else
        merged[k] =
          k in target
            ? mergePatch(target[k], v, `${at}.${k}`)
            : structuredClone(v);
    }
    return merged;
  }
  return structuredClone(patch);
}

function podTemplates(obj: KubeObject): Array<Record<string, any>> {
  const spec = obj.spec as Record<string, any> | undefined;
  if (obj.kind === 'CronJob')
    return spec?.jobTemplate?.spec?.template
      ? [spec.jobTemplate.spec.template]
      : [];
  return POD_TEMPLATE_KINDS.has(obj.kind) && spec?.template
    ? [spec.template]
    : [];
}

/**
 * What `kustomize build` makes of rendered GitOps files, for the kustomization features the
 * golden paths write (resources, namespace, labels without selectors, commonAnnotations,
 * images, patches by path). Anything else is refused rather than half applied.
 */
export class ManifestAssembler {
  private readonly files = new Map<string, ManifestFile>();
  private readonly kinds = new ResourceKinds(defaultResourceKinds());

  constructor(files: ManifestFile[]) {
    for (const f of files) this.files.set(normalize(f.path), f);
  }

  /** Every root kustomization built, and the files no kustomization uses, as they are. */
  groups(): ManifestGroup[] {
    const kustomizations = [...this.files.keys()].filter(p =>
      KUSTOMIZATIONS.includes(p.split('/').pop()!),
    );
    const used = new Set<string>();
    const referenced = new Set<string>();
    for (const path of kustomizations) {
      const dir = dirOf(path);
      const k = this.kustomization(dir);
      used.add(path);
      for (const r of k.resources ?? []) {
        const target = normalize(`${dir}/${r}`);
        if (this.kustomizationFile(target)) referenced.add(target);
        else used.add(target);
      }
      for (const p of k.patches ?? [])
        if (p.path) used.add(normalize(`${dir}/${p.path}`));
    }
    const groups: ManifestGroup[] = kustomizations
      .map(dirOf)
      .filter(dir => !referenced.has(dir))
      .map(dir => ({ source: dir, objects: this.build(dir) }));
    const plain = [...this.files.keys()].filter(p => !used.has(p));
    if (plain.length > 0) {
      groups.push({
        source: plain.join(', '),
        objects: plain.flatMap(p => this.documents(p)),
      });
    }
    return groups;
  }

  private documents(path: string): KubeObject[] {
    const file = this.files.get(path);
    if (!file) throw new Error(`${path} is not among the rendered files`);
    return file.documents.map(d => structuredClone(d) as KubeObject);
  }

  /** The kustomization file of a directory, under either of its names. */
  private kustomizationFile(dir: string): string | undefined {
    return KUSTOMIZATIONS.map(name => `${dir}/${name}`).find(p =>
      this.files.has(p),
    );
  }

  private kustomization(dir: string): Kustomization {
    const file = this.kustomizationFile(dir);
    if (!file) throw new Error(`${dir} has no kustomization`);
    const [k] = this.documents(file) as unknown as Kustomization[];
    for (const field of Object.keys(k)) {
      if (!FIELDS.has(field))
        throw new Error(`${file}: ${field} is not assembled here`);
    }
    return k;
  }

  /** The objects of a kustomization directory, as `kustomize build <dir>` prints them. */
  build(dir: string): KubeObject[] {
    const k = this.kustomization(normalize(dir));
    let objects = (k.resources ?? []).flatMap(r => {
      const target = normalize(`${dir}/${r}`);
      return this.kustomizationFile(target)
        ? this.build(target)
        : this.documents(target);
    });
    for (const { path, ...rest } of k.patches ?? []) {
      if (!path || Object.keys(rest).length > 0)
        throw new Error(`${dir}: only patches by path are assembled`);
      for (const patch of this.documents(normalize(`${dir}/${path}`))) {
        const matches = objects.filter(
          o =>
            o.kind === patch.kind &&
            o.apiVersion.split('/').slice(0, -1).join('/') ===
              patch.apiVersion.split('/').slice(0, -1).join('/') &&
            o.metadata.name === patch.metadata.name,
        );
        if (matches.length !== 1)
          throw new Error(`${dir}/${path} matches ${matches.length} objects`);
        objects = objects.map(o =>
          o === matches[0]
            ? (mergePatch(o, patch, patch.kind) as KubeObject)
            : o,
        );
      }
    }
    for (const obj of objects) {
      if (k.namespace && this.kinds.find(obj)?.namespaced !== false) {
        obj.metadata.namespace = k.namespace;
      }
      for (const {
        pairs,
        includeSelectors,
        includeTemplates,
        ...rest
      } of k.labels ?? []) {
        if (
          includeSelectors ||
          includeTemplates ||
          Object.keys(rest).length > 0
        ) {
          throw new Error(
            `${dir}: only labels without selectors and templates are assembled`,
          );
        }
        obj.metadata.labels = { ...obj.metadata.labels, ...pairs };
      }
      if (k.commonAnnotations) {
        obj.metadata.annotations = {
          ...obj.metadata.annotations,
          ...k.commonAnnotations,
        };
        for (const t of podTemplates(obj)) {
          t.metadata = {
            ...t.metadata,
            annotations: { ...t.metadata?.annotations, ...k.commonAnnotations },
          };
        }
      }
      for (const image of k.images ?? []) {
        for (const t of podTemplates(obj)) {
          for (const c of [
            ...(t.spec?.containers ?? []),
            ...(t.spec?.initContainers ?? []),
          ]) {
            const name = String(c.image)
              .replace(/@.*$/, '')
              .replace(/:[^/:]*$/, '');
            if (name !== image.name) continue;
            const tag = String(c.image).slice(name.length);
            const newName = image.newName ?? name;
            if (image.digest) c.image = `${newName}@${image.digest}`;
            else if (image.newTag) c.image = `${newName}:${image.newTag}`;
            else c.image = `${newName}${tag}`;
          }
        }
      }
    }
    return objects;
  }
}
