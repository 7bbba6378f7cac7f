export * from './sql-adapter.ts';
export * from './signing-keys.ts';
export * from './provider.ts';
export * from './routes.ts';
