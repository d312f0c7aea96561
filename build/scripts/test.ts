/**
 * `npm test`: every check, in order, with each phase's time. Ends with the one line CI reads:
 * `N passed, N failed` (tests from the Vitest and Playwright JSON reports, plus one check per
 * quality gate). Runs every phase even after a failure, so one run shows everything that broke.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const reports = path.join(root, '.test-reports');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);

interface PhaseResult {
  readonly name: string;
  readonly seconds: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

function run(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    // Node scripts run under this (pinned) Node, whatever `node` is first on PATH.
    const child = spawn(process.execPath, [command, ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function gate(name: string, steps: ReadonlyArray<readonly [string, readonly string[]]>): Promise<PhaseResult> {
  const started = performance.now();
  let ok = true;
  for (const [command, args] of steps) {
    if ((await run(command, args)) !== 0) ok = false;
  }
  return { name, seconds: (performance.now() - started) / 1000, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 };
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

async function vitest(): Promise<PhaseResult> {
  const started = performance.now();
  const file = path.join(reports, 'vitest.json');
  const code = await run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`]);
  const report = readJson<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }>(file);
  const seconds = (performance.now() - started) / 1000;
  if (!report) return { name: 'unit + integration (vitest)', seconds, passed: 0, failed: 1, skipped: 0 };
  // A crash outside any test (an unhandled error) fails the run without failing a test: count it.
  const failed = report.numFailedTests + (code !== 0 && report.numFailedTests === 0 ? 1 : 0);
  return { name: 'unit + integration (vitest)', seconds, passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests };
}

async function playwright(): Promise<PhaseResult> {
  const started = performance.now();
  const file = path.join(reports, 'playwright.json');
  const code = await run(bin('playwright'), ['test']);
  const report = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(file);
  const seconds = (performance.now() - started) / 1000;
  if (!report) return { name: 'end-to-end (playwright)', seconds, passed: 0, failed: 1, skipped: 0 };
  const failed = report.stats.unexpected + report.stats.flaky + (code !== 0 && report.stats.unexpected === 0 ? 1 : 0);
  return { name: 'end-to-end (playwright)', seconds, passed: report.stats.expected, failed, skipped: report.stats.skipped };
}

async function main(): Promise<void> {
  rmSync(reports, { recursive: true, force: true });
  mkdirSync(reports, { recursive: true });
  const total = performance.now();
  const results: PhaseResult[] = [];
  const tsc = bin('tsc');
  results.push(
    await gate('typecheck', [
      [tsc, ['-p', 'shared/tsconfig.json']],
      [tsc, ['-p', 'shared/platform/tsconfig.json']],
      [tsc, ['-p', 'sync-server/tsconfig.json']],
      [tsc, ['-p', 'renderer/tsconfig.json']],
      [tsc, ['-p', 'electron/tsconfig.json']],
      [tsc, ['-p', 'tsconfig.json']],
    ]),
  );
  results.push(await gate('lint', [[bin('eslint'), ['--max-warnings', '0', '.']]]));
  results.push(await gate('dependency rules', [[bin('depcruise'), ['--config', '.dependency-cruiser.cjs', 'electron', 'renderer', 'sync-server', 'shared']]]));
  results.push(
    await gate('build (electron-vite, web flavour, server)', [
      [bin('electron-vite'), ['build']],
      [bin('vite'), ['build', '--config', 'renderer/vite.web.config.ts', '--logLevel', 'warn']],
      [tsc, ['-p', 'sync-server/tsconfig.build.json']],
    ]),
  );
  results.push(await vitest());
  if (existsSync(path.join(root, 'out/web/index.html'))) results.push(await playwright());
  else results.push({ name: 'end-to-end (playwright)', seconds: 0, passed: 0, failed: 1, skipped: 0 });

  console.log('\nPhase times:');
  for (const result of results) {
    const status = result.failed > 0 ? 'FAILED' : 'ok';
    const counts = `${result.passed} passed, ${result.failed} failed${result.skipped ? `, ${result.skipped} skipped` : ''}`;
    console.log(`  ${result.name.padEnd(44)} ${result.seconds.toFixed(1).padStart(7)} s   ${status.padEnd(6)} ${counts}`);
  }
  console.log(`  ${'total'.padEnd(44)} ${((performance.now() - total) / 1000).toFixed(1).padStart(7)} s`);
  const passed = results.reduce((sum, result) => sum + result.passed, 0);
  const failed = results.reduce((sum, result) => sum + result.failed, 0);
  const skipped = results.reduce((sum, result) => sum + result.skipped, 0);
  if (skipped > 0) console.log(`(${skipped} skipped: see the reasons above; Electron launch tests need the Electron binary)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
