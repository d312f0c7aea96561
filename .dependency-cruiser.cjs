/**
 * The dependency rule of DESIGN.md, checked by a tool instead of by review: arrows point inward
 * (renderer, electron, sync-server → shared/sync → shared/domain), shared/domain does no I/O.
 */
/** Packages shared/domain may use: pure computation only. */
const PURE_FOR_DOMAIN = ['chess\\.js', 'gpt-tokenizer', 'zod'];
/** Packages shared/sync may add on top: the Yjs document model and its encodings. */
const PURE_FOR_SYNC = [...PURE_FOR_DOMAIN, 'yjs', 'lib0', 'y-protocols'];

/** Tests and their fixtures may use test tooling (vitest, fast-check) and Node. */
const TEST_FILES = '\\.test\\.tsx?$|/test-support/';

const packagePattern = (names) => `^node_modules/(${names.join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'shared/domain is pure TypeScript: no I/O, no framework, no Node built-ins. Allowed packages: ' + PURE_FOR_DOMAIN.join(', '),
      severity: 'error',
      from: { path: '^shared/domain/', pathNot: TEST_FILES },
      to: { pathNot: ['^shared/domain/', packagePattern(PURE_FOR_DOMAIN)] },
    },
    {
      name: 'sync-protocol-is-pure',
      comment: 'shared/sync knows Yjs but does no I/O: no sockets, no storage, no Node built-ins',
      severity: 'error',
      from: { path: '^shared/sync/', pathNot: TEST_FILES },
      to: { pathNot: ['^shared/(sync|domain|api)/', packagePattern(PURE_FOR_SYNC)] },
    },
    {
      name: 'shared-depends-on-nothing-outside',
      comment: 'shared/ is used by all three processes and imports none of them, and no Node built-ins',
      severity: 'error',
      from: { path: '^shared/', pathNot: TEST_FILES },
      to: { path: ['^(renderer|electron|sync-server)/'], dependencyTypes: ['local', 'aliased', 'npm', 'npm-dev', 'core'] },
    },
    {
      name: 'shared-no-node-builtins',
      severity: 'error',
      from: { path: '^shared/', pathNot: TEST_FILES },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-never-imports-electron',
      comment: 'the renderer talks to its host through the Platform port only',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ['^node_modules/electron/', '^electron/'] },
    },
    {
      name: 'renderer-never-imports-electron-builtin',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^electron$' },
    },
    {
      name: 'renderer-not-server',
      comment: 'tests may start a real server; the renderer itself never imports it',
      severity: 'error',
      from: { path: '^renderer/', pathNot: TEST_FILES },
      to: { path: '^sync-server/' },
    },
    {
      name: 'electron-not-renderer-or-server',
      severity: 'error',
      from: { path: '^electron/' },
      to: { path: '^(renderer|sync-server)/' },
    },
    {
      name: 'server-not-clients',
      severity: 'error',
      from: { path: '^sync-server/' },
      to: { path: '^(renderer|electron)/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^electron$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^out/'] },
    tsPreCompilationDeps: true,
    preserveSymlinks: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
