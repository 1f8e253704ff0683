/** The remote listener could not open: says why in words a setting can be changed by. */
export class RemoteListenError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    override readonly cause: NodeJS.ErrnoException,
  ) {
    const where = `${host}:${port}`;
    const why =
      cause.code === 'EADDRINUSE'
        ? `port ${port} is already in use on ${host} (another window, or another program, listens there); pick another port`
        : cause.code === 'EADDRNOTAVAIL'
          ? `${host} is not an address of this machine; use 127.0.0.1 (with SSH port forwarding) or one of its interfaces' addresses`
          : cause.code === 'EACCES'
            ? `ports below 1024 need privileges; pick a port above 1024`
            : cause.message;
    super(`cannot listen for remote ranks on ${where}: ${why}`);
  }
}

/** Where to listen for remote ranks, from the setting's `HOST:PORT` (`[::1]:5151` for IPv6). */
export type ListenAddress = { readonly host: string; readonly port: number } | { readonly error: string };

/** Parses `HOST:PORT`; says what is wrong otherwise. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) return { error: `"${text.slice(0, 80)}" is not HOST:PORT (e.g. 127.0.0.1:5151 or 0.0.0.0:5151)` };
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return { error: `port ${port} is not between 1 and 65535` };
  return { host: m[1] ?? m[2], port };
}

/** True for an address only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** True for an address that means every interface (the port is then reachable from the network). */
export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
