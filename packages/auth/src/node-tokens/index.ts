export * from './node-token.ts';
export * from './routes.ts';
