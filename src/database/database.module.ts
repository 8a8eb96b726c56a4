import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { dataSourceOptions, SQLITE_PRAGMAS } from './data-source-options';
import { TransactionService } from './transaction.service';

/** Opens the database, applies the SQLite pragmas and runs pending migrations before anything else uses it. */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  if (options.type === 'sqlite') {
    for (const pragma of SQLITE_PRAGMAS) {
      await dataSource.query(pragma);
    }
  }
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        ...dataSourceOptions(config.database, []),
        autoLoadEntities: true,
      }),
      dataSourceFactory: async (options) => openDataSource(options as DataSourceOptions),
    }),
  ],
  providers: [TransactionService],
  exports: [TransactionService],
})
export class DatabaseModule {}
