// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.cache/**', 'dist-vsix/**', 'test-results/**', 'bench-results/**', 'src/python/**', '.venv/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly',
        clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', fetch: 'readonly',
        performance: 'readonly', __dirname: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly',
        TextEncoder: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', structuredClone: 'readonly',
        window: 'readonly', document: 'readonly', navigator: 'readonly', requestAnimationFrame: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-restricted-syntax': [
        'error',
        { selector: "AssignmentExpression[left.property.name='innerHTML']", message: 'Never set innerHTML: untrusted text must go through textContent.' },
        { selector: "AssignmentExpression[left.property.name='outerHTML']", message: 'Never set outerHTML.' },
        { selector: "CallExpression[callee.property.name='insertAdjacentHTML']", message: 'Never insert HTML strings.' },
      ],
    },
  },
  {
    files: ['test/fixtures/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Layering: extension and cli -> engine -> shared; webview -> shared. Each arrow is a rule.
  layer('src/engine/**/*.ts', 'the engine is shared by the extension, the CLI and the benches', ['extension', 'cli', 'webview'], true),
  layer('src/shared/**/*.ts', 'shared code is imported by every layer and imports none of them', ['engine', 'extension', 'cli', 'webview'], true),
  layer('src/cli/**/*.ts', 'the CLI runs without an editor', ['extension', 'webview'], true),
  layer('src/webview/**/*.ts', 'the webview is a browser bundle: it talks to the host only through messages', ['engine', 'extension', 'cli'], true),
  layer('src/extension/**/*.ts', 'the extension uses the engine, not the other front ends', ['cli', 'webview'], false),
);

/**
 * One layer's import rule: no module of the `banned` layers (matched as path segments of a
 * relative import) and, where `noEditor`, no `vscode`.
 */
function layer(files, why, banned, noEditor) {
  return {
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noEditor ? [{ name: 'vscode', message: `${why}: no editor API here` }] : [],
          patterns: banned.map((b) => ({ group: [`**/${b}/**`, `**/${b}`], message: `${why}: it must not import from src/${b}/` })),
        },
      ],
    },
  };
}
