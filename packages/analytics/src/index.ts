export * from './mpc/field.ts';
export * from './mpc/shamir.ts';
export * from './mpc/transport.ts';
export * from './mpc/codec.ts';
export * from './mpc/engine.ts';
export * from './mpc/http-transport.ts';
export * from './mpc/compare.ts';
export * from './stats/group-statistics.ts';
