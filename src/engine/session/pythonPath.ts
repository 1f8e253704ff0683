/** `dir` in front of an existing PYTHONPATH, with the platform's separator: the bundled client wins. */
export function prependPythonPath(dir: string, existing: string | undefined, platform: NodeJS.Platform = process.platform): string {
  return existing ? `${dir}${platform === 'win32' ? ';' : ':'}${existing}` : dir;
}
