import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { logLevels, prepareData } from '../bootstrap';
import { AppConfigService } from '../config/app-config.service';
import { ContentImportService } from '../content/content-import.service';
import { CourseExportService } from '../curriculum/course-export.service';
import { DemoService } from '../demo/demo.service';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../demo/demo-city';
import { UsersService } from '../organizations/users.service';
import { OrgTreeService } from '../organizations/org-tree.service';
import { CLI_COMMANDS } from './cli-commands';
import { backupSqlite, checkSqliteBackup, restoreSqlite } from './database-backup';
import { terminalProgress } from './progress';

/** Boots the services without HTTP; opening the database runs pending migrations. */
async function withContext<T>(
  work: (ctx: INestApplicationContext, config: AppConfigService) => Promise<T>,
): Promise<T> {
  const config = new AppConfigService();
  const ctx = await NestFactory.createApplicationContext(AppModule.register(config), {
    logger: logLevels('warn'),
  });
  try {
    return await work(ctx, config);
  } finally {
    await ctx.close();
  }
}

const program = new Command('cadre-academy')
  .description('Cadre Academy command line')
  .showHelpAfterError();

program
  .command('db:migrate')
  .description('create the database if needed and apply pending migrations')
  .action(() =>
    withContext(async (ctx) => {
      const ds = ctx.get(DataSource);
      const rows = await ds.query<
        Array<{
          name: string;
        }>
      >('SELECT name FROM migrations ORDER BY id');
      console.log(
        `Database is at the latest schema (${rows.length} migrations applied: ${rows.map((r) => r.name).join(', ')}).`,
      );
    }),
  );

program
  .command('content:import [dir]')
  .description(
    'validate and load courses, question banks and policy rules from a content folder (default: content/)',
  )
  .action((dir?: string) =>
    withContext(async (ctx, config) => {
      const folder = resolve(dir ?? config.contentDir);
      const report = await ctx
        .get(ContentImportService)
        .import(folder, terminalProgress('Importing'));
      if (!report.ok) {
        console.error(`Nothing was imported: ${report.problems.length} problem(s) found.`);
        for (const p of report.problems) {
          console.error(`  ${p.file}:${p.line}: ${p.message}`);
        }
        process.exitCode = 1;
        return;
      }
      const kinds = Object.entries(report.byKind).map(
        ([k, v]) => `${k}: ${v.changed} changed, ${v.unchanged} unchanged`,
      );
      console.log(
        report.changed === 0
          ? `Nothing changed (${report.unchanged} items already up to date).`
          : `Imported from ${folder}: ${kinds.join('; ')}.`,
      );
    }),
  );

program
  .command('content:export <dir>')
  .description(
    'write every course of the database back as content files (course.md + NN-lesson.md)',
  )
  .action((dir: string) =>
    withContext(async (ctx) => {
      const count = await ctx.get(CourseExportService).exportTo(resolve(dir));
      console.log(`Exported ${count} course(s) to ${resolve(dir)}/courses/.`);
    }),
  );

program
  .command('demo:seed')
  .description(
    'load the demo city, accounts and history into an empty database (never in production)',
  )
  .action(() =>
    withContext(async (ctx, config) => {
      if (config.isProduction) {
        throw new Error('demo data is never loaded when NODE_ENV=production');
      }
      const demo = ctx.get(DemoService);
      if (!(await demo.isEmpty())) {
        throw new Error(
          'the database already holds an organisation tree; demo:seed only fills an empty database (delete the SQLite file to start over)',
        );
      }
      await prepareData(ctx as never, config);
      console.log(
        `Demo city loaded. Accounts (password ${DEMO_PASSWORD}): ${DEMO_ACCOUNTS.map((a) => a.username).join(', ')}`,
      );
    }),
  );

program
  .command('user:create')
  .description('create a real administrator (or another person) with a password')
  .requiredOption('--username <username>')
  .requiredOption('--name <displayName>')
  .option('--password <password>', 'at least 8 characters; asked for when omitted')
  .option('--org <orgId>', 'org node; defaults to the root of the tree')
  .option('--role <role>', 'learner | trainer | secretary | admin', 'admin')
  .option('--city <name>', 'name of the city node to create when the database is empty', '示范市')
  .action(
    (opts: {
      username: string;
      name: string;
      password?: string;
      org?: string;
      role: string;
      city: string;
    }) =>
      withContext(async (ctx) => {
        const password = opts.password ?? (await CLI_COMMANDS.askPassword());
        const tree = ctx.get(OrgTreeService);
        const roots = (await tree.all()).filter((n) => n.parentId === null);
        const orgId =
          opts.org ??
          roots[0]?.id ??
          (await tree.create(null, { kind: 'city', name: opts.city })).id;
        const user = await ctx.get(UsersService).create(null, {
          username: opts.username,
          displayName: opts.name,
          password,
          orgId,
          roles: [opts.role as never],
        });
        console.log(
          `Created ${user.username} (${user.roles.map((r) => r.role).join(', ')}) at ${user.org?.name ?? orgId}.`,
        );
      }),
  );

program
  .command('db:backup <file>')
  .description(
    'consistent online backup (SQLite: VACUUM INTO while the server runs; PostgreSQL: use pg_dump)',
  )
  .action((file: string) =>
    withContext(async (ctx, config) => {
      if (config.database.type === 'postgres') {
        console.log(
          `For PostgreSQL use its own tool, which takes a consistent snapshot while the server runs:\n  pg_dump --format=custom --file=${file} "$DATABASE_URL"\nand restore with pg_restore --clean --dbname="$DATABASE_URL" ${file}`,
        );
        return;
      }
      const size = await backupSqlite(config.database.path, resolve(file));
      await checkSqliteBackup(resolve(file));
      console.log(
        `Backup written to ${resolve(file)} (${(size / 1024 / 1024).toFixed(1)} MB, integrity ok).`,
      );
    }),
  );

program
  .command('db:restore <file>')
  .description('check a SQLite backup and put it in place of the database (stop the server first)')
  .action(async (file: string) => {
    const config = new AppConfigService();
    if (config.database.type === 'postgres') {
      console.log('For PostgreSQL: pg_restore --clean --dbname="$DATABASE_URL" <file>');
      return;
    }
    await checkSqliteBackup(resolve(file));
    const aside = restoreSqlite(resolve(file), config.database.path);
    console.log(
      `Restored ${resolve(file)} to ${config.database.path}; the previous database was kept as ${aside}.`,
    );
  });

for (const extra of CLI_COMMANDS.extra) {
  extra(program, withContext);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
