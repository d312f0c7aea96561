/**
 * The supply-chain rules of DESIGN.md ("Security"), as functions over the repository's files so
 * that the self-check test can run them on the real tree and on deliberately broken copies.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const LICENCE_ALLOW_LIST = [
  'MIT',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'Apache-2.0',
  '0BSD',
  'Unlicense',
  'CC0-1.0',
  'BlueOak-1.0.0',
  'Python-2.0',
  'CC-BY-4.0',
] as const;

const REGISTRY = 'https://registry.npmjs.org/';

interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly link?: boolean;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly license?: string | { type?: string };
  readonly hasInstallScript?: boolean;
}

interface LockFile {
  readonly lockfileVersion?: number;
  readonly packages?: Record<string, LockEntry>;
}

export interface LockfileReport {
  readonly inspected: number;
  readonly problems: string[];
}

/** Every installed package has an integrity hash and, if a source is recorded, it is the registry. */
export function checkLockfile(lock: LockFile): LockfileReport {
  const problems: string[] = [];
  let inspected = 0;
  if (lock.lockfileVersion !== 3) problems.push(`lockfileVersion is ${lock.lockfileVersion}, expected 3`);
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    if (key === '' || entry.link) continue;
    inspected += 1;
    if (!entry.integrity) problems.push(`${key}: no integrity hash`);
    else if (!/^sha512-[A-Za-z0-9+/]+=*$/.test(entry.integrity)) problems.push(`${key}: integrity is not sha512`);
    if (entry.resolved !== undefined && !entry.resolved.startsWith(REGISTRY)) problems.push(`${key}: resolved outside the npm registry (${entry.resolved})`);
  }
  if (inspected === 0) problems.push('the lockfile lists no packages: nothing was checked');
  return { inspected, problems };
}

export function checkInstallScripts(lock: LockFile, allowScripts: Record<string, boolean>): string[] {
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    if (!entry.hasInstallScript) continue;
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (allowScripts[name] !== true) problems.push(`${name} runs an install script but is not in package.json "allowScripts"`);
  }
  return problems;
}

function licenceName(entry: LockEntry): string {
  if (typeof entry.license === 'string') return entry.license;
  return entry.license?.type ?? 'UNKNOWN';
}

/** SPDX expressions: `A OR B` needs one allowed side, `A AND B` needs all. */
export function licenceAllowed(expression: string, allowed: readonly string[] = LICENCE_ALLOW_LIST): boolean {
  const trimmed = expression.trim().replace(/^\((.*)\)$/, '$1');
  if (/ OR /i.test(trimmed)) return trimmed.split(/ OR /i).some((part) => licenceAllowed(part, allowed));
  if (/ AND /i.test(trimmed)) return trimmed.split(/ AND /i).every((part) => licenceAllowed(part, allowed));
  return allowed.includes(trimmed);
}

/** Licences of everything that ships (not dev-only), against the allow list. */
export function checkShippedLicences(lock: LockFile): { inspected: number; problems: string[] } {
  const problems: string[] = [];
  let inspected = 0;
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    if (key === '' || entry.link || entry.dev) continue;
    inspected += 1;
    const licence = licenceName(entry);
    if (!licenceAllowed(licence)) problems.push(`${key}: licence ${licence} is not on the allow list`);
  }
  return { inspected, problems };
}

const SOURCE_DIRECTORIES = ['electron', 'renderer', 'sync-server', 'shared', 'build', 'e2e', 'bench'];
const SOURCE_EXTENSIONS = new Set(['.ts', '.tsx', '.js', '.mjs', '.cjs']);
const EVAL_PATTERNS = [/\beval\s*\(/, /\bnew\s+Function\s*\(/, /\bsetTimeout\s*\(\s*['"`]/, /\bsetInterval\s*\(\s*['"`]/];

export function* sourceFiles(root: string, directories: readonly string[] = SOURCE_DIRECTORIES): Generator<string> {
  for (const directory of directories) {
    const start = path.join(root, directory);
    if (!existsSync(start)) continue;
    const stack = [start];
    while (stack.length > 0) {
      const current = stack.pop() as string;
      for (const name of readdirSync(current)) {
        if (name === 'node_modules' || name === 'out') continue;
        const full = path.join(current, name);
        if (statSync(full).isDirectory()) stack.push(full);
        else if (SOURCE_EXTENSIONS.has(path.extname(name))) yield full;
      }
    }
  }
}

export function checkNoStringEvaluation(root: string, files: Iterable<string> = sourceFiles(root)): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      // The patterns themselves are written as regular expressions above; skip comment lines.
      if (/^\s*(\/\/|\*)/.test(line)) return;
      for (const pattern of EVAL_PATTERNS) {
        if (pattern.test(line) && !line.includes('EVAL_PATTERNS')) problems.push(`${path.relative(root, file)}:${index + 1}: ${line.trim()}`);
      }
    });
  }
  return problems;
}

/** Editor tasks that run by themselves when the folder is opened are a known attack vector. */
export function checkNoAutoRunTasks(root: string): string[] {
  const problems: string[] = [];
  const tasks = path.join(root, '.vscode/tasks.json');
  if (existsSync(tasks)) {
    const text = readFileSync(tasks, 'utf8');
    if (/"runOn"\s*:\s*"folderOpen"/.test(text)) problems.push('.vscode/tasks.json runs a task on folder open');
  }
  for (const file of ['.envrc', '.vscode/extensions.json']) {
    if (file === '.envrc' && existsSync(path.join(root, file))) problems.push('.envrc would run shell code on cd (direnv)');
  }
  return problems;
}

export function checkOwnLifecycleScripts(packageJson: { scripts?: Record<string, string> }): string[] {
  const forbidden = ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'preprepare', 'postprepare'];
  return forbidden.filter((name) => packageJson.scripts?.[name] !== undefined).map((name) => `package.json defines a "${name}" script`);
}
