import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { explainSqliteFailure, probeSqliteWrite } from './database-checks';
import { dataSourceOptions, SQLITE_PRAGMAS } from './data-source-options';
import { keepPostgresClientErrorsHandled } from './postgres-pool';
import { ForegroundLoad } from './foreground-load';
import { SqliteReaders } from './sqlite-readers';
import { TransactionService } from './transaction.service';

/**
 * Opens the database, applies the SQLite pragmas and runs pending migrations before anything else uses it. A
 * SQLite file that cannot be opened or written stops the start-up here, with a message saying what to check.
 */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  if (options.type !== 'sqlite' && options.type !== 'better-sqlite3') {
    const dataSource = await new DataSource(options).initialize();
    keepPostgresClientErrorsHandled(dataSource);
    await dataSource.runMigrations({ transaction: 'each' });
    return dataSource;
  }
  let dataSource: DataSource | undefined;
  try {
    dataSource = await new DataSource(options).initialize();
    if (options.type === 'sqlite') {
      for (const pragma of SQLITE_PRAGMAS) {
        await dataSource.query(pragma);
      }
    }
    await probeSqliteWrite(dataSource);
    await dataSource.runMigrations({ transaction: 'each' });
    return dataSource;
  } catch (error) {
    await dataSource?.destroy().catch(() => undefined);
    throw explainSqliteFailure(String(options.database), error);
  }
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        ...dataSourceOptions(config.database, []),
        autoLoadEntities: true,
        // A SQLite file that cannot be opened or written will not mend itself in three seconds: fail at once.
        toRetry: () => config.database.type !== 'sqlite',
      }),
      dataSourceFactory: async (options) => openDataSource(options as DataSourceOptions),
    }),
  ],
  providers: [TransactionService, ForegroundLoad, SqliteReaders],
  exports: [TransactionService, ForegroundLoad, SqliteReaders],
})
export class DatabaseModule {}
