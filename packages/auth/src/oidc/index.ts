export * from './sql-adapter.ts';
export * from './signing-keys.ts';
export * from './provider.ts';
export * from './routes.ts';
export * from './backend-services.ts';
export * from './backend-services-client.ts';
