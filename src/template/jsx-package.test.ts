/**
 * JSX as an application uses it: `"jsxImportSource": "torsion"` in its tsconfig, or a
 * `@jsxImportSource torsion/template` pragma, against an installed copy of the package (built here from
 * the sources with the TypeScript compiler, with the package.json `exports` of this repository). The
 * application is type-checked, compiled and run with plain `node`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'torsion-jsx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function diagnosticsText(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    return `${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

function installPackage(): void {
  const pkgDir = join(dir, 'node_modules', 'torsion');
  const program = ts.createProgram({
    rootNames: ['index.ts', 'jsx-runtime.ts', 'jsx-dev-runtime.ts'].map((f) => join(repo, 'src/template', f)),
    options: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      declaration: true,
      skipLibCheck: true,
      types: ['node'],
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      rootDir: join(repo, 'src'),
      outDir: join(pkgDir, 'dist'),
    },
  });
  const emitted = program.emit();
  assert.equal(emitted.emitSkipped, false, diagnosticsText(emitted.diagnostics).join('\n'));
  const { exports } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: 'torsion', type: 'module', exports }));
  symlinkSync(join(repo, 'node_modules', 'saxes'), join(dir, 'node_modules', 'saxes'), 'dir');
}

function compileApp(files: Record<string, string>): readonly ts.Diagnostic[] {
  const app = join(dir, 'app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(app, name), text);
  const program = ts.createProgram({
    rootNames: Object.keys(files).map((f) => join(app, f)),
    options: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      skipLibCheck: true,
      types: [],
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      jsx: ts.JsxEmit.ReactJSX,
      jsxImportSource: 'torsion',
      outDir: join(dir, 'out'),
    },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  program.emit();
  return diagnostics;
}

test('an application using jsxImportSource "torsion" and the torsion/template pragma type-checks, compiles and runs', () => {
  installPackage();
  const diagnostics = compileApp({
    'page.tsx': `
import { flattenString, slot, type Flattenable } from 'torsion/template';
function Row({ name }: { name: string }) {
  return <tr class="row"><td>{name}</td><td>{slot('n')}</td></tr>;
}
export const page = (
  <html lang="en">
    <body>
      <table>{['Ann', '<Bob>'].map((n) => <Row name={n} />)}</table>
      <a href="javascript:alert(1)" data-x={1}>link</a>
      <>fragment</>
    </body>
  </html>
);
export function render(): Flattenable { return page.fillSlots({ n: 7 }); }
export { flattenString };
`,
    'pragma.tsx': `/** @jsxImportSource torsion/template */
export const small = <p class="pragma">from the pragma</p>;
`,
    'bad.tsx': `export const bad = <div hrefx="/">x</div>;
`,
    'main.ts': `
import { flattenString, render } from './page.js';
import { small } from './pragma.js';
console.log(await flattenString(null, [render(), small]));
`,
  });
  const messages = diagnosticsText(diagnostics);
  assert.equal(messages.length, 1, messages.join('\n'));
  assert.match(messages[0], /^app\/bad\.tsx:1: TS2322 .*hrefx/s);
  const emitted = readFileSync(join(dir, 'out', 'page.js'), 'utf8');
  assert.match(emitted, /from "torsion\/jsx-runtime"/);
  assert.match(readFileSync(join(dir, 'out', 'pragma.js'), 'utf8'), /from "torsion\/template\/jsx-runtime"/);
  // Plain node, as the application's user runs it: not the repository's `--conditions=torsion-source`.
  const output = execFileSync(process.execPath, [join(dir, 'out', 'main.js')], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(
    output.trim(),
    '<html lang="en"><body><table><tr class="row"><td>Ann</td><td>7</td></tr><tr class="row"><td>&lt;Bob&gt;</td><td>7</td></tr></table>' +
      '<a href="about:invalid#torsion-unsafe-url" data-x="1">link</a>fragment</body></html><p class="pragma">from the pragma</p>',
  );
});
