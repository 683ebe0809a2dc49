import { probeVersion } from '@engineconn/core';

/** bash's major.minor, asked of bash itself once per process. */
export const bashVersion = (): string => probeVersion('bash', /version (\d+\.\d+)/);
