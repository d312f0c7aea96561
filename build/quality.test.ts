import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import {
  checkInstallScripts,
  checkLockfile,
  checkNoAutoRunTasks,
  checkNoStringEvaluation,
  checkOwnLifecycleScripts,
  checkShippedLicences,
  licenceAllowed,
} from './supply-chain.ts';

const root = path.resolve(import.meta.dirname, '..');
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

async function violations(cwd: string, directories: string[]): Promise<Array<{ rule: string; from: string; to: string }>> {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const config = (await import(path.join(root, '.dependency-cruiser.cjs'))).default;
    const result = await cruise(directories, { validate: true, ruleSet: config, ...config.options });
    const output = result.output as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } };
    return output.summary.violations.map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }));
  } finally {
    process.chdir(previous);
  }
}

describe('dependency rule', () => {
  it('holds for the repository', async () => {
    expect(await violations(root, ['electron', 'renderer', 'sync-server', 'shared'])).toEqual([]);
  });

  it('fails on deliberately bad imports', async () => {
    const tree = mkdtempSync(path.join(os.tmpdir(), 'plaza-deps-'));
    symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'));
    cpSync(path.join(root, 'tsconfig.base.json'), path.join(tree, 'tsconfig.base.json'));
    for (const directory of ['shared/domain', 'shared/sync', 'renderer/src', 'sync-server/src', 'electron/main']) mkdirSync(path.join(tree, directory), { recursive: true });
    writeFileSync(path.join(tree, 'shared/domain/uses-fs.ts'), "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n");
    writeFileSync(path.join(tree, 'shared/domain/uses-yjs.ts'), "import * as Y from 'yjs';\nexport const doc = new Y.Doc();\n");
    writeFileSync(path.join(tree, 'shared/domain/uses-react.ts'), "import { useState } from 'react';\nexport const hook = useState;\n");
    writeFileSync(path.join(tree, 'shared/domain/uses-chess.ts'), "import { Chess } from 'chess.js';\nexport const chess = new Chess();\n");
    writeFileSync(path.join(tree, 'shared/sync/uses-ws.ts'), "import { WebSocket } from 'ws';\nexport const socket = WebSocket;\n");
    writeFileSync(path.join(tree, 'sync-server/src/server.ts'), 'export const server = 1;\n');
    writeFileSync(path.join(tree, 'renderer/src/uses-electron.ts'), "import { ipcRenderer } from 'electron';\nexport const ipc = ipcRenderer;\n");
    writeFileSync(path.join(tree, 'renderer/src/uses-server.ts'), "import { server } from '../../sync-server/src/server.ts';\nexport const s = server;\n");
    writeFileSync(path.join(tree, 'electron/main/uses-renderer.ts'), "import { ipc } from '../../renderer/src/uses-electron.ts';\nexport const i = ipc;\n");

    const found = await violations(tree, ['shared', 'renderer', 'sync-server', 'electron']);
    const byFile = (file: string) => found.filter((violation) => violation.from.endsWith(file)).map((violation) => violation.rule);
    expect(byFile('shared/domain/uses-fs.ts')).toContain('domain-is-pure');
    expect(byFile('shared/domain/uses-yjs.ts')).toContain('domain-is-pure');
    expect(byFile('shared/domain/uses-react.ts')).toContain('domain-is-pure');
    expect(byFile('shared/domain/uses-chess.ts')).toEqual([]);
    expect(byFile('shared/sync/uses-ws.ts')).toContain('sync-protocol-is-pure');
    expect(byFile('renderer/src/uses-electron.ts').some((rule) => rule.startsWith('renderer-never-imports-electron'))).toBe(true);
    expect(byFile('renderer/src/uses-server.ts')).toContain('renderer-not-server');
    expect(byFile('electron/main/uses-renderer.ts')).toContain('electron-not-renderer-or-server');
  });
});

describe('supply chain', () => {
  it('every lockfile entry has a sha512 integrity and no source outside the npm registry', () => {
    const report = checkLockfile(lock);
    expect(report.problems).toEqual([]);
    expect(report.inspected).toBeGreaterThan(100);
  });

  it('the lockfile check fails on a foreign source, a missing hash, and on an empty lockfile', () => {
    const bad = {
      lockfileVersion: 3,
      packages: {
        '': {},
        'node_modules/a': { integrity: 'sha512-AAAA', resolved: 'https://evil.example/a.tgz' },
        'node_modules/b': {},
        'node_modules/c': { integrity: 'sha512-AAAA', resolved: 'git+ssh://git@github.com/x/c.git' },
      },
    };
    expect(checkLockfile(bad).problems).toEqual([
      'node_modules/a: resolved outside the npm registry (https://evil.example/a.tgz)',
      'node_modules/b: no integrity hash',
      'node_modules/c: resolved outside the npm registry (git+ssh://git@github.com/x/c.git)',
    ]);
    expect(checkLockfile({ lockfileVersion: 3, packages: { '': {} } }).problems).toEqual(['the lockfile lists no packages: nothing was checked']);
  });

  it('only allow-listed packages run install scripts', () => {
    expect(checkInstallScripts(lock, packageJson.allowScripts ?? {})).toEqual([]);
    expect(checkInstallScripts({ packages: { 'node_modules/x/node_modules/evil': { hasInstallScript: true } } }, { node: true })).toEqual([
      'evil runs an install script but is not in package.json "allowScripts"',
    ]);
    expect(checkOwnLifecycleScripts(packageJson)).toEqual([]);
    expect(checkOwnLifecycleScripts({ scripts: { postinstall: 'curl x | sh' } })).toEqual(['package.json defines a "postinstall" script']);
  });

  it('everything that ships has an allowed licence (no GPL)', () => {
    const report = checkShippedLicences(lock);
    expect(report.problems).toEqual([]);
    expect(report.inspected).toBeGreaterThan(50);
    expect(licenceAllowed('(MIT OR CC0-1.0)')).toBe(true);
    expect(licenceAllowed('MIT AND ISC AND BSD-3-Clause')).toBe(true);
    expect(licenceAllowed('GPL-3.0-or-later')).toBe(false);
    expect(licenceAllowed('MIT AND GPL-2.0')).toBe(false);
    expect(checkShippedLicences({ packages: { 'node_modules/chessground': { license: 'GPL-3.0-or-later' } } }).problems).toEqual([
      'node_modules/chessground: licence GPL-3.0-or-later is not on the allow list',
    ]);
  });

  it('no source evaluates strings as code', () => {
    expect(checkNoStringEvaluation(root)).toEqual([]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'plaza-eval-'));
    const file = path.join(dir, 'bad.ts');
    const [newFunction, evaluate] = [['new', 'Function'].join(' '), ['ev', 'al'].join('')];
    writeFileSync(file, `const f = ${newFunction}("return 1");\nconst y = ${evaluate}("2");\n`);
    expect(checkNoStringEvaluation(dir, [file])).toHaveLength(2);
  });

  it('nothing runs when the folder is opened in an editor', () => {
    expect(checkNoAutoRunTasks(root)).toEqual([]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'plaza-tasks-'));
    mkdirSync(path.join(dir, '.vscode'));
    writeFileSync(path.join(dir, '.vscode/tasks.json'), '{"tasks":[{"runOptions":{"runOn":"folderOpen"}}]}');
    expect(checkNoAutoRunTasks(dir)).toEqual(['.vscode/tasks.json runs a task on folder open']);
  });
});
