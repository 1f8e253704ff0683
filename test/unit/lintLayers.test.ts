import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..', '..');

/** The layering rule's messages for `code` as if it were the file at `path`. */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint enforces the import arrows (extension, cli -> engine -> shared; webview -> shared)', function () {
  this.timeout(60_000);

  const wrongWay: [string, string, RegExp][] = [
    ['src/engine/store/x.ts', "import { activate } from '../../extension/extension';", /engine .*src\/extension/],
    ['src/engine/x.ts', "import * as vscode from 'vscode';", /no editor API/],
    ['src/engine/x.ts', "import { main } from '../cli/main';", /src\/cli/],
    ['src/shared/x.ts', "import { Monitor } from '../engine/monitor';", /shared code .*src\/engine/],
    ['src/cli/x.ts', "import { TimelinePanel } from '../extension/panel/timelinePanel';", /CLI .*src\/extension/],
    ['src/webview/x.ts', "import { MemoryStore } from '../engine/store/memoryStore';", /webview .*src\/engine/],
    ['src/extension/x.ts', "import { main } from '../cli/main';", /extension .*src\/cli/],
    ['src/extension/panel/x.ts', "import { start } from '../../webview/index';", /src\/webview/],
  ];
  for (const [path, code, want] of wrongWay) {
    it(`refuses ${code} in ${path}`, async () => {
      const errors = await layerErrors(path, `${code}\nexport const used = [${/\{ (\w+) \}|\* as (\w+)/.exec(code)?.slice(1).find(Boolean)}];\n`);
      assert.equal(errors.length, 1, `one layering error, got ${JSON.stringify(errors)}`);
      assert.match(errors[0], want);
    });
  }

  const rightWay: [string, string][] = [
    ['src/extension/x.ts', "import { Monitor } from '../engine/monitor';"],
    ['src/cli/x.ts', "import { MemoryStore } from '../engine/store/memoryStore';"],
    ['src/engine/x.ts', "import { formatBytes } from '../shared/format';"],
    ['src/webview/x.ts', "import { formatBytes } from '../shared/format';"],
  ];
  for (const [path, code] of rightWay) {
    it(`allows ${code} in ${path}`, async () => {
      const name = /\{ (\w+) \}/.exec(code)?.[1];
      assert.deepEqual(await layerErrors(path, `${code}\nexport const used = [${name}];\n`), []);
    });
  }
});
