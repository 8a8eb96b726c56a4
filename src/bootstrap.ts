import { Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfigService } from './config/app-config.service';
import { ContentImportError, ContentImportService } from './content/content-import.service';
import { DemoService } from './demo/demo.service';
import { PolicyService } from './policy/policy.service';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

export function logLevels(level: AppConfigService['logLevel']): LogLevel[] {
  const wanted = level === 'info' ? 'log' : level;
  return LEVELS.slice(0, LEVELS.indexOf(wanted) + 1);
}

/** Builds the whole application (HTTP, views, database) without listening; used by main.ts and the tests. */
export async function createApp(
  config: AppConfigService = new AppConfigService(),
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: config.trustProxy,
    bodyLimit: 2 * 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    // Requests carry an id that error logs and 500 pages quote, so a report can be matched to the log.
    requestIdHeader: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    adapter,
    {
      logger: logLevels(config.logLevel),
      bufferLogs: false,
    },
  );
  await configureApp(app);
  await app.init();
  return app;
}

/**
 * On a fresh database: import `content/` (policy, courses, banks) and, outside production, the demo city.
 * A database that already holds data is left alone.
 */
export async function prepareData(
  app: NestFastifyApplication,
  config: AppConfigService,
): Promise<{ seeded: boolean }> {
  const policy = app.get(PolicyService);
  if ((await policy.all()).length === 0) {
    const report = await app.get(ContentImportService).import(config.contentDir);
    if (!report.ok) {
      throw new ContentImportError(report.problems);
    }
  }
  const demo = app.get(DemoService);
  if (config.demo && (await demo.isEmpty())) {
    await demo.seed();
    return { seeded: true };
  }
  return { seeded: false };
}

export const startupLogger = new Logger('CadreAcademy');
