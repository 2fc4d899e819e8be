export * from './schemas';
export * from './schemas-signin';
export * from './schemas-factors';
export * from './routes';
export * from './http-status';
