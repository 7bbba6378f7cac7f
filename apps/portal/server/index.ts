export * from './plugin.ts';
export * from './region-keys.ts';
