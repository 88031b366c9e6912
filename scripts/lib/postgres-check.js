// After the PostgreSQL end-to-end run: says how many scaffolder tasks the backend kept in
// PostgreSQL (none means it did not use it, and fails), then drops the run's databases.
const { Client } = require('pg');

async function main() {
  const prefix = process.argv[2];
  const admin = new Client({ host: '127.0.0.1', port: 5432, user: process.env.E2E_POSTGRES_USER ?? 'postgres', database: 'postgres' });
  await admin.connect();
  let ok = false;
  try {
    const { rows } = await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
    const names = rows.map(r => r.datname).sort();
    const scaffolder = new Client({ host: '127.0.0.1', port: 5432, user: admin.user, database: `${prefix}scaffolder` });
    let tasks = 0;
    try {
      await scaffolder.connect();
      tasks = Number((await scaffolder.query('SELECT count(*) AS n FROM tasks')).rows[0].n);
    } catch (error) {
      console.log(`postgres: no scaffolder tasks could be read (${error.message})`);
    } finally {
      await scaffolder.end().catch(() => {});
    }
    console.log(`postgres: ${names.length} databases (${names.join(', ')}), ${tasks} scaffolder tasks stored`);
    ok = tasks > 0;
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  if (!ok) process.exit(1);
}

main().catch(error => {
  console.error(`postgres check failed: ${error.message}`);
  process.exit(1);
});
