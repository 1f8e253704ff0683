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
