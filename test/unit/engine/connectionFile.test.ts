import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanStaleConnectionFiles, pidAlive, readConnectionFile, writeConnectionFile, type ConnectionInfo } from '../../../src/engine/reach/connectionFile';
import { checkPrivateDir, ensureRuntimeDir, runtimeDirPath } from '../../../src/engine/reach/runtimeDir';

const uid = process.getuid?.() ?? 0;
const info = (pid: number, folders = ['/w']): ConnectionInfo => ({ v: 1, addr: 'unix:/tmp/x/hr.sock', token: 'T0k', folders, pid, created: 1, python: '/ext/dist/python' });
/** A pid that is certainly dead: a child that has exited and been reaped. */
const deadPid = (): number => Number(spawnSync('/bin/sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());

describe('connection files (real files, modes and owners)', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'headroom-conn-'));
    dir = join(root, 'runtime');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the runtime folder: override, XDG_RUNTIME_DIR, home, Windows', () => {
    assert.equal(runtimeDirPath({ HEADROOM_RUNTIME_DIR: '/x', XDG_RUNTIME_DIR: '/run/user/1' }, 'linux', '/home/a'), '/x');
    assert.equal(runtimeDirPath({ XDG_RUNTIME_DIR: '/run/user/1' }, 'linux', '/home/a'), '/run/user/1/headroom');
    assert.equal(runtimeDirPath({}, 'darwin', '/Users/a'), '/Users/a/.local/share/headroom/runtime');
    assert.match(runtimeDirPath({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32', 'C:\\Users\\a'), /headroom.runtime$/);
  });

  it('makes the folder 0700, closes one that is too open, and writes the file 0600 atomically', () => {
    assert.equal(ensureRuntimeDir(dir), undefined);
    assert.equal(lstatSync(dir).mode & 0o777, 0o700);
    chmodSync(dir, 0o755);
    assert.equal(ensureRuntimeDir(dir), undefined);
    assert.equal(lstatSync(dir).mode & 0o777, 0o700);
    const path = writeConnectionFile(dir, info(process.pid));
    assert.equal(lstatSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), [`window-${process.pid}.json`], 'no temporary file left');
    const r = readConnectionFile(path);
    assert.ok('info' in r, JSON.stringify(r));
    assert.deepEqual(r.info, info(process.pid));
  });

  it('refuses a symlinked runtime folder and one of another user', () => {
    mkdirSync(join(root, 'real'), { mode: 0o700 });
    symlinkSync(join(root, 'real'), dir);
    assert.match(checkPrivateDir(dir) ?? '', /symbolic link/);
    assert.match(ensureRuntimeDir(dir) ?? '', /symbolic link/);
    if (uid === 0) {
      const other = join(root, 'other');
      mkdirSync(other, { mode: 0o700 });
      chownSync(other, 65534, 65534);
      assert.match(checkPrivateDir(other) ?? '', /belongs to user 65534/);
    }
  });

  it('refuses files open to others, of another user, symlinked, malformed or of another version, saying why', () => {
    ensureRuntimeDir(dir);
    const open = join(dir, 'window-1.json');
    writeFileSync(open, JSON.stringify(info(1)), { mode: 0o644 });
    chmodSync(open, 0o644);
    assert.match(refusal(open), /open to other users \(mode 644\)/);
    const link = join(dir, 'window-2.json');
    symlinkSync(open, link);
    assert.match(refusal(link), /symbolic link/);
    const bad = join(dir, 'window-3.json');
    writeFileSync(bad, '{not json', { mode: 0o600 });
    assert.match(refusal(bad), /not JSON/);
    const v2 = join(dir, 'window-4.json');
    writeFileSync(v2, JSON.stringify({ ...info(4), v: 2 }), { mode: 0o600 });
    assert.match(refusal(v2), /unknown format version 2/);
    const partial = join(dir, 'window-5.json');
    writeFileSync(partial, JSON.stringify({ v: 1, addr: 'unix:/x' }), { mode: 0o600 });
    assert.match(refusal(partial), /lacks addr, token, folders or pid/);
    if (uid === 0) {
      const theirs = join(dir, 'window-6.json');
      writeFileSync(theirs, JSON.stringify(info(6)), { mode: 0o600 });
      chownSync(theirs, 65534, 65534);
      assert.match(refusal(theirs), /belongs to user 65534/);
    }
  });

  it('cleans up the files of dead windows only, and reports the ones it will not touch', () => {
    ensureRuntimeDir(dir);
    const dead = deadPid();
    assert.equal(pidAlive(dead), false);
    assert.equal(pidAlive(process.pid), true);
    const live = writeConnectionFile(dir, info(process.pid));
    const stale = writeConnectionFile(dir, info(dead));
    const odd = join(dir, 'window-7.json');
    writeFileSync(odd, JSON.stringify(info(dead)), { mode: 0o644 });
    chmodSync(odd, 0o644);
    writeFileSync(join(dir, 'notes.txt'), 'not ours to judge');
    const { removed, refused } = cleanStaleConnectionFiles(dir);
    assert.deepEqual(removed, [stale]);
    assert.equal(refused.length, 1);
    assert.match(refused[0], /window-7\.json is open to other users/);
    assert.deepEqual(readdirSync(dir).sort(), ['notes.txt', `window-${process.pid}.json`, 'window-7.json'].sort());
    assert.ok('info' in readConnectionFile(live));
  });
});

function refusal(path: string): string {
  const r = readConnectionFile(path);
  assert.ok('refused' in r, `${path} was accepted`);
  return r.refused;
}
