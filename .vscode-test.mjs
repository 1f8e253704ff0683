// Launcher for machines that are online: @vscode/test-cli downloads VS Code (Electron) and
// runs the same editor suites the code-server rig runs. Offline, use `npm run test:vscode`.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/test/vscode/suite/*.test.js',
  version: '1.100.3',
  workspaceFolder: './test/fixtures/workspace',
  mocha: { ui: 'bdd', timeout: 60000 },
});
