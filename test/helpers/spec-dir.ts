import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where the shared spec (reference data: OpenAPI files, the B2B schema dump) is read from at test time:
 * ROSTER_SPEC_DIR, else `shared/spec` beside the repository (how CI lays it out), else the workspace copy.
 */
const besideRepo = fileURLToPath(new URL('../../../shared/spec', import.meta.url));

export const specDir: string = process.env.ROSTER_SPEC_DIR ?? (existsSync(besideRepo) ? besideRepo : '/work/shared/spec');
