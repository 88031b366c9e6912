// Prints one closing line over every test runner of scripts/test:
// "tests: N passed, N failed, N skipped".
const fs = require('fs');

function read(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const jest = read(process.argv[2]);
if (jest) {
  totals.passed += jest.numPassedTests;
  totals.failed += jest.numFailedTests + (jest.numRuntimeErrorTestSuites || 0);
  totals.skipped += jest.numPendingTests + jest.numTodoTests;
  console.log(
    `jest: ${jest.numPassedTests} passed, ${jest.numFailedTests} failed, ${jest.numPendingTests} skipped (${jest.numTotalTestSuites} suites)`,
  );
} else {
  totals.failed += 1;
  console.log('jest: no results (the run did not finish)');
}
// The main Playwright run, then the PostgreSQL one, which is absent when it was skipped.
for (const [i, file] of process.argv.slice(3).entries()) {
  const label = i === 0 ? 'playwright' : 'playwright on PostgreSQL';
  const pw = read(file);
  if (pw && pw.stats) {
    const s = pw.stats;
    totals.passed += s.expected + s.flaky;
    totals.failed += s.unexpected;
    totals.skipped += s.skipped;
    console.log(`${label}: ${s.expected + s.flaky} passed, ${s.unexpected} failed, ${s.skipped} skipped`);
  } else if (i === 0 || fs.existsSync(file)) {
    totals.failed += 1;
    console.log(`${label}: no results (the run did not finish)`);
  }
}
console.log(
  `tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`,
);
