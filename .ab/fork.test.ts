import { it, expect } from 'vitest';
import { createAdminTestApp, injector } from './admin-support.js';
it('fork of file db', async () => {
  const t = await createAdminTestApp('sqlite', { sqliteFile: true, logger: { level: 'error' } as never });
  const r = await injector(t)({ method: 'POST', url: '/_roster/forks' });
  console.log(r.statusCode, r.body);
  await t.close();
});
