/** The gateway's release, reported by health endpoints. A test keeps it equal to package.json's. */
export const GATEWAY_VERSION = '0.1.0';
