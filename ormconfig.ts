import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './src/config/database';
import { loadDatabaseConfig } from './src/config/env';

/**
 * The DataSource of the TypeORM CLI (`npm run typeorm -- migration:run`). It is built by
 * the same function as the server's, from the same environment variables.
 */
export default new DataSource(buildDataSourceOptions(loadDatabaseConfig(process.env)));
