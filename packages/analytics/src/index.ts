export * from './mpc/field.ts';
export * from './mpc/shamir.ts';
