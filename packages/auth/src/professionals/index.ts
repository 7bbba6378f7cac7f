// Professionals: demo password + TOTP login, the organisation and role a session acts in, and
// the guard other routes use.
export * from './password.ts';
export * from './totp.ts';
export * from './professional-directory.ts';
export * from './password-login.ts';
export * from './routes.ts';
export * from './lockout.ts';
export * from './accounts-file.ts';
