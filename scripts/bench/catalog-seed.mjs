// Seeds the catalog with a generated organisation of a given size, through the catalog's own
// ingestion path: the entities are written as YAML files under .data/bench-catalog/<size>/ and
// registered as `file` locations next to the example catalog's, so the real processing loop
// reads, validates, relates and stitches them, on PostgreSQL.
//
// The organisation, at 20,000 entities: a division/department/team hierarchy of Groups under
// the example's `contoso`, Users that are members of teams, Domains and Systems, 2,000
// Components (owner, system, providesApis, consumesApis, dependsOn), their APIs and their
// Azure Resources. Every count scales with the size. Generated with a fixed seed: two runs of
// the same size give the same entities.
//
//   node scripts/bench/catalog-seed.mjs [size]      (default 20000; seeds, prints the time, keeps the databases)
//   node scripts/bench/catalog-seed.mjs --drop [size]
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import YAML from 'yaml';
import { root, startBackend, until } from './lib.mjs';

export const DB_PREFIX = 'idp_bench_catalog_';
const PG = { host: '127.0.0.1', port: 5432, user: process.env.BENCH_PG_USER ?? 'postgres' };

/** The databases of one size: Backstage makes one per plugin under this prefix. */
export function prefixFor(size) {
  return `${DB_PREFIX}${size}_`;
}

function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AREAS = [
  'orders', 'pricing', 'catalogue', 'search', 'basket', 'checkout', 'payments', 'ledger',
  'invoicing', 'loyalty', 'promotions', 'inventory', 'warehouse', 'fulfilment', 'shipping',
  'returns', 'customer', 'identity', 'notifications', 'reviews', 'recommendations', 'media',
  'content', 'marketing', 'analytics', 'reporting', 'forecasting', 'procurement', 'suppliers',
  'stores', 'pos', 'workforce', 'payroll', 'finance', 'tax', 'fraud', 'risk', 'compliance',
  'support', 'chat',
];
const ROLES = [
  'api', 'worker', 'web', 'bff', 'gateway', 'sync', 'importer', 'exporter', 'scheduler',
  'processor', 'indexer', 'projector', 'adapter', 'service', 'ui', 'consumer', 'publisher',
  'batch', 'reconciler', 'cache-warmer',
];
const FIRST = [
  'Aisha', 'Ben', 'Carla', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Keiko',
  'Liam', 'Maya', 'Nikhil', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Victor',
  'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Amara', 'Bruno', 'Chloe', 'Daniel',
];
const LAST = [
  'Okafor', 'Schmidt', 'Rossi', 'Patel', 'Novak', 'Haddad', 'Kim', 'Lefevre', 'Silva', 'Berg',
  'Tanaka', 'Murphy', 'Cohen', 'Iyer', 'Petrova', 'Garcia', 'Walsh', 'Moreau', 'Lind', 'Aziz',
  'Rao', 'Dubois', 'Chen', 'Lopez', 'Demir', 'Jensen', 'Mensah', 'Costa', 'Fischer', 'Nguyen',
];
const RESOURCE_TYPES = [
  ['database', 'db', 'Azure Database for PostgreSQL flexible server'],
  ['cache', 'cache', 'Azure Cache for Redis'],
  ['queue', 'queue', 'Azure Service Bus queue'],
  ['storage', 'storage', 'Azure Storage account'],
  ['key-vault', 'kv', 'Azure Key Vault'],
  ['document-database', 'cosmos', 'Azure Cosmos DB account'],
];
const LIFECYCLES = ['production', 'production', 'production', 'experimental', 'deprecated'];

const title = s => s.split('-').map(w => w[0].toUpperCase() + w.slice(1)).join(' ');

/**
 * The organisation of this size, as entities. Components are a tenth of it, the share the
 * issue's 20,000 (2,000 Components) has; Users a quarter, APIs an eighth, Resources the rest.
 */
export function generateOrganisation(size) {
  const rnd = random(20_000 + size);
  const pick = xs => xs[Math.floor(rnd() * xs.length)];
  const entities = [];
  const add = (kind, metadata, spec) =>
    entities.push({ apiVersion: 'backstage.io/v1alpha1', kind, metadata, spec });

  const nComponents = Math.round(size / 10);
  const nUsers = Math.round(size / 4);
  const nApis = Math.round(size / 8);
  const nTeams = Math.max(4, Math.round(nComponents / 8));
  const nDepartments = Math.max(2, Math.round(nTeams / 6));
  const nDivisions = Math.max(1, Math.round(nDepartments / 5));
  const nDomains = Math.max(1, Math.round(nDepartments / 4));
  const nSystems = Math.max(2, Math.round(nComponents / 10));

  const divisions = Array.from({ length: nDivisions }, (_, i) => `division-${AREAS[i % AREAS.length]}`);
  for (const name of divisions) {
    add('Group', { name, title: title(name.slice(9)), description: `The ${title(name.slice(9))} division.` },
      { type: 'division', parent: 'contoso', children: [], profile: { displayName: title(name), email: `${name}@contoso.example` } });
  }
  const departments = Array.from({ length: nDepartments }, (_, i) => ({
    name: `${AREAS[i % AREAS.length]}-department${i >= AREAS.length ? `-${Math.floor(i / AREAS.length) + 1}` : ''}`,
    division: divisions[i % nDivisions],
  }));
  for (const d of departments) {
    add('Group', { name: d.name, title: title(d.name), description: `Engineering for ${d.name.split('-')[0]}.` },
      { type: 'department', parent: d.division, children: [] });
  }
  const teams = Array.from({ length: nTeams }, (_, i) => {
    const dept = departments[i % nDepartments];
    return { name: `${dept.name.replace('-department', '')}-${ROLES[Math.floor(i / nDepartments) % ROLES.length]}-team-${i}`, department: dept.name };
  });
  for (const t of teams) {
    add('Group', { name: t.name, title: title(t.name), description: `A product team in ${t.department}.` },
      { type: 'team', parent: t.department, children: [], profile: { email: `${t.name}@contoso.example` } });
  }
  for (let i = 0; i < nUsers; i++) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    const name = `${first}.${last}.${i}`.toLowerCase();
    const team = teams[i % nTeams].name;
    // One in twenty is also in their department's group: its manager or architect.
    const memberOf = i % 20 === 0 ? [team, teams[i % nTeams].department] : [team];
    add('User', { name }, { profile: { displayName: `${first} ${last}`, email: `${name}@contoso.example` }, memberOf });
  }
  const domains = Array.from({ length: nDomains }, (_, i) => `${AREAS[(i * 3) % AREAS.length]}-domain${i >= AREAS.length ? `-${i}` : ''}`);
  for (const [i, name] of domains.entries()) {
    add('Domain', { name, title: title(name), description: `Business domain ${title(name)}.` },
      { owner: `group:default/${divisions[i % nDivisions]}` });
  }
  const systems = Array.from({ length: nSystems }, (_, i) => ({
    name: `${AREAS[i % AREAS.length]}-system-${i}`,
    team: teams[i % nTeams].name,
    domain: domains[i % nDomains],
  }));
  for (const s of systems) {
    add('System', { name: s.name, title: title(s.name), description: `Services around ${s.name.split('-')[0]}.` },
      { owner: `group:default/${s.team}`, domain: s.domain });
  }

  const components = [];
  for (let i = 0; i < nComponents; i++) {
    const system = systems[i % nSystems];
    const role = ROLES[Math.floor(i / nSystems) % ROLES.length];
    components.push({ name: `${system.name.split('-')[0]}-${role}-${i}`, role, system });
  }
  const apis = Array.from({ length: nApis }, (_, i) => {
    const provider = components[i % nComponents];
    return { name: `${provider.name}-${i < nComponents ? 'api' : `events-${i}`}`, provider };
  });
  for (const a of apis) {
    const events = a.name.includes('-events-');
    add('API', { name: a.name, title: title(a.name), description: events ? `Events published by ${a.provider.name}.` : `HTTP API of ${a.provider.name}.` },
      {
        type: events ? 'asyncapi' : 'openapi',
        lifecycle: 'production',
        owner: `group:default/${a.provider.system.team}`,
        system: a.provider.system.name,
        definition: events
          ? `asyncapi: 2.6.0\ninfo:\n  title: ${a.name}\n  version: 1.0.0\nchannels: {}\n`
          : `openapi: 3.0.3\ninfo:\n  title: ${a.name}\n  version: 1.0.0\npaths: {}\n`,
      });
  }
  const nResources = Math.max(0, size - entities.length - nComponents);
  const resources = Array.from({ length: nResources }, (_, i) => {
    const owner = components[i % nComponents];
    const [type, suffix, what] = RESOURCE_TYPES[Math.floor(i / nComponents) % RESOURCE_TYPES.length];
    return { name: `${owner.name}-${suffix}-${i}`, type, what, owner };
  });
  const resourcesOf = new Map();
  for (const r of resources) {
    resourcesOf.set(r.owner.name, [...(resourcesOf.get(r.owner.name) ?? []), r.name]);
    add('Resource', { name: r.name, title: title(r.name), description: `${r.what} of ${r.owner.name}.` },
      { type: r.type, owner: `group:default/${r.owner.system.team}`, system: r.owner.system.name });
  }
  const providedBy = new Map();
  for (const a of apis) providedBy.set(a.provider.name, [...(providedBy.get(a.provider.name) ?? []), a.name]);
  for (const [i, c] of components.entries()) {
    const consumes = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(apis).name)
      .filter(n => !(providedBy.get(c.name) ?? []).includes(n));
    const other = components[(i + 1 + Math.floor(rnd() * (nComponents - 1))) % nComponents].name;
    add('Component',
      {
        name: c.name,
        title: title(c.name),
        description: `The ${c.role} of ${title(c.system.name)}, owned by ${c.system.team}.`,
        tags: [pick(['nodejs', 'python', 'dotnet', 'java', 'go', 'react']), c.role],
        annotations: {
          'backstage.io/kubernetes-id': c.name,
          'argocd/app-selector': `backstage.io/kubernetes-id=${c.name}`,
          'azure.com/tag-selector': `backstage.io/kubernetes-id=${c.name}`,
        },
      },
      {
        type: ['web', 'ui'].includes(c.role) ? 'website' : 'service',
        lifecycle: pick(LIFECYCLES),
        owner: `group:default/${c.system.team}`,
        system: c.system.name,
        providesApis: providedBy.get(c.name) ?? [],
        consumesApis: [...new Set(consumes)],
        dependsOn: [...(resourcesOf.get(c.name) ?? []).map(r => `resource:default/${r}`), `component:default/${other}`],
      });
  }
  return entities;
}

/**
 * Writes the organisation as YAML files of at most `perFile` entities (Users and Groups in
 * files of their own, as the example's org.yaml) and returns the catalog locations for them:
 * the example catalog's, then these.
 */
export function writeOrganisation(size, { perFile = 500 } = {}) {
  const dir = path.join(root, '.data/bench-catalog', String(size));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const entities = generateOrganisation(size);
  const org = entities.filter(e => e.kind === 'User' || e.kind === 'Group');
  const rest = entities.filter(e => e.kind !== 'User' && e.kind !== 'Group');
  const locations = [];
  const write = (prefix, list, rules) => {
    for (let i = 0; i < list.length; i += perFile) {
      const file = path.join(dir, `${prefix}-${String(i / perFile).padStart(3, '0')}.yaml`);
      fs.writeFileSync(file, list.slice(i, i + perFile).map(e => YAML.stringify(e)).join('---\n'));
      locations.push({ type: 'file', target: file, ...(rules ? { rules } : {}) });
    }
  };
  write('org', org, [{ allow: ['User', 'Group'] }]);
  write('software', rest);
  const counts = {};
  for (const e of entities) counts[e.kind] = (counts[e.kind] ?? 0) + 1;
  return { dir, locations, counts, total: entities.length, files: locations.length };
}

/** The example catalog's locations, as app-config.yaml registers them. */
export function exampleLocations() {
  const config = YAML.parse(fs.readFileSync(path.join(root, 'app-config.yaml'), 'utf8'));
  return config.catalog.locations;
}

/** Backend config for the catalog at this size on PostgreSQL, as APP_CONFIG_ variables. */
export function backendEnv({ size, port, locations }) {
  return {
    APP_CONFIG_backend_listen_port: String(port),
    APP_CONFIG_backend_baseUrl: `http://localhost:${port}`,
    APP_CONFIG_app_baseUrl: `http://localhost:${port}`,
    APP_CONFIG_backend_cors_origin: `http://localhost:${port}`,
    APP_CONFIG_backend_database: JSON.stringify({ client: 'pg', connection: PG, prefix: prefixFor(size) }),
    APP_CONFIG_catalog_locations: JSON.stringify(locations),
    // A Git host of its own: the portal's (or the tests') repositories are left alone.
    APP_CONFIG_gitHost_root: path.join(root, '.data/bench-catalog', `git-${size}`),
    APP_CONFIG_gitops_repoUrl: `http://localhost:${port}/api/git-host/gitops.git`,
    APP_CONFIG_gitops_repositories_baseUrl: `http://localhost:${port}/api/git-host/contoso`,
    APP_CONFIG_backend_reading_allow: JSON.stringify([{ host: `localhost:${port}`, paths: ['/api/git-host/raw/'] }]),
  };
}

async function withPg(database, fn) {
  const client = new pg.Client({ ...PG, database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The catalog database of a size, when it exists. */
export async function catalogDatabaseExists(size) {
  return withPg('postgres', async c =>
    (await c.query('select 1 from pg_database where datname = $1', [`${prefixFor(size)}catalog`])).rowCount > 0);
}

/**
 * What the processing loop has done: entities known, processed and stitched, and those still
 * waiting to be stitched. Read from the catalog's own tables, as no API says it.
 */
export async function ingestionState(size) {
  return withPg(`${prefixFor(size)}catalog`, async c => {
    const { rows: [r] } = await c.query(`
      select
        (select count(*) from refresh_state)::int as known,
        (select count(*) from refresh_state where result_hash is not null)::int as processed,
        (select count(*) from final_entities where final_entity is not null)::int as stitched,
        (select count(*) from stitch_queue)::int as to_stitch`);
    return r;
  });
}

/** Waits until every generated entity has been processed and stitched; returns the state. */
export async function waitForIngestion(size, expected, { log = () => {} } = {}) {
  let last = '';
  return until('the catalog to ingest and stitch the organisation', async () => {
    const s = await ingestionState(size);
    const line = `known ${s.known}, processed ${s.processed}, stitched ${s.stitched}, waiting to stitch ${s.to_stitch}`;
    if (line !== last) log(line);
    last = line;
    return s.stitched >= expected && s.processed === s.known && s.stitched === s.known && s.to_stitch === 0 && s;
  }, 1_800_000);
}

export async function dropDatabases(size) {
  return withPg('postgres', async c => {
    const { rows } = await c.query('select datname from pg_database where datname like $1', [`${prefixFor(size)}%`]);
    for (const { datname } of rows) await c.query(`drop database "${datname}" with (force)`);
    return rows.length;
  });
}

async function main() {
  const args = process.argv.slice(2);
  const drop = args.includes('--drop');
  const size = args.find(a => a !== '--drop') ?? '20000';
  if (drop) {
    console.log(`dropped ${await dropDatabases(size)} databases of ${prefixFor(size)}*`);
    return;
  }
  const port = Number(process.env.BENCH_PORT ?? 7107);
  await dropDatabases(size);
  const org = writeOrganisation(Number(size));
  console.log(`generated ${org.total} entities in ${org.files} files under ${path.relative(root, org.dir)}: ${JSON.stringify(org.counts)}`);
  const started = performance.now();
  const stop = startBackend([], backendEnv({ size, port, locations: [...exampleLocations(), ...org.locations] }));
  process.on('exit', stop);
  await until('the catalog database', () => catalogDatabaseExists(size), 180_000);
  const state = await waitForIngestion(size, org.total + org.files, { log: l => console.log(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${l}`) });
  console.log(`ingested ${state.stitched} entities in ${((performance.now() - started) / 1000).toFixed(0)} s (backend start included); databases ${prefixFor(size)}* kept`);
  stop();
  process.exit(0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  await main();
}
