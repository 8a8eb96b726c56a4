import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { createApp, prepareData, startupLogger } from './bootstrap';
import { AppConfigService } from './config/app-config.service';
import { ConfigValidationError } from './config/app-config';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo/demo-city';

/**
 * After each full collection V8 lets the heap grow to up to 4x what survived when memory looks plentiful: a server
 * whose live heap is ~70 MB then sits at ~300 MB between collections. Growing by half instead keeps it near
 * 110 MB (measured under the bench's page scenarios) for a few more incremental collections of 5-20 ms each.
 */
setFlagsFromString('--heap-growing-percent=50');

async function main(): Promise<void> {
  let config: AppConfigService;
  try {
    config = new AppConfigService();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const app = await createApp(config);
  app.enableShutdownHooks();
  await prepareData(app, config);
  await app.listen({ port: config.port, host: config.host });
  const url = `http://${config.host}:${config.port}`;
  startupLogger.log(`Cadre Academy is running at ${url} (database: ${config.database.type})`);
  if (config.demo) {
    const lines = DEMO_ACCOUNTS.map(
      (a) => `  ${a.username.padEnd(10)} ${DEMO_PASSWORD}   ${a.where}`,
    );
    console.log(`\nDemo accounts (sign in at ${url}/login):\n${lines.join('\n')}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
