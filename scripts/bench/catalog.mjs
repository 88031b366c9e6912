// Benchmark: the catalog at the example catalog's size and at 20,000 entities, on PostgreSQL.
// For each size a backend of its own (port 7107, databases idp_bench_catalog_<size>_*) serves
// the built app; the organisation is seeded through the catalog's ingestion path
// (catalog-seed.mjs) unless a seeded database of that size is there already. Then:
//
// - Chromium (playwright-core, the flags of e2e/support/chromium.ts) signs in as the guest and
//   times the catalog page (all Components) and a component page to their first table row
//   with a link in it, recording every backend call each page makes;
// - those calls are replayed as recorded (the catalog list's first page and its facets, the
//   entity page's health, Azure Monitor and relations calls), and the list's cursor is
//   followed to a later page;
// - the pickers of the golden-path forms ask what they ask: OwnerPicker (Groups) and
//   EntityPicker (Systems) stream every match with EntityPicker's fields, 500 a page;
//   CatalogSearchPicker (Components) asks for 20 matches of a term. EntityPicker over every
//   Component, what the resource templates used before, is measured next to it.
//
// Prints p50 and p95 per call and per page, both sizes side by side; asserts nothing.
//
//   node scripts/bench/catalog.mjs [iterations] [sizes...]     (default: 30 example 20000)
//   BENCH_KEEP=1 keeps the databases (a second run then skips the 20,000-entity seeding).
import fs from 'node:fs';
import path from 'node:path';
import { CatalogClient } from '@backstage/catalog-client';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/support/chromium.ts';
import {
  backendEnv,
  catalogDatabaseExists,
  dropDatabases,
  exampleLocations,
  ingestionState,
  prefixFor,
  waitForIngestion,
  writeOrganisation,
} from './catalog-seed.mjs';
import { assertPortFree, guestToken, percentile as pct, root, startBackend, until } from './lib.mjs';

const iterations = Number(process.argv[2] ?? 30);
const sizes = process.argv.slice(3).length ? process.argv.slice(3) : ['example', '20000'];
const port = Number(process.env.BENCH_PORT ?? 7107);
const base = `http://localhost:${port}`;
const PAGE_LOADS = Number(process.env.BENCH_PAGE_LOADS ?? 10);
const COMPONENT = 'payments-api';
// EntityPicker's fields (@backstage/plugin-scaffolder's EntityPicker) and page size.
const ENTITY_PICKER_FIELDS = [
  'kind', 'metadata.name', 'metadata.namespace', 'metadata.title',
  'metadata.description', 'spec.profile.displayName', 'spec.type',
];
const SEARCH_PICKER_FIELDS = ['kind', 'metadata.namespace', 'metadata.name', 'metadata.title'];

if (!fs.existsSync(path.join(root, 'packages/app/dist/index.html'))) {
  throw new Error('packages/app/dist is missing: yarn workspace app build, then benchmark');
}

async function time(fn, n = iterations) {
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) await fn();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    bytes = await fn();
    ms.push(performance.now() - t);
  }
  return { p50: pct(ms, 50), p95: pct(ms, 95), bytes };
}

async function call(url, init, token) {
  const res = await fetch(url, {
    ...init,
    headers: { ...init?.headers, Authorization: `Bearer ${token}` },
  });
  const body = await res.arrayBuffer();
  return { status: res.status, body, bytes: body.byteLength };
}

/** A recorded call's name: its route with the entity and the query's shape. */
function label(r) {
  const u = new URL(r.url);
  const p = u.pathname.replace(/^\/api\//, '');
  const keys = [...new Set([...u.searchParams.keys()])];
  const facet = u.searchParams.getAll('facet').join(',');
  const filter = u.searchParams.getAll('filter').join('&');
  const limit = u.searchParams.get('limit');
  return `${r.method} ${p}${facet ? ` facet=${facet}` : ''}${filter ? ` filter=${filter}` : ''}${
    limit !== null ? ` limit=${limit}` : ''}${
    !facet && !filter && keys.length ? ` ?${keys.join(',')}` : ''}`.slice(0, 110);
}

/** Times the page to its first table row with a link in it, recording its backend calls. */
async function pageTimes(browser, url) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('navigation', { name: 'sidebar nav' }).getByRole('link', { name: 'Catalog', exact: true }).waitFor();
  let recording = [];
  page.on('request', r => {
    if (['fetch', 'xhr'].includes(r.resourceType()) && new URL(r.url()).pathname.startsWith('/api/')) {
      recording.push({ url: r.url(), method: r.method(), body: r.postData(), headers: r.headers() });
    }
  });
  const ms = [];
  let calls = [];
  for (let i = 0; i < PAGE_LOADS + 1; i++) {
    recording = [];
    const t = performance.now();
    await page.goto(url);
    await page.locator('table tbody tr:has(a)').first().waitFor({ timeout: 60_000 });
    if (i > 0) ms.push(performance.now() - t);
    // What a page asks once it shows, too: cards below the first row are part of the page.
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
    calls = recording;
  }
  await context.close();
  return { p50: pct(ms, 50), p95: pct(ms, 95), calls };
}

async function measure(size) {
  const numeric = /^\d+$/.test(size);
  const org = numeric ? writeOrganisation(Number(size)) : undefined;
  const expected = org ? org.total + org.files : 0;
  let ingestion = 'reused the seeded databases';
  const reuse = numeric && (await catalogDatabaseExists(size)) && (await ingestionState(size)).stitched >= expected;
  if (!reuse) await dropDatabases(size);
  const locations = [...exampleLocations(), ...(org?.locations ?? [])];
  await assertPortFree(base);
  const started = performance.now();
  const stop = startBackend([], backendEnv({ size, port, locations }));
  process.on('exit', stop);
  try {
    await until('the catalog database', () => catalogDatabaseExists(size), 180_000);
    const token = await guestToken(base);
    if (numeric) {
      const state = await waitForIngestion(size, expected);
      if (!reuse) ingestion = `${((performance.now() - started) / 1000).toFixed(0)} s, backend start included (${state.stitched} entities)`;
    } else {
      await until('the example catalog', async () => (await call(`${base}/api/catalog/entities/by-name/component/default/${COMPONENT}`, {}, token)).status === 200, 300_000);
      // The example's relations are stitched a moment after its entities appear.
      await until('the example catalog stitched', async () => (await ingestionState(size)).to_stitch === 0, 300_000);
    }
    const { stitched } = await ingestionState(size);
    const rows = [];
    const row = (name, r) => rows.push({ name, ...r });

    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    const catalogPage = await pageTimes(browser, '/?filters%5Bkind%5D=component&filters%5Buser%5D=all');
    const entityPage = await pageTimes(browser, `/catalog/default/component/${COMPONENT}`);
    await browser.close();
    row('Chromium: catalog page (all Components) to first row', catalogPage);
    row(`Chromium: component page (${COMPONENT}) to first row`, entityPage);

    const replay = async (prefix, calls, keep) => {
      const seen = new Set();
      for (const r of calls.filter(keep)) {
        const name = label(r);
        if (seen.has(name)) continue;
        seen.add(name);
        const init = { method: r.method, body: r.body ?? undefined, headers: r.body ? { 'Content-Type': 'application/json' } : {} };
        // An answer that is not a 2xx is timed too, and says so: "not configured" is an answer.
        const { status } = await call(r.url, init, token);
        row(`${prefix}${name}${status >= 300 ? ` [${status}]` : ''}`, await time(async () => (await call(r.url, init, token)).bytes));
      }
    };
    await replay('catalog page: ', catalogPage.calls, r => r.url.includes('/api/catalog/'));
    const first = catalogPage.calls.find(r => r.url.includes('/entities/by-query') && new URL(r.url).searchParams.get('limit') !== '0');
    if (first) {
      // The third page, as the table's Next button asks it twice: only the cursor and limit.
      let cursor = JSON.parse(Buffer.from((await call(first.url, {}, token)).body)).pageInfo?.nextCursor;
      cursor = cursor && JSON.parse(Buffer.from((await call(`${base}/api/catalog/entities/by-query?limit=20&cursor=${encodeURIComponent(cursor)}`, {}, token)).body)).pageInfo?.nextCursor;
      if (cursor) {
        row('catalog page: GET entities/by-query page 3 (cursor)', await time(async () =>
          (await call(`${base}/api/catalog/entities/by-query?limit=20&cursor=${encodeURIComponent(cursor)}`, {}, token)).bytes));
      }
    }
    await replay('component page: ', entityPage.calls, r => !r.url.includes('/api/signals'));

    // Every picker query of the golden-path forms, through the catalog client the pickers use.
    let counted = 0;
    const client = counting =>
      new CatalogClient({
        discoveryApi: { getBaseUrl: async () => `${base}/api/catalog` },
        fetchApi: {
          fetch: async (url, init) => {
            const res = await fetch(url, { ...init, headers: { ...init?.headers, Authorization: `Bearer ${token}` } });
            if (counting) counted += (await res.clone().arrayBuffer()).byteLength;
            return res;
          },
        },
      });
    const timed = client(false);
    const picker = async (name, ask) => {
      counted = 0;
      await ask(client(true));
      const bytes = counted;
      row(name, { ...(await time(async () => ask(timed))), bytes });
    };
    // EntityPicker (OwnerPicker is one with kind Group): every match, 500 a page.
    const entityPicker = kind => async c => {
      for await (const _ of c.streamEntities({ query: {}, filter: { kind }, fields: ENTITY_PICKER_FIELDS })) {
        // read to the end, as the picker does
      }
    };
    await picker('picker: OwnerPicker kind Group (service paths)', entityPicker('Group'));
    await picker('picker: EntityPicker kind System (service paths)', entityPicker('System'));
    await picker('picker: EntityPicker kind Component (resource paths before)', entityPicker('Component'));
    const searchPicker = term => c =>
      c.queryEntities({
        filter: { kind: 'Component' },
        fields: SEARCH_PICKER_FIELDS,
        limit: 20,
        orderFields: { field: 'metadata.name', order: 'asc' },
        ...(term ? { fullTextFilter: { term, fields: ['metadata.name', 'metadata.title'] } } : {}),
      });
    await picker('picker: CatalogSearchPicker Component, opened', searchPicker());
    await picker('picker: CatalogSearchPicker Component, "paym" typed', searchPicker('paym'));
    return { size, stitched, ingestion, rows };
  } finally {
    stop();
    if (!process.env.BENCH_KEEP) await dropDatabases(size);
  }
}

const results = [];
for (const size of sizes) {
  console.error(`measuring the catalog at ${size} ...`);
  results.push(await measure(size));
}
const names = [...new Set(results.flatMap(r => r.rows.map(x => x.name)))];
const cell = x => (x ? `${x.p50.toFixed(0).padStart(5)} ${x.p95.toFixed(0).padStart(5)} ${(x.bytes ? `${(x.bytes / 1024).toFixed(0)}K` : '').padStart(6)}` : ' '.repeat(18));
console.log(`iterations ${iterations} per call, ${PAGE_LOADS} page loads; PostgreSQL; ms p50 p95, answer size`);
for (const r of results) console.log(`${r.size}: ${r.stitched} entities in the catalog; ingestion ${r.ingestion}`);
console.log(`${''.padEnd(112)}${results.map(r => r.size.padStart(18)).join('  ')}`);
for (const n of names) console.log(`${n.padEnd(112)}${results.map(r => cell(r.rows.find(x => x.name === n))).join('  ')}`);
process.exit(0);
