import { version } from '../../package.json';

/** The one version: package.json's, bundled into the CLI at build time. */
export const VERSION: string = version;
